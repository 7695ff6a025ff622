import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { changedSinceCommit, objectAt, readBlobs, type GitFile } from './git.js';
import { buildReport, type DiffReport } from './report.js';
import { countRenderedResources } from './resource-counts.js';
import { buildSnapshot, clusterInputPath, isRenderedFile, resourceKey, snapshotAtCommit, type Snapshot } from './snapshot.js';

/**
 * The two sides of `gitops diff`, read as Git already knows them: the paths where the working
 * tree differs from the base commit, and their blob ids there, come from `git diff --raw` and the
 * untracked files, so only those files are read and parsed (the base's from `git cat-file`, the
 * head's from disk), with the `cluster.yaml` of each cluster they are in. A file that is the same
 * blob on both sides holds the same objects on both sides: it is only counted (`unchanged`).
 * Objects still pair across files, so a moved object (its old and new files both differ) is
 * `moved`.
 */
export interface DiffSides {
  /** The base's objects in the files that differ, and the facts of their clusters. */
  readonly base: Snapshot;
  /** The head's objects in the files that differ, and the facts of their clusters. */
  readonly head: Snapshot;
  /** Objects in the files that did not change. */
  readonly unchanged: number;
  /**
   * The base as the risk rules read it: the whole base when a Namespace may be deleted (what it
   * holds can sit in files that did not change), else `base`.
   */
  readonly riskBase: Snapshot;
}

export async function readDiffSides(root: string, commit: string): Promise<DiffSides> {
  const [changedPaths, tree] = await Promise.all([changedSinceCommit(root, commit, ['clusters']), objectAt(root, commit, 'clusters')]);
  const changed = new Map(changedPaths.filter((entry) => isCompared(entry.path)).map((entry) => [entry.path, entry]));
  // The cluster input of every cluster with a change: from the diff when it changed, else the same on both sides.
  const clusters = new Set([...changed.keys()].map((file) => file.split('/')[1]!));
  const inputs = [...clusters].map((cluster) => `clusters/${cluster}/cluster.yaml`).filter((file) => !changed.has(file));
  const baseFiles = await readBlobs(
    root,
    [...changed.values()].filter((entry) => entry.base !== undefined).map((entry) => ({ path: entry.path, object: entry.base! })),
  );
  const headFiles: GitFile[] = [];
  for (const file of [...changed.keys(), ...inputs].sort()) {
    const content = await readFile(path.join(root, file), 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
      throw error;
    });
    if (content === undefined) continue;
    headFiles.push({ path: file, content });
    if (!changed.has(file)) baseFiles.push({ path: file, content });
  }
  const base = buildSnapshot(baseFiles);
  const head = buildSnapshot(headFiles);
  const inBase = tree ? await countRenderedResources(root, commit, tree) : 0;
  const headKeys = new Set(head.resources.map(resourceKey));
  const namespaceMayGo = base.resources.some((resource) => resource.kind === 'Namespace' && !resource.namespace && !headKeys.has(resourceKey(resource)));
  return { base, head, unchanged: inBase - base.resources.length, riskBase: namespaceMayGo ? await snapshotAtCommit(root, commit) : base };
}

/** `gitops diff` against a commit: reads only what differs and reports it. */
export async function reportAgainstCommit(root: string, ref: { ref: string; commit: string }): Promise<DiffReport> {
  const sides = await readDiffSides(root, ref.commit);
  return buildReport(sides.base, sides.head, ref, [], sides);
}

function isCompared(file: string): boolean {
  return isRenderedFile(file) || clusterInputPath.test(file);
}

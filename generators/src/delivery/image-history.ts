import { parse } from 'yaml';
import { logOf, readPathAtCommits } from '../diff/git.js';
import { mergeServiceOverride } from '../inputs/merge.js';
import { resolveRepository } from '../inputs/services.js';
import type { ResolvedImage } from './image-update.js';

/**
 * The images a service ran in one cluster, read from Git: every commit that touched
 * `apps/<service>/service.yaml` or `apps/<service>/<cluster>.yaml`, each file read at that commit
 * and merged as the generators merge them (the override's tag and digest taken together). Used by
 * `gitops rollback`.
 */

/**
 * The commit-message trailer that records a promotion which passed verification. The promote
 * workflow writes it on the commit it opens a pull request with, only when `gitops verify` passed:
 * `Gitops-Verified: integration-tests on staging at <commit> (<run URL>)`.
 */
export const VERIFIED_TRAILER = 'Gitops-Verified';

/** One image a service ran in a cluster, and the commit that brought it. */
export interface ImageHistoryEntry {
  readonly image: ResolvedImage;
  /** The oldest commit of the run of consecutive commits with this image: the one that set it. */
  readonly commit: string;
  /** Author date of that commit, ISO 8601. */
  readonly date: string;
  readonly author: string;
  readonly subject: string;
  /** The `Gitops-Verified` trailer values of the commits of this run (empty: no verification recorded). */
  readonly verified: readonly string[];
}

/** The override and base files whose history is the image history of `service` in `cluster`. */
export function historyFiles(service: string, cluster: string): { base: string; override: string } {
  return { base: `apps/${service}/service.yaml`, override: `apps/${service}/${cluster}.yaml` };
}

/**
 * The images of `service` in `cluster` along `ref`'s history, newest first. Consecutive commits
 * with the same image are one entry (a replicas change is not a new image); a commit where the
 * service had no valid image (not yet created, unparsable YAML) ends a run and is left out.
 */
export async function imageHistory(root: string, ref: string, cluster: { name: string; registry: string }, service: string): Promise<ImageHistoryEntry[]> {
  const files = historyFiles(service, cluster.name);
  const log = await logOf(root, ref, [files.base, files.override], VERIFIED_TRAILER);
  const commits = log.map((entry) => entry.commit);
  const [bases, overrides] = await Promise.all([readPathAtCommits(root, commits, files.base), readPathAtCommits(root, commits, files.override)]);
  const entries: ImageHistoryEntry[] = [];
  let previous: ResolvedImage | undefined;
  for (let i = 0; i < log.length; i++) {
    const image = imageOf(cluster.registry, bases[i], overrides[i]);
    const commit = log[i]!;
    const last = entries.at(-1);
    if (image && previous && last && sameImage(image, previous)) {
      // The same run, one commit older: the run starts here (its verification records add up).
      entries[entries.length - 1] = { ...last, commit: commit.commit, date: commit.date, author: commit.author, subject: commit.subject, verified: [...last.verified, ...commit.trailers] };
    } else if (image) {
      entries.push({ image, commit: commit.commit, date: commit.date, author: commit.author, subject: commit.subject, verified: commit.trailers });
    }
    previous = image;
  }
  return entries;
}

/** The image two file texts give a service (`image` of the base, overridden as the generators merge it); undefined when there is none. */
export function imageOf(registry: string, baseText: string | undefined, overrideText: string | undefined): ResolvedImage | undefined {
  const base = parseImageBlock(baseText);
  if (baseText === undefined || base === null) return undefined;
  const override = parseImageBlock(overrideText);
  const merged = mergeServiceOverride({ image: base ?? {} }, override ? { image: override } : undefined) as { image: Record<string, unknown> };
  const { repository, tag, digest } = merged.image;
  if (typeof repository !== 'string' || (typeof tag !== 'string' && typeof digest !== 'string')) return undefined;
  return {
    repository: resolveRepository(registry, repository),
    ...(typeof tag === 'string' ? { tag } : {}),
    ...(typeof digest === 'string' ? { digest } : {}),
  };
}

/** The `image` map of a YAML text: undefined without one, null when the text does not parse. */
function parseImageBlock(text: string | undefined): Record<string, unknown> | undefined | null {
  if (text === undefined) return undefined;
  try {
    const data = parse(text) as unknown;
    const image = typeof data === 'object' && data !== null ? (data as Record<string, unknown>)['image'] : undefined;
    return typeof image === 'object' && image !== null && !Array.isArray(image) ? (image as Record<string, unknown>) : undefined;
  } catch {
    return null;
  }
}

/** Same repository, tag and digest. */
export function sameImage(a: ResolvedImage, b: ResolvedImage): boolean {
  return a.repository === b.repository && a.tag === b.tag && a.digest === b.digest;
}

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { isProduction } from '../inputs/production.js';
import { listFiles } from '../render/list-files.js';
import { readFilesAtCommit } from './git.js';

/**
 * One side of a diff: every object of every cluster's rendered tree, as read from a Git commit
 * (the base) or from the working tree (the head). Nothing is re-rendered.
 */
export interface Snapshot {
  /** Cluster name → what the cluster input says about it. */
  readonly clusters: ReadonlyMap<string, ClusterFacts>;
  readonly resources: readonly Resource[];
}

export interface ClusterFacts {
  readonly name: string;
  readonly production: boolean;
}

/** One Kubernetes object of a rendered tree (or a whole non-YAML file, kind `File`). */
export interface Resource {
  readonly cluster: string;
  /** `apps/<service>` → the service; any other top-level folder (`platform`, `infra`, `argocd`) → its name. */
  readonly app: string;
  /** Repository-relative path of the file holding it. */
  readonly file: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** The parsed object; for a `File`, `{ text }`. */
  readonly object: Record<string, unknown>;
}

/** The identity of an object in a cluster: cluster, apiVersion, kind, namespace, name. */
export function resourceKey(resource: Pick<Resource, 'cluster' | 'apiVersion' | 'kind' | 'namespace' | 'name'>): string {
  return [resource.cluster, resource.apiVersion, resource.kind, resource.namespace, resource.name].join('\u0000');
}

/** API group of an apiVersion (`apps/v1` → `apps`, `v1` → `` for the core group). */
export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** `Kind namespace/name` or `Kind name`, for messages. */
export function describe(resource: Pick<Resource, 'kind' | 'namespace' | 'name'>): string {
  return resource.namespace ? `${resource.kind} ${resource.namespace}/${resource.name}` : `${resource.kind} ${resource.name}`;
}

/** `clusters/<cluster>/rendered/<path>`. */
const renderedPath = /^clusters\/([^/]+)\/rendered\/(.+)$/;
/** `clusters/<cluster>/cluster.yaml`. */
export const clusterInputPath = /^clusters\/([^/]+)\/cluster\.yaml$/;

/** A file of a rendered tree, outside any scratch folder of a render. */
export function isRenderedFile(file: string): boolean {
  return renderedPath.test(file) && !file.split('/').some((part) => part.startsWith('.rendered.'));
}

/** Reads the whole snapshot of a commit from Git (`git ls-tree` + `git cat-file`, no checkout). */
export async function snapshotAtCommit(root: string, commit: string): Promise<Snapshot> {
  const files = await readFilesAtCommit(root, commit, ['clusters'], (file) => isRenderedFile(file) || clusterInputPath.test(file));
  return buildSnapshot(files);
}

/** Reads the whole snapshot of the working tree (what `readDiffSides` reads a part of). */
export async function snapshotOfWorkingTree(root: string): Promise<Snapshot> {
  const files: { path: string; content: string }[] = [];
  for (const file of await listFiles(path.join(root, 'clusters'))) {
    const relative = `clusters/${file}`;
    if (!isRenderedFile(relative) && !clusterInputPath.test(relative)) continue;
    files.push({ path: relative, content: await readFile(path.join(root, relative), 'utf8') });
  }
  return buildSnapshot(files);
}

/** Builds a snapshot from file contents (exported for tests). */
export function buildSnapshot(files: readonly { path: string; content: string }[]): Snapshot {
  const clusters = new Map<string, ClusterFacts>();
  const resources: Resource[] = [];
  const clusterNames = new Set<string>();
  for (const file of files) {
    const input = clusterInputPath.exec(file.path);
    if (input) {
      clusters.set(input[1]!, { name: input[1]!, production: productionOf(file.content) });
      continue;
    }
    const match = renderedPath.exec(file.path);
    if (!match) continue;
    const cluster = match[1]!;
    clusterNames.add(cluster);
    resources.push(...parseRenderedFile(cluster, file.path, match[2]!, file.content));
  }
  for (const name of clusterNames) if (!clusters.has(name)) clusters.set(name, { name, production: false });
  return { clusters, resources };
}

function productionOf(content: string): boolean {
  try {
    const data = parse(content) as Record<string, unknown> | null;
    return data && typeof data === 'object' ? isProduction(data) : false;
  } catch {
    return false;
  }
}

function appOf(relative: string): string {
  const parts = relative.split('/');
  if (parts.length > 2 && parts[0] === 'apps') return parts[1]!;
  return parts.length > 1 ? parts[0]! : '(root)';
}

/**
 * The objects of one rendered file. A file that is not YAML, or not Kubernetes objects, becomes
 * one `File` resource keyed by its path, so it is still compared (bootstrap user data, READMEs).
 */
export function parseRenderedFile(cluster: string, file: string, relative: string, content: string): Resource[] {
  const app = appOf(relative);
  const asFile = (): Resource[] => [{ cluster, app, file, apiVersion: '', kind: 'File', namespace: '', name: relative, object: { text: content } }];
  if (!/\.ya?ml$/.test(file)) return asFile();
  let objects: unknown[];
  try {
    const docs = parseAllDocuments(content, { uniqueKeys: false });
    if (!Array.isArray(docs) || docs.some((doc) => doc.errors.length > 0)) return asFile();
    objects = docs.map((doc) => doc.toJS({ maxAliasCount: -1 }) as unknown).filter((value) => value !== null && value !== undefined);
  } catch {
    return asFile();
  }
  const resources: Resource[] = [];
  for (const value of objects) {
    const object = value as Record<string, unknown>;
    const metadata = (object?.['metadata'] ?? {}) as Record<string, unknown>;
    if (typeof object !== 'object' || typeof object['kind'] !== 'string' || typeof metadata['name'] !== 'string') return asFile();
    resources.push({
      cluster,
      app,
      file,
      apiVersion: typeof object['apiVersion'] === 'string' ? object['apiVersion'] : '',
      kind: object['kind'],
      namespace: typeof metadata['namespace'] === 'string' ? metadata['namespace'] : '',
      name: metadata['name'],
      object,
    });
  }
  return resources;
}

import { createHash } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../write-file-atomic.js';
import type { ChartEntry } from './chart-cache.js';
import { emptyTreeRecord, parentOf, recordedHash, type FileRecord, type TreeRecord } from './tree-state.js';

/**
 * The render cache, `.cache/render/` (git-ignored; it holds its own `.gitignore` too):
 *
 * - `index.json`: per cluster, the key of every chart of the last render with the files it
 *   rendered (path and Git blob id), and the record (blob id and stat of every file and folder)
 *   of the rendered tree and of the spare tree;
 * - `spare/<cluster>/`: the cluster's previous rendered tree, swapped out by the last render
 *   (hard links, so unchanged files take no space). The next render brings it up to date, changing
 *   only the files that differ, and swaps it in: one small change costs a few file operations,
 *   not one per file of the tree.
 *
 * Everything in it is checked before use (the index carries its own checksum; every file and
 * folder is checked against its recorded stat), so a missing, stale or corrupt cache only costs
 * time. `rm -rf .cache/render` clears it.
 */
export const renderCacheDir = (root: string) => path.join(root, '.cache', 'render');

/** Where a cluster's spare tree waits between renders. */
export const spareDir = (root: string, cluster: string) => path.join(renderCacheDir(root), 'spare', cluster);

export interface ClusterCache {
  readonly live: TreeRecord;
  readonly spare: TreeRecord;
  readonly charts: ReadonlyMap<string, ChartEntry>;
}

export interface RenderIndex {
  readonly clusters: ReadonlyMap<string, ClusterCache>;
  /** When the index was written (mtime, ms): anything changed since is not trusted by its stat. */
  readonly writtenAt: number;
}

const version = 'gitops render cache v3';
const emptyCluster: ClusterCache = { live: emptyTreeRecord, spare: emptyTreeRecord, charts: new Map() };

/** The cache of one cluster, empty when unknown. */
export function clusterCache(index: RenderIndex, cluster: string): ClusterCache {
  return index.clusters.get(cluster) ?? emptyCluster;
}

/**
 * How a cluster is stored: the live tree's record; the spare's as its differences from the live
 * one (`0`: not in the spare; most files are the same inode in both); each chart's files as its
 * folder and their names (their blob ids are the live record's: the last render wrote them).
 */
interface StoredCluster {
  readonly live: TreeRecord;
  readonly spare: { readonly files: Record<string, FileRecord | 0>; readonly dirs: TreeRecord['dirs'] };
  readonly charts: Record<string, readonly string[]>;
}

/** Reads the index; a missing, unreadable, corrupt or other-version index is an empty one. */
export async function readRenderIndex(root: string): Promise<RenderIndex> {
  const file = path.join(renderCacheDir(root), 'index.json');
  const empty: RenderIndex = { clusters: new Map(), writtenAt: 0 };
  try {
    const [text, stats] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    const newline = text.lastIndexOf('\n');
    const body = text.slice(0, newline);
    if (newline < 0 || text.slice(newline + 1) !== checksum(body)) return empty;
    const stored = JSON.parse(body) as { version?: unknown; clusters?: Record<string, StoredCluster> };
    if (stored.version !== version || !stored.clusters) return empty;
    const clusters = new Map<string, ClusterCache>();
    for (const [name, cluster] of Object.entries(stored.clusters)) clusters.set(name, decode(cluster));
    return { clusters, writtenAt: stats.mtimeMs };
  } catch {
    return empty;
  }
}

/** Writes the index (temp file + rename), with the checksum that lets the next run detect corruption. */
export async function writeRenderIndex(root: string, clusters: ReadonlyMap<string, ClusterCache>): Promise<void> {
  const dir = renderCacheDir(root);
  const stored: Record<string, StoredCluster> = {};
  for (const [name, cluster] of clusters) stored[name] = encode(cluster);
  const body = JSON.stringify({ version, clusters: stored });
  await writeFileAtomic(path.join(dir, 'index.json'), `${body}\n${checksum(body)}`);
  // Ignored by Git even in a checkout whose .gitignore does not list .cache/.
  await writeFile(path.join(dir, '.gitignore'), '*\n');
}

function encode({ live, spare, charts }: ClusterCache): StoredCluster {
  const spareFiles: Record<string, FileRecord | 0> = {};
  for (const [file, record] of Object.entries(spare.files)) {
    if (!Object.hasOwn(live.files, file) || live.files[file] !== record) spareFiles[file] = record;
  }
  for (const file of Object.keys(live.files)) if (!Object.hasOwn(spare.files, file)) spareFiles[file] = 0;
  const storedCharts: Record<string, readonly string[]> = {};
  // A chart's files are what the live tree holds after the render: their blob ids are read back from it.
  for (const [key, entry] of charts) {
    const folder = entry.length ? parentOf(entry[0]![0]) : '';
    storedCharts[key] = entry.every(([file]) => parentOf(file) === folder)
      ? [folder, ...entry.map(([file]) => file.slice(folder.length + 1))]
      : ['', ...entry.map(([file]) => file)];
  }
  return { live, spare: { files: spareFiles, dirs: spare.dirs }, charts: storedCharts };
}

function decode({ live, spare, charts }: StoredCluster): ClusterCache {
  const spareFiles: Record<string, FileRecord> = {};
  for (const [file, record] of Object.entries(live.files)) if (!Object.hasOwn(spare.files, file)) spareFiles[file] = record;
  for (const [file, record] of Object.entries(spare.files)) if (record !== 0) spareFiles[file] = record;
  const entries = new Map<string, ChartEntry>();
  for (const [key, [folder, ...names]] of Object.entries(charts)) {
    const files = names.map((name) => (folder ? `${folder}/${name}` : name));
    if (files.every((file) => Object.hasOwn(live.files, file))) entries.set(key, files.map((file) => [file, recordedHash(live.files[file]!)] as const));
  }
  return { live, spare: { files: spareFiles, dirs: spare.dirs }, charts: entries };
}

function checksum(body: string): string {
  return createHash('sha1').update(body).digest('hex');
}

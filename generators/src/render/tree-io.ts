import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { link, mkdir, readdir, readFile, rename, rm, rmdir, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { swapRenderedTrees, type SwapOptions } from '../checkout-lock.js';
import { ExitCode, ExitWith, ToolError } from '../errors.js';
import { blobId } from './blob-id.js';
import { CachedCharts } from './chart-cache.js';
import { generatorCodeKey } from './code-key.js';
import { clusterCache, readRenderIndex, spareDir, writeRenderIndex, type ClusterCache } from './render-cache.js';
import type { TreeFile } from './rendered-file.js';
import type { ClusterRender } from './render-platform.js';
import { TaskPool } from './task-pool.js';
import { dirRecord, emptyTreeRecord, fileRecord, parentOf, TreeState, type DirRecord, type FileRecord, type TreeRecord } from './tree-state.js';

/** Folder of a cluster's rendered tree. */
export function renderedDir(root: string, cluster: string): string {
  return path.join(root, 'clusters', cluster, 'rendered');
}

export { listFiles } from './list-files.js';

/** How the tree on disk differs from a render, as repository-relative paths. */
export interface Drift {
  readonly added: string[];
  readonly changed: string[];
  readonly removed: string[];
}

/**
 * Compares a render with what is on disk, without writing anything. Charts the render cache
 * knows are not synthesized again, and files whose recorded stat still holds are not read.
 */
export async function compareTree(root: string, renders: readonly ClusterRender[]): Promise<Drift & { files: number; synthesized: number }> {
  const drift = { added: [] as string[], changed: [] as string[], removed: [] as string[], files: 0, synthesized: 0 };
  const index = await readRenderIndex(root);
  for (const { cluster, files } of renders) {
    const cache = clusterCache(index, cluster);
    const live = TreeState.scan(renderedDir(root, cluster), cache.live, index.writtenAt);
    const charts = new CachedCharts(generatorCodeKey(), cache.charts, (file, hash) => live.has(file) && live.hashOf(file) === hash);
    const prefix = `clusters/${cluster}/rendered/`;
    const produced = new Set<string>();
    const pool = new TaskPool();
    for (const file of files(charts)) {
      drift.files++;
      produced.add(file.path);
      if (!live.has(file.path)) {
        drift.added.push(prefix + file.path);
        continue;
      }
      const hash = hashOf(file);
      const known = live.knownHash(file.path);
      if (known !== undefined) {
        if (known !== hash) drift.changed.push(prefix + file.path);
      } else {
        await pool.add(async () => {
          if (blobId(await readFile(path.join(live.dir, file.path))) !== hash) drift.changed.push(prefix + file.path);
        });
      }
    }
    await pool.drain();
    drift.synthesized += charts.synthesized;
    for (const file of live.paths()) if (!produced.has(file)) drift.removed.push(prefix + file);
  }
  drift.added.sort();
  drift.changed.sort();
  drift.removed.sort();
  return drift;
}

/** Counts of what a write did. */
export interface WriteResult {
  readonly files: number;
  readonly written: number;
  readonly unchanged: number;
  readonly removed: number;
  /** Charts synthesized, and charts served from the render cache. */
  readonly synthesized: number;
  readonly cached: number;
}

export interface WriteOptions extends SwapOptions {
  /** Told every synthesized file (cluster, path in its tree, Git blob id, text) as it passes; files reused from the render cache are not told. */
  readonly onSynthesized?: (cluster: string, file: string, hash: string, content: string) => void;
}

interface Staged {
  readonly cluster: string;
  readonly tmp: string;
  /** The record of the new tree, and of the old one (which becomes the spare). */
  readonly cache: ClusterCache;
  readonly hadTree: boolean;
}

/**
 * Replaces each cluster's `rendered/` folder with its render, as one swap per cluster: every new
 * folder is first built complete beside the old one, and only when all are complete is each
 * swapped in with two renames. A run that fails or is killed before the swap leaves the old trees
 * untouched; one killed between the two renames is repaired by the next run
 * (`recoverInterruptedSwaps`). The swaps wait until no command reads the trees, and commands that
 * come to read them meanwhile wait for the swaps (`swapRenderedTrees`): a reader sees every tree
 * wholly old or wholly new. The caller is the checkout's one writer (the CLI's checkout lock), so
 * no other run touches these folders meanwhile; a failure caused by another program changing them
 * is reported as such, with the old trees in place.
 *
 * The new tree is built from the cluster's spare tree (the tree before the last render, kept in
 * the render cache) by changing only the files that differ from it: files of the old tree are
 * hard-linked, others written. After the swap the old tree becomes the spare. Charts whose cache
 * key the previous render recorded, with files still on disk, are not synthesized again.
 */
export async function writeTree(root: string, renders: readonly ClusterRender[], options: WriteOptions = {}): Promise<WriteResult> {
  const token = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const index = await readRenderIndex(root);
  const staged: Staged[] = [];
  /** New trees being built, each with the spare folder it was claimed from (if it was). */
  const building = new Map<string, string | undefined>();
  const counts = { files: 0, written: 0, unchanged: 0, removed: 0, synthesized: 0, cached: 0 };
  const progress: SwapProgress = { cluster: undefined, swapped: [] };
  try {
    for (const { cluster, files } of renders) {
      progress.cluster = cluster;
      await recoverInterruptedSwaps(root, cluster);
      const dir = renderedDir(root, cluster);
      const tmp = path.join(root, 'clusters', cluster, `.rendered.tmp-${token}`);
      const cache = clusterCache(index, cluster);
      const live = TreeState.scan(dir, cache.live, index.writtenAt);
      const spareFolder = spareDir(root, cluster);
      let spare: TreeState;
      if (await rename(spareFolder, tmp).then(
        () => true,
        () => false,
      )) {
        building.set(tmp, spareFolder);
        spare = TreeState.scan(tmp, cache.spare, index.writtenAt, live);
      } else {
        building.set(tmp, undefined);
        await mkdir(tmp, { recursive: true });
        spare = TreeState.empty(tmp);
      }
      const holds = (tree: TreeState, file: string, hash: string) => tree.has(file) && tree.hashOf(file) === hash;
      const charts = new CachedCharts(generatorCodeKey(), cache.charts, (file, hash) => holds(spare, file, hash) || holds(live, file, hash));
      const built = await buildTree(observed(files(charts), cluster, options.onSynthesized), live, spare, counts);
      counts.synthesized += charts.synthesized;
      counts.cached += charts.reused;
      staged.push({ cluster, tmp, hadTree: live.isDir(''), cache: { live: built, spare: live.toRecord(), charts: charts.entries } });
    }
    progress.cluster = undefined;
    await swapRenderedTrees(root, () => swapIn(root, staged, token, building, progress), options);
  } catch (error) {
    // Give each claimed spare back (whatever this run changed in it is checked on its next use).
    await Promise.all([...building].map(([tmp, spare]) => giveBack(tmp, spare)));
    throw explainWriteError(error, progress, options.signal);
  }
  const caches = new Map<string, ClusterCache>();
  for (const { cluster, hadTree, cache } of staged) {
    // No old tree to keep (a first render): the new one, hard-linked, is the spare the next render
    // builds from. Without it, the next render would link every file into a new tree itself.
    caches.set(cluster, hadTree ? cache : { ...cache, spare: await linkSpare(renderedDir(root, cluster), spareDir(root, cluster), cache.live) });
  }
  // The trees are in place: a cache that cannot be written only makes the next run slower.
  await writeRenderIndex(root, caches).catch(() => undefined);
  return counts;
}

/** Which cluster a write was at, and which trees it had swapped in, for its error message. */
interface SwapProgress {
  cluster: string | undefined;
  readonly swapped: string[];
}

/**
 * Swaps each new tree in: the old `rendered/` is renamed aside, the new one renamed in, and the old
 * one kept as the spare. When the second rename fails the old tree is renamed back.
 */
async function swapIn(root: string, staged: readonly Staged[], token: string, building: Map<string, string | undefined>, progress: SwapProgress): Promise<void> {
  for (const { cluster, tmp, hadTree } of staged) {
    progress.cluster = cluster;
    const dir = renderedDir(root, cluster);
    const previous = path.join(root, 'clusters', cluster, `.rendered.old-${token}`);
    const moved = hadTree && (await rename(dir, previous).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        // Removed since this run scanned it: there is nothing to set aside.
        if (error.code === 'ENOENT') return false;
        throw error;
      },
    ));
    try {
      await rename(tmp, dir);
    } catch (error) {
      if (moved) await rename(previous, dir).catch(() => undefined);
      throw error;
    }
    building.delete(tmp);
    progress.swapped.push(cluster);
    if (moved) await keepAsSpare(previous, spareDir(root, cluster));
  }
  progress.cluster = undefined;
}

/**
 * A file-system error of a write as a message that says where it happened and what was left: the
 * run holds the checkout lock, so such an error means another program changed the folder (or the
 * disk is full, or permissions changed), never a race between two runs.
 */
function explainWriteError(error: unknown, progress: SwapProgress, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) {
    return new ExitWith(ExitCode.interrupted, `interrupted before the new trees were swapped in; ${progress.swapped.length ? `swapped in already: ${progress.swapped.join(', ')}` : 'nothing was written'}`);
  }
  const errno = error as NodeJS.ErrnoException;
  if (!(error instanceof Error) || typeof errno.code !== 'string' || typeof errno.syscall !== 'string') return error;
  const where = progress.cluster ? `clusters/${progress.cluster}/rendered` : 'the rendered trees';
  const left = progress.swapped.length
    ? `the trees of ${progress.swapped.join(', ')} were swapped in already; the others are as they were`
    : 'this run swapped in none of its trees';
  return new ToolError(
    `render could not write ${where}: ${error.message}; ${left}`,
    ['ENOENT', 'EEXIST', 'ENOTEMPTY', 'ENOTDIR', 'EISDIR'].includes(errno.code)
      ? `another program changed clusters/${progress.cluster ?? '<cluster>'}/ while render ran (an editor, a git checkout, an older gitops without the checkout lock): run \`gitops render\` again`
      : 'check the disk space and permissions of the checkout, then run `gitops render` again',
  );
}

/**
 * Makes `spare` a copy of the tree at `tree` (whose record is `record`) by hard links, and returns
 * the spare's record: its files are the tree's inodes (the same records), its folders new ones.
 * When it cannot be made (a spare is there already, the cache folder cannot be written), there is
 * no spare: the empty record, and whatever was made of it removed.
 */
async function linkSpare(tree: string, spare: string, record: TreeRecord): Promise<TreeRecord> {
  try {
    await mkdir(path.dirname(spare), { recursive: true });
    await mkdir(spare);
  } catch {
    return emptyTreeRecord;
  }
  try {
    const folders = Object.keys(record.dirs).sort();
    // Parents before children: every folder is made by one plain mkdir.
    for (const folder of folders) if (folder) await mkdir(`${spare}/${folder}`);
    const pool = new TaskPool();
    for (const file of Object.keys(record.files)) await pool.add(() => link(`${tree}/${file}`, `${spare}/${file}`));
    await pool.drain();
    const dirs: Record<string, DirRecord> = {};
    for (const folder of folders) dirs[folder] = dirRecord(statSync(folder ? `${spare}/${folder}` : spare));
    return { files: record.files, dirs };
  } catch {
    await rm(spare, { recursive: true, force: true });
    return emptyTreeRecord;
  }
}

function* observed(files: Iterable<TreeFile>, cluster: string, observer: WriteOptions['onSynthesized']): Iterable<TreeFile> {
  for (const file of files) {
    if (observer && file.content !== undefined) observer(cluster, file.path, hashOf(file), file.content);
    yield file;
  }
}

function hashOf(file: TreeFile): string {
  return file.content === undefined ? file.hash : (file.hash ?? blobId(file.content));
}

/**
 * Brings the tree at `spare.dir` to exactly `files`: a file the spare already holds stays, one the
 * live tree holds is hard-linked from it, any other is written; what the render no longer
 * produces goes. Never writes into an existing file (spare and live trees share inodes).
 * Returns the record of the new tree.
 */
async function buildTree(
  files: Iterable<TreeFile>,
  live: TreeState,
  spare: TreeState,
  counts: { files: number; written: number; unchanged: number; removed: number },
): Promise<TreeRecord> {
  const tmp = spare.dir;
  const records = new Map<string, FileRecord>();
  const written = new Map<string, string>();
  const folders = new Set<string>(['']);
  const made = new Map<string, Promise<unknown>>();
  /** Files of the spare removed because this render needs a folder at their path. */
  const displaced = new Set<string>();
  const ready = (folder: string): Promise<unknown> => {
    let promise = made.get(folder);
    if (!promise) {
      promise = spare.isDir(folder)
        ? Promise.resolve()
        : (async () => {
            // A file of the spare where this render needs a folder goes first.
            for (let at = folder; at; at = parentOf(at)) {
              if (!spare.has(at)) continue;
              displaced.add(at);
              await rm(path.join(tmp, at), { force: true });
            }
            await mkdir(path.join(tmp, folder), { recursive: true });
          })();
      made.set(folder, promise);
    }
    return promise;
  };
  const pool = new TaskPool();
  for (const file of files) {
    counts.files++;
    const relative = file.path;
    for (let folder = parentOf(relative); !folders.has(folder); folder = parentOf(folder)) folders.add(folder);
    const hash = hashOf(file);
    const inLive = live.has(relative);
    const liveHash = live.knownHash(relative);
    const spareHolds = spare.knownHash(relative) === hash;
    if (spareHolds && (!inLive || liveHash !== undefined)) {
      if (inLive && liveHash === hash) counts.unchanged++;
      else counts.written++;
      records.set(relative, spare.recordOf(relative)!);
      continue;
    }
    await pool.add(async () => {
      let same = false;
      if (inLive) {
        same = (liveHash ?? blobId(await readFile(path.join(live.dir, relative)))) === hash;
        if (liveHash === undefined && same) live.learn(relative, hash);
      }
      if (same) counts.unchanged++;
      else counts.written++;
      if (spareHolds) {
        records.set(relative, spare.recordOf(relative)!);
        return;
      }
      const target = path.join(tmp, relative);
      if (spare.isDir(relative)) await rm(target, { recursive: true, force: true });
      await ready(parentOf(relative));
      if (spare.has(relative)) await unlink(target).catch(ignoreMissing);
      if (same) {
        await link(path.join(live.dir, relative), target);
        records.set(relative, live.recordOf(relative)!);
      } else {
        if (file.content === undefined) throw new Error(`render cache: ${relative} is in neither tree; run again (or rm -rf .cache/render)`);
        await writeFile(target, file.content);
        written.set(relative, hash);
      }
    });
  }
  await pool.drain();
  // The stat of each written file, in one synchronous pass (the new tree is private until swapped).
  for (const [relative, hash] of written) records.set(relative, fileRecord(hash, statSync(`${tmp}/${relative}`)));
  for (const file of live.paths()) if (!records.has(file)) counts.removed++;
  // What the spare holds that this render does not: its files, then the folders they leave empty.
  const emptied = new Set<string>();
  for (const file of spare.paths()) {
    if (records.has(file) || displaced.has(file)) continue;
    await pool.add(() => unlink(path.join(tmp, file)).catch(ignoreMissing));
    for (let folder = parentOf(file); folder && !folders.has(folder) && !emptied.has(folder); folder = parentOf(folder)) emptied.add(folder);
  }
  await pool.drain();
  for (const folder of [...emptied].sort((a, b) => b.length - a.length)) await rmdir(path.join(tmp, folder)).catch(() => undefined);
  const dirs: Record<string, DirRecord> = {};
  for (const folder of folders) dirs[folder] = dirRecord(statSync(folder ? `${tmp}/${folder}` : tmp));
  return { files: Object.fromEntries(records), dirs };
}

/** A file already gone, or under a folder of the spare that a file of this render replaced. */
function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT' && error.code !== 'ENOTDIR') throw error;
}

/**
 * After the swap the old tree becomes the spare; when that cannot be (another run kept one, the
 * cache folder cannot be written, another file system), it is removed.
 */
async function keepAsSpare(tree: string, spare: string): Promise<void> {
  try {
    await mkdir(path.dirname(spare), { recursive: true });
    await rename(tree, spare);
  } catch {
    await rm(tree, { recursive: true, force: true });
  }
}

/** Puts an unfinished tree back as the spare (or removes it). */
async function giveBack(tmp: string, spare: string | undefined): Promise<void> {
  if (spare && (await rename(tmp, spare).then(() => true, () => false))) return;
  await rm(tmp, { recursive: true, force: true });
}

/**
 * Restores a `rendered/` folder left behind by a run killed mid-swap. Other leftovers of a killed
 * run (a half-built `.rendered.tmp-*`, an old tree after the swap) become the spare tree when
 * there is none (they are checked file by file on use), or are removed.
 */
export async function recoverInterruptedSwaps(root: string, cluster: string): Promise<void> {
  const clusterDir = path.join(root, 'clusters', cluster);
  const entries = await readdir(clusterDir).catch(() => [] as string[]);
  const hasRendered = entries.includes('rendered');
  for (const entry of entries.sort()) {
    if (entry.startsWith('.rendered.old-') && !hasRendered) {
      await rename(path.join(clusterDir, entry), path.join(clusterDir, 'rendered'));
      return recoverInterruptedSwaps(root, cluster);
    }
    if (entry.startsWith('.rendered.tmp-') || entry.startsWith('.rendered.old-')) {
      await mkdir(path.dirname(spareDir(root, cluster)), { recursive: true });
      await giveBack(path.join(clusterDir, entry), spareDir(root, cluster));
    }
  }
}

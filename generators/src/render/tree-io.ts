import { randomBytes } from 'node:crypto';
import { link, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RenderedFile } from './rendered-file.js';
import type { ClusterRender } from './render-platform.js';
import { TaskPool } from './task-pool.js';

/** Folder of a cluster's rendered tree. */
export function renderedDir(root: string, cluster: string): string {
  return path.join(root, 'clusters', cluster, 'rendered');
}

/** Every file under a folder, as sorted forward-slash relative paths (empty when it does not exist). */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

/** How the tree on disk differs from a render, as repository-relative paths. */
export interface Drift {
  readonly added: string[];
  readonly changed: string[];
  readonly removed: string[];
}

/** Compares a render with what is on disk, without writing anything. */
export async function compareTree(root: string, renders: readonly ClusterRender[]): Promise<Drift & { files: number }> {
  const drift = { added: [] as string[], changed: [] as string[], removed: [] as string[], files: 0 };
  for (const { cluster, files } of renders) {
    const dir = renderedDir(root, cluster);
    const onDisk = new Set(await listFiles(dir));
    const prefix = `clusters/${cluster}/rendered/`;
    const pool = new TaskPool();
    for (const file of files()) {
      drift.files++;
      if (!onDisk.has(file.path)) drift.added.push(prefix + file.path);
      else {
        onDisk.delete(file.path);
        await pool.add(async () => {
          if ((await readFile(path.join(dir, file.path), 'utf8')) !== file.content) drift.changed.push(prefix + file.path);
        });
      }
    }
    await pool.drain();
    drift.removed.push(...[...onDisk].map((stale) => prefix + stale));
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
}

/**
 * Replaces each cluster's `rendered/` folder with its render, as one swap per cluster:
 * every new folder is first built complete beside the old one (files streamed to disk chart by
 * chart; unchanged ones hard-linked, changed ones written), and only when all are complete is
 * each swapped in with two renames. A run that fails or is killed before the swap leaves the old
 * trees untouched; one killed between the two renames is repaired by the next run
 * (`recoverInterruptedSwaps`).
 */
export async function writeTree(root: string, renders: readonly ClusterRender[]): Promise<WriteResult> {
  const token = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const staged: { cluster: string; tmp: string }[] = [];
  const counts = { files: 0, written: 0, unchanged: 0, removed: 0 };
  try {
    for (const { cluster, files } of renders) {
      await recoverInterruptedSwaps(root, cluster);
      const dir = renderedDir(root, cluster);
      const tmp = path.join(root, 'clusters', cluster, `.rendered.tmp-${token}`);
      staged.push({ cluster, tmp });
      await mkdir(tmp, { recursive: true });
      const old = new Set(await listFiles(dir));
      const folders = new Map<string, Promise<unknown>>();
      const pool = new TaskPool();
      for (const file of files()) {
        counts.files++;
        const target = path.join(tmp, file.path);
        const folder = path.dirname(target);
        if (!folders.has(folder)) folders.set(folder, mkdir(folder, { recursive: true }));
        const folderReady = folders.get(folder)!;
        const hadIt = old.delete(file.path);
        await pool.add(async () => {
          await folderReady;
          if (hadIt && (await readFile(path.join(dir, file.path), 'utf8')) === file.content) {
            await link(path.join(dir, file.path), target);
            counts.unchanged++;
          } else {
            await writeFile(target, file.content);
            counts.written++;
          }
        });
      }
      await pool.drain();
      counts.removed += old.size;
    }
  } catch (error) {
    await Promise.all(staged.map(({ tmp }) => rm(tmp, { recursive: true, force: true })));
    throw error;
  }
  for (const { cluster, tmp } of staged) {
    const dir = renderedDir(root, cluster);
    const previous = path.join(root, 'clusters', cluster, `.rendered.old-${token}`);
    const exists = await stat(dir).then(
      () => true,
      () => false,
    );
    if (exists) await rename(dir, previous);
    await rename(tmp, dir);
    if (exists) await rm(previous, { recursive: true, force: true });
  }
  return counts;
}

/** Restores a `rendered/` folder left behind by a run killed mid-swap, and clears stale temporary folders. */
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
      await rm(path.join(clusterDir, entry), { recursive: true, force: true });
    }
  }
}


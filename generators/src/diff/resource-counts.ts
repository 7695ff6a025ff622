import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../write-file-atomic.js';
import { listTree, readBlobs } from './git.js';
import { dropResourceCountLog, plainResourceCount, readResourceCountLog } from './resource-count-log.js';
import { isRenderedFile, parseRenderedFile } from './snapshot.js';

/**
 * How many resources the rendered trees of a commit hold (`clusters/*\/rendered/`), for the
 * "N unchanged" count, without reading them: kept by the id of the commit's `clusters` tree, and
 * each YAML blob's count by its blob id, in `.cache/diff/resource-counts.json` (git-ignored;
 * keyed by content, so never stale; missing or corrupt, it only costs one `git ls-tree` and one
 * `git cat-file --batch` of the blobs it lacks). The counts `render` logged for the files it
 * wrote (`resource-count-log.ts`) are merged in first, so the first diff after a render reads none.
 */
export async function countRenderedResources(root: string, commit: string, tree: string): Promise<number> {
  const cacheFile = path.join(root, '.cache', 'diff', 'resource-counts.json');
  const cache = await readCache(cacheFile);
  const known = cache.trees[tree];
  if (known !== undefined) return known;
  const logged = await readResourceCountLog(root);
  for (const [blob, count] of logged.counts) cache.blobs[blob] ??= count;
  const entries = (await listTree(root, commit, ['clusters'])).filter((entry) => isRenderedFile(entry.path));
  const yaml = entries.filter((entry) => isYaml(entry.path));
  const missing = yaml.filter((entry) => cache.blobs[entry.object] === undefined);
  const read = await readBlobs(root, missing);
  read.forEach((file, i) => (cache.blobs[missing[i]!.object] = resourceCount(file.path, file.content)));
  let total = entries.length - yaml.length;
  for (const entry of yaml) total += cache.blobs[entry.object]!;
  // Keep the blobs of this tree, those renders logged since (the next base's, most likely) and the totals of the last trees seen.
  const blobs: Record<string, number> = {};
  for (const entry of yaml) blobs[entry.object] = cache.blobs[entry.object]!;
  for (const [blob, count] of logged.counts) blobs[blob] ??= count;
  const trees = Object.fromEntries([...Object.entries(cache.trees).slice(-15), [tree, total]]);
  await writeFileAtomic(cacheFile, JSON.stringify({ version, trees, blobs }));
  await writeFile(path.join(path.dirname(cacheFile), '.gitignore'), '*\n');
  if (logged.size > 0) await dropResourceCountLog(root, logged.size);
  return total;
}

const version = 2;

interface Cache {
  trees: Record<string, number>;
  blobs: Record<string, number>;
}

async function readCache(file: string): Promise<Cache> {
  try {
    const stored = JSON.parse(await readFile(file, 'utf8')) as { version?: unknown; trees?: unknown; blobs?: unknown };
    if (stored.version === version && counts(stored.trees) && counts(stored.blobs)) return { trees: stored.trees, blobs: stored.blobs };
  } catch {
    // Missing or corrupt: counted again.
  }
  return { trees: {}, blobs: {} };
}

function counts(value: unknown): value is Record<string, number> {
  return typeof value === 'object' && value !== null && Object.values(value).every((count) => Number.isInteger(count) && (count as number) >= 0);
}

function isYaml(file: string): boolean {
  return /\.ya?ml$/.test(file);
}

/**
 * `parseRenderedFile(...).length`, without parsing the usual rendered file (one that is plainly
 * one resource: `plainResourceCount`).
 */
export function resourceCount(file: string, content: string): number {
  if (!isYaml(file)) return 1;
  return plainResourceCount(content) ?? parseRenderedFile('', file, file, content).length;
}

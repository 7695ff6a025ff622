import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { listFiles } from '../../src/render/tree-io.js';

/** Every file under `clusters/` of a repo with its content, for before/after comparisons. */
export async function snapshotClusters(root: string): Promise<Record<string, string>> {
  const dir = path.join(root, 'clusters');
  const files = await listFiles(dir);
  const snapshot: Record<string, string> = {};
  for (const file of files) snapshot[file] = await readFile(path.join(dir, file), 'utf8');
  return snapshot;
}

import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { withLock } from '../../tools/lock.js';

/** The git-ignored folder holding converted schemas: `<root>/.cache/schemas`. */
export function schemaCacheRoot(root: string): string {
  return path.join(root, '.cache', 'schemas');
}

/** Turns a module path and version into one safe folder-name segment. */
export function cacheKeyPart(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_');
}

const building = new Map<string, Promise<string>>();

/**
 * Returns `<root>/.cache/schemas/<key>/`, building it first when absent. `build` fills a scratch
 * folder next to it, which is then renamed into place: the folder either does not exist or is
 * complete, and concurrent runs (other processes too) are safe; the loser of a race discards its
 * scratch copy. The key must name every input version (and the converter version), since a
 * folder once built is never checked again.
 */
export function ensureCacheDir(root: string, key: string, build: (dir: string) => Promise<void>): Promise<string> {
  const target = path.join(schemaCacheRoot(root), key);
  let pending = building.get(target);
  if (!pending) {
    pending = buildOnce(target, build);
    building.set(target, pending);
    pending.catch(() => building.delete(target));
  }
  return pending;
}

async function buildOnce(target: string, build: (dir: string) => Promise<void>): Promise<string> {
  if (await isDirectory(target)) return target;
  const parent = path.dirname(target);
  await mkdir(parent, { recursive: true });
  // One build per machine at a time; whoever waited finds the folder in place.
  return withLock(path.join(parent, `.lock-${path.basename(target)}`), async () => {
    if (await isDirectory(target)) return target;
    const scratch = await mkdtemp(path.join(parent, `.tmp-${path.basename(target)}-`));
    try {
      await build(scratch);
      try {
        await rename(scratch, target);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // Another run (one that ignored the lock) renamed its copy first: theirs is complete.
        if ((code === 'ENOTEMPTY' || code === 'EEXIST') && (await isDirectory(target))) return target;
        throw error;
      }
      return target;
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
}

async function isDirectory(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch {
    return false;
  }
}

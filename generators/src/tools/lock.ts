import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Runs `fn` while holding a lock shared by every process of this machine: the folder `lockDir`,
 * created atomically with `mkdir` and holding the owner's pid. A lock whose owner is gone (killed
 * mid-install) is taken over. Used so that concurrent first runs (parallel test files, two
 * terminals) install a tool or convert a schema set once instead of each doing the same work;
 * correctness never depends on it (results are renamed into place atomically).
 */
export async function withLock<T>(lockDir: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  await mkdir(path.dirname(lockDir), { recursive: true });
  for (;;) {
    signal?.throwIfAborted();
    try {
      await mkdir(lockDir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    await removeIfAbandoned(lockDir);
    await sleep(500);
  }
  try {
    await writeFile(path.join(lockDir, 'pid'), String(process.pid));
    return await fn();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

/** Removes the lock when its owner process no longer exists (or never wrote its pid). */
async function removeIfAbandoned(lockDir: string): Promise<void> {
  const pid = Number(await readFile(path.join(lockDir, 'pid'), 'utf8').catch(() => ''));
  if (!Number.isInteger(pid) || pid <= 0) {
    // Just created, the owner writes its pid next; a minute without one means it died first.
    const created = await stat(lockDir).then((s) => s.mtimeMs, () => Date.now());
    if (Date.now() - created > 60_000) await rm(lockDir, { recursive: true, force: true });
    return;
  }
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') await rm(lockDir, { recursive: true, force: true });
  }
}

import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { withLock } from '../../src/tools/lock.js';

const scratch: string[] = [];
afterEach(async () => {
  await Promise.all(scratch.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempRoot(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gitops-cache-'));
  scratch.push(dir);
  return dir;
}

/** A fresh module instance: its in-process memo is empty, like another process's. */
async function freshCache(): Promise<typeof import('../../src/validate/schemas/cache.js')> {
  vi.resetModules();
  return import('../../src/validate/schemas/cache.js');
}

describe('schema cache', () => {
  it('Pass when concurrent runs ask for one cache folder: it is built once, complete, and shared', async () => {
    const root = await tempRoot();
    let builds = 0;
    const build = async (dir: string) => {
      builds += 1;
      await writeFile(path.join(dir, 'a.json'), '{}');
      await sleep(200);
      await writeFile(path.join(dir, 'b.json'), '{}');
    };
    const [first, second] = await Promise.all([
      (await freshCache()).ensureCacheDir(root, 'key-v1', build),
      (await freshCache()).ensureCacheDir(root, 'key-v1', build),
    ]);
    expect(first).toBe(path.join(root, '.cache', 'schemas', 'key-v1'));
    expect(second).toBe(first);
    expect(builds).toBe(1);
    expect((await readdir(first)).sort()).toEqual(['a.json', 'b.json']);
    // No scratch or lock folder is left behind.
    expect(await readdir(path.join(root, '.cache', 'schemas'))).toEqual(['key-v1']);
  });

  it('Fail when a build throws: nothing appears at the key, and the next run builds again', async () => {
    const root = await tempRoot();
    const cache = await freshCache();
    await expect(
      cache.ensureCacheDir(root, 'broken', async (dir) => {
        await writeFile(path.join(dir, 'half.json'), '{');
        throw new Error('conversion failed');
      }),
    ).rejects.toThrow('conversion failed');
    expect(await readdir(path.join(root, '.cache', 'schemas'))).toEqual([]);
    const dir = await cache.ensureCacheDir(root, 'broken', (d) => writeFile(path.join(d, 'ok.json'), '{}'));
    expect(await readFile(path.join(dir, 'ok.json'), 'utf8')).toBe('{}');
  });

  it('Pass when a lock left by a process that died is taken over', async () => {
    const root = await tempRoot();
    const lock = path.join(root, '.lock-x');
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    await mkdir(lock);
    await writeFile(path.join(lock, 'pid'), String(dead));
    expect(await withLock(lock, async () => 'ran')).toBe('ran');
    expect(await readdir(root)).toEqual([]);
  });

  it('Pass when two holders of one lock run one after the other', async () => {
    const root = await tempRoot();
    const lock = path.join(root, '.lock-y');
    const events: string[] = [];
    const hold = (name: string) =>
      withLock(lock, async () => {
        events.push(`${name} in`);
        await sleep(100);
        events.push(`${name} out`);
      });
    await Promise.all([hold('a'), hold('b')]);
    expect([events.slice(0, 2), events.slice(2)].map((pair) => pair[0]!.split(' ')[0] === pair[1]!.split(' ')[0])).toEqual([true, true]);
  });
});

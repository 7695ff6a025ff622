import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireLock, lockEntryFor, ReadSwapGate, type LockEntry } from '../../src/tools/lock.js';
import { thisProcess } from '../../src/tools/process-identity.js';

const hasProc = existsSync('/proc/self/stat');
const made: string[] = [];
const children: ReturnType<typeof spawn>[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gitops-lock-'));
  made.push(dir);
  return dir;
}

/** Writes an entry into a lock folder as another process would have. */
async function writeEntry(dir: string, entry: LockEntry, name = `${entry.pid}-0123456789ab.json`): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, name), JSON.stringify(entry));
  return name;
}

/** A process that runs until the test ends, as a lock entry with its real start time. */
async function runningHolder(command: string): Promise<LockEntry> {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  children.push(child);
  await new Promise((resolve) => child.once('spawn', resolve));
  const start = hasProc ? readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]! : undefined;
  return { pid: child.pid!, ...(start ? { start } : {}), host: thisProcess().host, command, since: Date.now() };
}

describe('acquireLock', () => {
  it('Pass when holders of one lock run one after the other, each waiter told once whom it waits for', async () => {
    const dir = path.join(await tempDir(), 'writer');
    const events: string[] = [];
    const told = new Map<string, string[]>();
    const hold = async (name: string) => {
      const release = await acquireLock(dir, lockEntryFor(name), { onWait: (holder) => told.set(name, [...(told.get(name) ?? []), holder.command]) });
      events.push(`${name} in`);
      await sleep(300);
      events.push(`${name} out`);
      await release();
    };
    await Promise.all([hold('a'), hold('b'), hold('c')]);
    // in/out pairs never interleave
    for (let i = 0; i < events.length; i += 2) expect(events[i + 1]).toBe(events[i]!.replace(' in', ' out'));
    expect(events).toHaveLength(6);
    const first = events[0]!.split(' ')[0]!;
    // Both others waited for someone else, and each was told once.
    expect([...told.keys()].sort()).toEqual(['a', 'b', 'c'].filter((name) => name !== first));
    for (const [name, holders] of told) {
      expect(holders).toHaveLength(1);
      expect(holders[0]).not.toBe(name);
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it('Pass when the holder has ended (killed, crashed): its lock is taken over, and the take-over reported', async () => {
    const dir = path.join(await tempDir(), 'writer');
    const ended = { pid: spawnSync(process.execPath, ['-e', '']).pid!, host: thisProcess().host, command: 'gitops render', since: Date.now() - 5_000 };
    await writeEntry(dir, ended);
    const stale: LockEntry[] = [];
    const release = await acquireLock(dir, lockEntryFor('b'), { onStale: (entry) => stale.push(entry) });
    expect(stale).toEqual([ended]);
    const left = await readdir(dir);
    expect(left).toEqual([expect.stringMatching(/\.json$/), expect.stringMatching(/\.json\.holder$/)]);
    expect(JSON.parse(await readFile(path.join(dir, left[0]!), 'utf8'))).toMatchObject({ pid: process.pid, command: 'b' });
    await release();
    expect(await readdir(dir)).toEqual([]);
  });

  it.runIf(hasProc)('Pass when the holder\'s pid now belongs to another process (a reused pid): the lock is taken over', async () => {
    const dir = path.join(await tempDir(), 'writer');
    const running = await runningHolder('gitops deploy');
    await writeEntry(dir, { ...running, start: String(Number(running.start) - 100) });
    const release = await acquireLock(dir, lockEntryFor('b'));
    await release();
  });

  it('Fail to take a lock whose holder runs: it waits, says for whom, and when aborted leaves no entry of its own', async () => {
    const dir = path.join(await tempDir(), 'writer');
    const holder = await runningHolder('gitops render');
    const name = await writeEntry(dir, holder);
    const seen: LockEntry[] = [];
    const controller = new AbortController();
    const waiting = acquireLock(dir, lockEntryFor('b'), { signal: controller.signal, onWait: (entry) => seen.push(entry) });
    await sleep(1_000);
    controller.abort(new Error('interrupted'));
    await expect(waiting).rejects.toThrow();
    expect(seen).toEqual([holder]);
    expect(await readdir(dir)).toEqual([name]);
  });

  it('Pass when the folder holds a temp file of a writer killed before its rename, or an entry that is not one', async () => {
    const dir = path.join(await tempDir(), 'writer');
    await mkdir(dir);
    // A temp file is never an owner; an entry without an owner (empty: not written by this code) is removed.
    await writeFile(path.join(dir, '.999-0123456789ab.json.tmp'), '');
    await writeFile(path.join(dir, '999-ba9876543210.json'), '');
    const release = await acquireLock(dir, lockEntryFor('b'));
    expect((await readdir(dir)).filter((name) => name.startsWith('999-'))).toEqual([]);
    await release();
  });
});

describe('ReadSwapGate', () => {
  const gateIn = (root: string) => new ReadSwapGate(path.join(root, 'readers'), path.join(root, 'swap'));

  it('Pass when readers reading while swaps happen see the tree wholly old or wholly new, never missing', { timeout: 60_000 }, async () => {
    const root = await tempDir();
    const gate = gateIn(root);
    const tree = path.join(root, 'tree');
    const writeGeneration = async (dir: string, n: number) => {
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'a'), String(n));
      await writeFile(path.join(dir, 'b'), String(n));
    };
    await writeGeneration(tree, 0);
    let done = false;
    const swaps = 20;
    const writer = (async () => {
      for (let n = 1; n <= swaps; n++) {
        const tmp = path.join(root, `tmp-${n}`);
        await writeGeneration(tmp, n);
        // Two renames with a pause between: without the gate a reader would find no tree.
        await gate.swap(lockEntryFor('swapper'), async () => {
          await rename(tree, path.join(root, `old-${n}`));
          await sleep(5);
          await rename(tmp, tree);
        });
        await rm(path.join(root, `old-${n}`), { recursive: true });
        await sleep(10);
      }
      done = true;
    })();
    const seen = new Set<string>();
    const reader = async () => {
      while (!done) {
        const release = await gate.read(lockEntryFor('reader'));
        try {
          const a = await readFile(path.join(tree, 'a'), 'utf8');
          await sleep(3);
          const b = await readFile(path.join(tree, 'b'), 'utf8');
          expect(b).toBe(a);
          seen.add(a);
        } finally {
          await release();
        }
        await sleep(2);
      }
    };
    await Promise.all([writer, reader(), reader(), reader()]);
    // The readers saw several generations, so they did read across swaps (and readers that overlap
    // one another without pause did not hold the swaps back).
    expect(seen.size).toBeGreaterThan(3);
    expect(await readdir(path.join(root, 'readers'))).toEqual([]);
    expect(await readdir(path.join(root, 'swap'))).toEqual([]);
  });

  it('Pass when a swap waits for a reader that is reading, and says for whom', async () => {
    const gate = gateIn(await tempDir());
    const endRead = await gate.read(lockEntryFor('gitops validate'));
    const waitedFor: string[] = [];
    let swapped = false;
    const swap = gate.swap(lockEntryFor('render'), async () => (swapped = true), { onWait: (reader) => waitedFor.push(reader.command) });
    await sleep(600);
    expect(swapped).toBe(false);
    expect(waitedFor).toEqual(['gitops validate']);
    await endRead();
    await swap;
    expect(swapped).toBe(true);
  });

  it('Pass when a reader that comes during a swap waits for it to end, and readers do not wait for each other', async () => {
    const gate = gateIn(await tempDir());
    const endFirst = await gate.read(lockEntryFor('a'));
    const endSecond = await gate.read(lockEntryFor('b'));
    await Promise.all([endFirst(), endSecond()]);
    let finishSwap!: () => void;
    let inSwap!: () => void;
    const swapping = new Promise<void>((resolve) => (inSwap = resolve));
    const swap = gate.swap(lockEntryFor('render'), () => new Promise<void>((resolve) => ((finishSwap = resolve), inSwap())));
    await swapping;
    let reading = false;
    const read = gate.read(lockEntryFor('c')).then((end) => ((reading = true), end));
    await sleep(300);
    expect(reading).toBe(false);
    finishSwap();
    await swap;
    await (await read)();
    expect(reading).toBe(true);
  });
});

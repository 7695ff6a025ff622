import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { isRunning, thisProcess } from './process-identity.js';

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

/**
 * One process's claim in a lock folder, as it is written there: who (pid, start time, machine)
 * and what for (the command line, since when), so a waiting run can name it.
 */
export const lockEntrySchema = z.strictObject({
  pid: z.number().int().positive(),
  start: z.string().optional(),
  host: z.string(),
  command: z.string(),
  /** When the claim was made, ms since the epoch. */
  since: z.number(),
});
export type LockEntry = z.infer<typeof lockEntrySchema>;

/** The entry of this process for `command`. */
export function lockEntryFor(command: string): LockEntry {
  return { ...thisProcess(), command, since: Date.now() };
}

/** `pid 4242 (gitops render)`. */
export function describeEntry(entry: LockEntry): string {
  const where = entry.host === thisProcess().host ? '' : ` on ${entry.host}`;
  return `pid ${entry.pid}${where} (${entry.command})`;
}

export interface WaitOptions {
  /** Aborting it stops the wait: the call rejects and leaves no entry behind. */
  readonly signal?: AbortSignal;
  /** Told once whom the call waits for. */
  readonly onWait?: (holder: LockEntry) => void;
  /** Told of each entry removed because its process has ended (killed, crashed). */
  readonly onStale?: (entry: LockEntry) => void;
}

/**
 * A folder of claims, one file each (`<pid>-<random>.json`), written whole: the content goes to a
 * temp file that is then renamed in, so a listed entry always says who made it. Only its maker
 * removes a live entry; anyone removes one whose process has ended, which is safe because the name
 * is never reused. What the locks below rest on: a file present during the whole of a folder
 * listing is in that listing ("all filenames that have been neither added nor removed since
 * [opendir] are guaranteed to be returned": POSIX readdir(3), as quoted in The Linux Programming
 * Interface, 18.8).
 */
class LockEntries {
  constructor(
    readonly dir: string,
    private readonly onStale?: (entry: LockEntry) => void,
  ) {}

  async add(entry: LockEntry): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const name = `${entry.pid}-${randomBytes(6).toString('hex')}.json`;
    const temp = path.join(this.dir, `.${name}.tmp`);
    try {
      await writeFile(temp, JSON.stringify(entry), { flag: 'wx' });
      await rename(temp, path.join(this.dir, name));
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return name;
  }

  remove(name: string): Promise<void> {
    return rm(path.join(this.dir, name), { force: true });
  }

  /**
   * Marks the entry as the lock's holder (`<entry>.holder`, empty), so that waiters can name it:
   * the entries of other waiters come and go beside it. Only for messages: the lock itself rests
   * on the entries alone.
   */
  async mark(name: string): Promise<void> {
    await writeFile(path.join(this.dir, `${name}${HOLDER}`), '');
  }

  unmark(name: string): Promise<void> {
    return rm(path.join(this.dir, `${name}${HOLDER}`), { force: true });
  }

  /** The entries whose process still runs (the others are removed), each with whether it is marked. */
  async live(): Promise<LiveEntry[]> {
    const names = await readdir(this.dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw error;
    });
    const found: LiveEntry[] = [];
    for (const name of names.sort()) {
      const file = path.join(this.dir, name);
      if (name.startsWith('.')) {
        // The temp file of a process killed between writing it and renaming it (a rename follows
        // the write at once).
        const old = await stat(file).then((s) => Date.now() - s.mtimeMs > 60_000, () => false);
        if (old) await rm(file, { force: true });
        continue;
      }
      if (!name.endsWith('.json')) continue;
      const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      });
      if (text === undefined) continue;
      const parsed = lockEntrySchema.safeParse(parseJson(text));
      if (parsed.success && (await isRunning(parsed.data))) {
        found.push({ name, entry: parsed.data, holds: names.includes(`${name}${HOLDER}`) });
        continue;
      }
      // Not written by this code (entries are whole when they appear), or its process has ended.
      const removed = await unlink(file).then(
        () => true,
        () => false,
      );
      if (removed && parsed.success) this.onStale?.(parsed.data);
    }
    // A mark whose entry has gone: its holder ended between the two (a holder unmarks first).
    for (const name of names) {
      if (name.endsWith(HOLDER) && !found.some((live) => `${live.name}${HOLDER}` === name)) await rm(path.join(this.dir, name), { force: true });
    }
    return found;
  }
}

const HOLDER = '.holder';

interface LiveEntry {
  readonly name: string;
  readonly entry: LockEntry;
  /** Marked as the holder of the lock. */
  readonly holds: boolean;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Tells `onWait` once whom a wait is for, not before `quietMs`: the marked holder when there is
 * one, else an entry seen on the look before too (the entry of another waiter lives for the
 * milliseconds of its look, under a new name each time).
 */
function announcer(onWait: ((holder: LockEntry) => void) | undefined, quietMs = 0): (others: readonly LiveEntry[]) => void {
  const started = Date.now();
  let previous = new Set<string>();
  let told = !onWait;
  return (others) => {
    if (!told && Date.now() - started >= quietMs) {
      const holder = others.find((other) => other.holds) ?? others.find((other) => previous.has(other.name));
      if (holder) {
        told = true;
        onWait!(holder.entry);
      }
    }
    previous = new Set(others.map((other) => other.name));
  };
}

/** `ms`, give or take half, so processes that wait together do not look together. */
function jittered(ms: number): number {
  return Math.round(ms * (0.5 + Math.random()));
}

/**
 * Takes the exclusive lock of the folder `dir` and returns the function that releases it; waits
 * while another process holds it. To take it, a process adds its entry and lists the folder: alone,
 * it holds the lock (any later entry's maker lists after this entry was added, so sees it and backs
 * off); not alone, it removes its entry and looks again a little later. A holder that has ended
 * (killed, crashed, its pid reused by another process) is taken over; an entry is never without
 * its owner, since it is written whole.
 */
export async function acquireLock(dir: string, entry: LockEntry, options: WaitOptions = {}): Promise<() => Promise<void>> {
  const entries = new LockEntries(dir, options.onStale);
  const announce = announcer(options.onWait);
  for (;;) {
    options.signal?.throwIfAborted();
    const mine = await entries.add(entry);
    let others;
    try {
      others = (await entries.live()).filter((other) => other.name !== mine);
      if (others.length === 0) options.signal?.throwIfAborted();
    } catch (error) {
      await entries.remove(mine);
      throw error;
    }
    if (others.length === 0) {
      await entries.mark(mine);
      return async () => {
        await entries.unmark(mine);
        await entries.remove(mine);
      };
    }
    await entries.remove(mine);
    announce(others);
    await sleep(jittered(200), undefined, { signal: options.signal });
  }
}

/**
 * A gate between processes that read something (a folder tree) and the one process that replaces
 * it: a replacement waits until the readers that are reading have ended, and readers that come
 * once it waits wait for it (so a stream of readers cannot hold it back for ever). Readers never
 * wait for each other, nor for the work a writer does before its replacement. Both sides add an
 * entry and then look at the other side's folder (readers at `swapDir`, the replacement at
 * `readersDir`); of two that do so at once, at least one sees the other: a reader that sees the
 * replacement's entry backs off, and a replacement that sees a reader waits for it. One replacement
 * at a time: its callers hold an exclusive lock.
 */
export class ReadSwapGate {
  private readonly readers: LockEntries;
  private readonly swaps: LockEntries;

  /** `onStaleSwap` is told of a replacement whose process ended during it (its entry is removed). */
  constructor(readersDir: string, swapDir: string, onStaleSwap?: (entry: LockEntry) => void) {
    this.readers = new LockEntries(readersDir);
    this.swaps = new LockEntries(swapDir, onStaleSwap);
  }

  /** Starts reading, once no replacement is waiting or under way; returns the function that ends it. */
  async read(entry: LockEntry, options: WaitOptions = {}): Promise<() => Promise<void>> {
    // A replacement takes milliseconds once its readers have ended: say whom a reader waits for only after a second.
    const announce = announcer(options.onWait, 1000);
    for (;;) {
      options.signal?.throwIfAborted();
      const mine = await this.readers.add(entry);
      let swapping;
      try {
        swapping = await this.swaps.live();
      } catch (error) {
        await this.readers.remove(mine);
        throw error;
      }
      if (swapping.length === 0) return () => this.readers.remove(mine);
      await this.readers.remove(mine);
      announce(swapping);
      await sleep(jittered(10), undefined, { signal: options.signal });
    }
  }

  /** Runs `swap` once the readers that are reading have ended; readers that come meanwhile wait until it ends. */
  async swap<T>(entry: LockEntry, swap: () => Promise<T>, options: WaitOptions = {}): Promise<T> {
    const announce = announcer(options.onWait);
    const mine = await this.swaps.add(entry);
    try {
      for (;;) {
        options.signal?.throwIfAborted();
        const reading = await this.readers.live();
        if (reading.length === 0) break;
        announce(reading);
        await sleep(jittered(100), undefined, { signal: options.signal });
      }
      return await swap();
    } finally {
      await this.swaps.remove(mine);
    }
  }
}

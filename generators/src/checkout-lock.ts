import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ExitCode, ExitWith, ToolError } from './errors.js';
import { acquireLock, describeEntry, lockEntryFor, ReadSwapGate, type LockEntry } from './tools/lock.js';

/**
 * How a command uses the checkout, declared beside it in the command table (`cli/commands.ts`) and
 * honoured by the dispatcher (`cli/main.ts`), so that no command can forget it:
 *
 * - `writes`: it edits inputs or generated files (`render`, `deploy`, `promote`, `params pull`,
 *   `schemas`). One such run at a time per checkout; the next waits for it, saying whom it waits
 *   for, and then works on what the first left.
 * - `reads`: it reads `clusters/<c>/rendered/` (`render --check`, `validate`, `diff`). It does not
 *   wait for a writer's work: it reads the trees as they are, and a writer swaps its new trees in
 *   only once the readers reading them have ended (see `swapRenderedTrees`), so a reader sees every
 *   tree wholly old or wholly new, never a missing or half-swapped one. A reader that comes while
 *   a writer waits to swap waits for that swap (the readers before it, then milliseconds).
 * - `none`: neither (it reads inputs, or commits from Git).
 */
export type CheckoutAccess = 'writes' | 'reads' | 'none';

/**
 * The locks of a checkout, in its git-ignored `.cache/locks/`:
 * `writer/` (one entry: the writing run), `readers/` (one entry per reading run) and `swap/` (the
 * entry of a writer swapping trees in).
 */
export const checkoutLocksDir = (root: string) => path.join(root, '.cache', 'locks');

const gateOf = (root: string, onStaleSwap?: (entry: LockEntry) => void) =>
  new ReadSwapGate(path.join(checkoutLocksDir(root), 'readers'), path.join(checkoutLocksDir(root), 'swap'), onStaleSwap);

export interface CheckoutAccessOptions {
  /** The command line, as messages name it (`gitops render`). */
  readonly command: string;
  /** Ctrl-C: a run that is still waiting exits 130 and has written nothing. */
  readonly signal: AbortSignal;
  /** Where the waiting and take-over notes go (standard error). */
  readonly log: (line: string) => void;
}

/**
 * Runs `fn` with the checkout access the command declared: as the checkout's one writer, as a
 * reader of its rendered trees, or without a lock. A root that does not exist is left alone (the
 * command reports it).
 */
export async function withCheckoutAccess<T>(root: string, access: CheckoutAccess, options: CheckoutAccessOptions, fn: () => Promise<T>): Promise<T> {
  if (access === 'none' || !(await isFolder(root)) || !(await prepareLocksDir(root, access))) return fn();
  const entry = lockEntryFor(options.command);
  let waitingFor: LockEntry | undefined;
  let release: () => Promise<void>;
  try {
    release =
      access === 'writes'
        ? await acquireLock(path.join(checkoutLocksDir(root), 'writer'), entry, {
            signal: options.signal,
            onStale: (stale) => options.log(`${describeEntry(stale)} had this checkout's lock but has ended; taking it over`),
            onWait: (holder) => {
              waitingFor = holder;
              options.log(`waiting for ${describeEntry(holder)}, which started ${ago(holder.since)} and is writing this checkout; going on when it ends (Ctrl-C stops waiting)`);
            },
          })
        : await gateOf(root, (stale) =>
            options.log(`${describeEntry(stale)} ended while swapping in new rendered trees; if a tree is missing, \`gitops render\` restores it`),
          ).read(entry, {
            signal: options.signal,
            onWait: (holder) => {
              waitingFor = holder;
              options.log(`waiting for ${describeEntry(holder)} to swap in its new rendered trees`);
            },
          });
  } catch (error) {
    if (!options.signal.aborted) throw error;
    const whom = waitingFor ? ` for ${describeEntry(waitingFor)}` : '';
    throw new ExitWith(ExitCode.interrupted, `interrupted while waiting${whom}; nothing was written`);
  }
  try {
    return await fn();
  } finally {
    await release();
  }
}

export interface SwapOptions {
  /** Ctrl-C while the swap waits for readers: the swap does not happen. */
  readonly signal?: AbortSignal;
  /** Where the note goes when the swap waits for a reader (standard error). */
  readonly log?: (line: string) => void;
}

/**
 * Runs `swap` (the renames that put new rendered trees in place) while no run reads the trees: it
 * waits for the readers that are reading to end, and readers that come meanwhile wait for it. The caller is
 * the checkout's writer (`writes` commands), or a lone process (a benchmark, a test).
 */
export async function swapRenderedTrees<T>(root: string, swap: () => Promise<T>, options: SwapOptions = {}): Promise<T> {
  await prepareLocksDir(root, 'writes');
  const log = options.log ?? (() => undefined);
  const entry = lockEntryFor('a render');
  return gateOf(root).swap(entry, swap, {
    ...(options.signal ? { signal: options.signal } : {}),
    onWait: (reader) => log(`waiting for ${describeEntry(reader)} to finish reading the rendered trees before swapping in the new ones`),
  });
}

async function isFolder(root: string): Promise<boolean> {
  return stat(root).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/**
 * Makes `.cache/locks/`, and says whether it could: a writer that cannot make it could not write the
 * checkout anyway (an error); a reader reads on unregistered (a checkout no one can write has no
 * swap to wait for). No `.gitignore` is written there: `.cache/` is ignored, and Git never shows
 * the empty folders the locks leave.
 */
async function prepareLocksDir(root: string, access: CheckoutAccess): Promise<boolean> {
  const dir = checkoutLocksDir(root);
  try {
    await mkdir(dir, { recursive: true });
    return true;
  } catch (error) {
    if (access === 'reads') return false;
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ToolError(`cannot make this checkout's lock folder ${path.relative(root, dir)}/ (${code}); nothing was written`, 'the checkout must be writable to change it');
  }
}

function ago(since: number): string {
  const seconds = Math.max(0, Math.round((Date.now() - since) / 1000));
  return seconds < 90 ? `${seconds} s ago` : `${Math.round(seconds / 60)} min ago`;
}

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { checkoutLocksDir, withCheckoutAccess } from '../src/checkout-lock.js';
import { listFiles } from '../src/render/list-files.js';
import { gitops } from './support/cli.js';
import { snapshotClusters } from './support/tree-snapshot.js';
import { repoRoot, tempReposOfEachTest, type TempRepo } from './support/temp-repo.js';

const newRepo = tempReposOfEachTest();
const exampleRepo = () => newRepo({ fromExample: true, withRendered: true });

/** A child process of the test suite, with what it printed so far. */
interface Child {
  readonly proc: ChildProcessWithoutNullStreams;
  out: string;
  err: string;
  exited: boolean;
  /** The exit code, or the signal that ended it. */
  readonly exit: Promise<number | string>;
}

const children: Child[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.proc.kill('SIGKILL');
});

/** Starts `generators/test/support/<script>` under tsx. */
function start(script: string, args: readonly string[]): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'generators/test/support', script), ...args], { cwd: repoRoot });
  const child: Child = {
    proc,
    out: '',
    err: '',
    exited: false,
    exit: new Promise((resolve) => proc.once('exit', (code, signal) => ((child.exited = true), resolve(code ?? signal ?? 'unknown')))),
  };
  proc.stdout.on('data', (chunk: Buffer) => (child.out += chunk.toString()));
  proc.stderr.on('data', (chunk: Buffer) => (child.err += chunk.toString()));
  children.push(child);
  return child;
}

async function until(what: string, condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** A process that holds the checkout's writer lock until `release()` (or a kill). */
async function holdWriterLock(root: string): Promise<Child & { release: () => Promise<void> }> {
  const holder = start('checkout-holder-child.ts', [root]);
  await until('the holder to hold the lock', () => holder.out.includes('holding'));
  return {
    ...holder,
    release: async () => {
      holder.proc.stdin.write('\n');
      expect(await holder.exit).toBe(0);
    },
  };
}

/** Scratch folders of the swap left under `clusters/` (`.rendered.tmp-*`, `.rendered.old-*`). */
async function leftovers(root: string): Promise<string[]> {
  const found: string[] = [];
  for (const cluster of await readdir(path.join(root, 'clusters'))) {
    const entries = await readdir(path.join(root, 'clusters', cluster)).catch(() => [] as string[]);
    found.push(...entries.filter((entry) => entry.startsWith('.rendered.')).map((entry) => `${cluster}/${entry}`));
  }
  return found;
}

/** What the lock folders hold (entries, the holder's mark): nothing once every run has ended. */
async function lockEntries(root: string): Promise<string[]> {
  const all: string[] = [];
  for (const folder of ['writer', 'readers', 'swap']) {
    const names = await readdir(path.join(checkoutLocksDir(root), folder)).catch(() => [] as string[]);
    all.push(...names.map((name) => `${folder}/${name}`));
  }
  return all;
}

async function changeReplicas(repo: TempRepo, replicas: number): Promise<void> {
  const file = 'apps/user-service/production.yaml';
  await repo.write(file, (await repo.read(file)).replace(/^replicas: \d+$/m, `replicas: ${replicas}`));
}

describe('checkout lock', () => {
  it('Pass when several renders and a deploy started together on one checkout all exit 0, one after the other, leaving the tree of the last inputs', { timeout: 180_000 }, async () => {
    const repo = await exampleRepo();
    await changeReplicas(repo, 5);
    // Every run starts while another holds the lock, so all of them contend when it is released.
    const holder = await holdWriterLock(repo.root);
    const runs = [['render'], ['render'], ['render'], ['deploy', '--cluster', 'staging', '--services', 'user-service', '--tag', '9.9.9']].map((args) =>
      start('cli-child.ts', ['--root', repo.root, ...args]),
    );
    const waiting = `waiting for pid ${holder.proc.pid} (holder (test)), which started`;
    await until('every run to say whom it waits for', () => runs.every((run) => run.err.includes(waiting) || run.exited), 120_000);
    await holder.release();
    const codes = await Promise.all(runs.map((run) => run.exit));
    for (const run of runs) expect(run.err).not.toContain('internal error');
    expect(codes).toEqual([0, 0, 0, 0]);
    // Each waited, and said once whom for.
    for (const run of runs) expect(run.err.split(waiting).length - 1).toBe(1);
    expect(await repo.read('apps/user-service/staging.yaml')).toContain('9.9.9');
    const check = await gitops(repo.root, 'render', '--check');
    expect(check.err).toEqual([]);
    expect(check.code).toBe(0);
    expect(await leftovers(repo.root)).toEqual([]);
    expect(await lockEntries(repo.root)).toEqual([]);
  });

  it('Pass when the holder of the lock was killed: the next writer takes it over and says so', { timeout: 60_000 }, async () => {
    const repo = await exampleRepo();
    const holder = await holdWriterLock(repo.root);
    holder.proc.kill('SIGKILL');
    expect(await holder.exit).toBe('SIGKILL');
    const result = await gitops(repo.root, 'render');
    expect(result.err).toEqual([`pid ${holder.proc.pid} (holder (test)) had this checkout's lock but has ended; taking it over`]);
    expect(result.code).toBe(0);
    expect(await leftovers(repo.root)).toEqual([]);
    expect(await lockEntries(repo.root)).toEqual([]);
  });

  it('Pass when Ctrl-C stops a writer that waits: it exits 130 and writes nothing', { timeout: 60_000 }, async () => {
    const repo = await exampleRepo();
    await changeReplicas(repo, 6);
    const before = await snapshotClusters(repo.root);
    const inputs = await repo.read('apps/user-service/production.yaml');
    const holder = await holdWriterLock(repo.root);
    const run = start('cli-child.ts', ['--root', repo.root, 'render']);
    await until('the render to wait', () => run.err.includes(`waiting for pid ${holder.proc.pid}`));
    run.proc.kill('SIGINT');
    expect(await run.exit).toBe(130);
    expect(run.err).toContain(`interrupted while waiting for pid ${holder.proc.pid} (holder (test)); nothing was written`);
    expect(await snapshotClusters(repo.root)).toEqual(before);
    expect(await repo.read('apps/user-service/production.yaml')).toBe(inputs);
    // The holder's entry and its mark, nothing of the interrupted run.
    expect((await lockEntries(repo.root)).map((entry) => entry.split('-')[0])).toEqual([`writer/${holder.proc.pid}`, `writer/${holder.proc.pid}`]);
    await holder.release();
  });

  it('Pass when Ctrl-C stops a writer that waits to swap for a reader: it exits 130, and its new trees go', { timeout: 60_000 }, async () => {
    const repo = await exampleRepo();
    await changeReplicas(repo, 6);
    const before = await snapshotClusters(repo.root);
    let endReading!: () => void;
    const reading = withCheckoutAccess(repo.root, 'reads', { command: 'gitops validate', signal: new AbortController().signal, log: () => undefined }, () => new Promise<void>((resolve) => (endReading = resolve)));
    const run = start('cli-child.ts', ['--root', repo.root, 'render']);
    await until('the render to wait for the reader', () => run.err.includes(`waiting for pid ${process.pid} (gitops validate) to finish reading the rendered trees`));
    run.proc.kill('SIGINT');
    expect(await run.exit).toBe(130);
    expect(run.err).toContain('interrupted before the new trees were swapped in; nothing was written');
    endReading();
    await reading;
    expect(await snapshotClusters(repo.root)).toEqual(before);
    expect(await leftovers(repo.root)).toEqual([]);
    expect(await lockEntries(repo.root)).toEqual([]);
  });

  it('Pass when commands that read the rendered trees while renders swap them in see each tree wholly old or wholly new', { timeout: 180_000 }, async () => {
    const repo = await exampleRepo();
    const tree = path.join(repo.root, 'clusters/production/rendered');
    const snapshot = async (slowly: boolean) => {
      const files: Record<string, string> = {};
      for (const file of await listFiles(tree)) {
        files[file] = await readFile(path.join(tree, file), 'utf8');
        // A slow reader: a swap made while it reads would show as a mixed or missing tree.
        if (slowly) await sleep(1);
      }
      return JSON.stringify(files);
    };
    const states = [await snapshot(false)];
    await changeReplicas(repo, 7);
    expect((await gitops(repo.root, 'render')).code).toBe(0);
    states.push(await snapshot(false));
    expect(states[1]).not.toBe(states[0]);

    let done = false;
    const writer = (async () => {
      for (let i = 0; i < 8; i++) {
        await changeReplicas(repo, i % 2 === 0 ? 3 : 7);
        const result = await gitops(repo.root, 'render');
        expect(result.code).toBe(0);
      }
      done = true;
    })();
    let reads = 0;
    const reader = async () => {
      while (!done) {
        const seen = await withCheckoutAccess(repo.root, 'reads', { command: 'reader (test)', signal: new AbortController().signal, log: () => undefined }, () => snapshot(true));
        expect(states).toContain(seen);
        reads++;
        await sleep(20);
      }
    };
    await Promise.all([writer, reader(), reader()]);
    expect(reads).toBeGreaterThan(4);
    expect(await leftovers(repo.root)).toEqual([]);
    expect(await lockEntries(repo.root)).toEqual([]);
  });
});

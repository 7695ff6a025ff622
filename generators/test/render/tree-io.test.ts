import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { withCheckoutAccess } from '../../src/checkout-lock.js';
import { run } from '../../src/cli/main.js';
import { snapshotClusters } from '../support/tree-snapshot.js';
import { tempReposOfEachTest } from '../support/temp-repo.js';

const newRepo = tempReposOfEachTest();

describe('writeTree swap', () => {
  it('Fail with a message, not an internal error, when another program removes a cluster folder before the swap', { timeout: 60_000 }, async () => {
    const repo = await newRepo({ fromExample: true, withRendered: true });
    const file = 'apps/user-service/production.yaml';
    await repo.write(file, (await repo.read(file)).replace(/^replicas: \d+$/m, 'replicas: 8'));
    const stagingFiles = async () => Object.entries(await snapshotClusters(repo.root)).filter(([name]) => name.startsWith('staging/'));
    const staging = await stagingFiles();

    // A command reading the trees holds the render at its swap, with its new trees built.
    let endReading!: () => void;
    const reading = withCheckoutAccess(repo.root, 'reads', { command: 'gitops validate', signal: new AbortController().signal, log: () => undefined }, () => new Promise<void>((resolve) => (endReading = resolve)));
    await sleep(50);
    const err: string[] = [];
    const rendering = run(['--root', repo.root, 'render'], { out: () => undefined, err: (line) => err.push(line), isTTY: false, signal: new AbortController().signal });
    const deadline = Date.now() + 45_000;
    while (!err.some((line) => line.includes('to finish reading the rendered trees'))) {
      if (Date.now() > deadline) throw new Error(`render did not wait for the reader: ${err.join('\n')}`);
      await sleep(50);
    }
    expect(err).toEqual([`waiting for pid ${process.pid} (gitops validate) to finish reading the rendered trees before swapping in the new ones`]);
    // "Another program": production's folder goes, with the render's new tree in it.
    await rm(path.join(repo.root, 'clusters/production'), { recursive: true });
    endReading();
    await reading;

    expect(await rendering).toBe(2);
    expect(err.slice(1).join('\n')).not.toContain('internal error');
    expect(err[1]).toMatch(/^render could not write clusters\/production\/rendered: ENOENT: .*; this run swapped in none of its trees$/);
    expect(err[2]).toBe('hint: another program changed clusters/production/ while render ran (an editor, a git checkout, an older gitops without the checkout lock): run `gitops render` again');
    // Staging's tree is as it was, and its new tree went back to the render cache.
    expect(await stagingFiles()).toEqual(staging);
    expect((await readdir(path.join(repo.root, 'clusters/staging'))).filter((entry) => entry.startsWith('.rendered.'))).toEqual([]);
  });
});

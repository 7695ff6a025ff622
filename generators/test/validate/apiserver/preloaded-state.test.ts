/** The cached server states are removed once no run has used them for a while; nothing else is. */
import { mkdir, mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeUnusedStates } from '../../../src/validate/apiserver/preloaded-state.js';
import { schemaCacheRoot } from '../../../src/validate/schemas/cache.js';

const roots: string[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

describe('removeUnusedStates', () => {
  it('removes the API server states last used before the cutoff, and keeps recent states and other schemas', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'gitops-states-'));
    roots.push(root);
    const cache = schemaCacheRoot(root);
    const old = new Date('2026-01-01T00:00:00Z');
    for (const name of ['apiserver-v1.35.4-etcd-v3.6.6-old', 'apiserver-v1.35.4-etcd-v3.6.6-recent', 'k8s-v1.35.4-old']) await mkdir(path.join(cache, name, 'etcd'), { recursive: true });
    await utimes(path.join(cache, 'apiserver-v1.35.4-etcd-v3.6.6-old'), old, old);
    await utimes(path.join(cache, 'k8s-v1.35.4-old'), old, old);

    const removed = await removeUnusedStates(root, new Date('2026-06-01T00:00:00Z').getTime());

    expect(removed).toEqual(['apiserver-v1.35.4-etcd-v3.6.6-old']);
    expect((await readdir(cache)).sort()).toEqual(['apiserver-v1.35.4-etcd-v3.6.6-recent', 'k8s-v1.35.4-old']);
  });

  it('does nothing when there is no cache yet', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'gitops-states-'));
    roots.push(root);
    await expect(removeUnusedStates(root, Date.now())).resolves.toEqual([]);
  });
});

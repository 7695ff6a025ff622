/**
 * The pre-loaded server state: an etcd data folder in which a real kube-apiserver has already
 * bootstrapped itself (system namespaces, RBAC, priority levels) and every pinned CRD is
 * Established. Installing the CRDs takes ~30 s; starting from a copy of this folder takes the
 * apiserver's own start-up (a few seconds). Cached under
 * `.cache/schemas/apiserver-<release>-etcd-<version>-<crd set hash>/etcd`, so a new CRD pin, a
 * new storage-version choice or a new binary builds a new state, never a stale one.
 *
 * Each use touches the state's folder; building a new state removes the states (~80 MB each) no run
 * has used for `STATE_RETENTION_DAYS`, so a machine that moves its pins does not collect them.
 */
import { readdir, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import type { EnsureOptions } from '../../tools/go.js';
import type { ControlPlaneBinaries } from '../../tools/control-plane-build.js';
import { cacheKeyPart, ensureCacheDir, schemaCacheRoot } from '../schemas/cache.js';
import { startControlPlane } from './control-plane.js';
import { installCrds, loadCrdObjects, type CrdPlan } from './crd-install.js';
import { KubeClient } from './kube-client.js';

/** A state no run has used for this many days is removed when another state is built. */
export const STATE_RETENTION_DAYS = 7;

const STATE_PREFIX = 'apiserver-';

/** Path of the etcd data folder holding the state for these binaries and CRDs (built when absent). */
export async function ensurePreloadedState(cacheRoot: string, binaries: ControlPlaneBinaries, plan: CrdPlan, options: EnsureOptions = {}): Promise<string> {
  const key = cacheKeyPart(`${STATE_PREFIX}${binaries.kubernetesRelease}-etcd-${binaries.etcdVersion}-${plan.hash}`);
  const dir = await ensureCacheDir(cacheRoot, key, async (scratch) => {
    const started = Date.now();
    options.log?.(`kube-apiserver ${binaries.kubernetesRelease}: installing ${plan.crds.length} pinned CRDs once into a cached server state`);
    const crds = await loadCrdObjects(plan);
    const plane = await startControlPlane({ binaries, signal: options.signal });
    try {
      const client = new KubeClient({ url: plane.url, token: plane.token, ca: plane.ca });
      try {
        await installCrds(client, crds, options.signal);
      } finally {
        client.close();
      }
      await plane.stop({ keepEtcdData: path.join(scratch, 'etcd') });
    } finally {
      await plane.stop();
    }
    options.log?.(`kube-apiserver ${binaries.kubernetesRelease}: server state with ${plan.crds.length} CRDs cached (${Math.round((Date.now() - started) / 1000)} s)`);
    await removeUnusedStates(cacheRoot, Date.now() - STATE_RETENTION_DAYS * 86_400_000);
  });
  const now = new Date();
  await utimes(dir, now, now).catch(() => undefined);
  return path.join(dir, 'etcd');
}

/** Removes the cached states whose folder was last used before `cutoff` (ms since the epoch). */
export async function removeUnusedStates(cacheRoot: string, cutoff: number): Promise<string[]> {
  const root = schemaCacheRoot(cacheRoot);
  const names = await readdir(root).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names.filter((n) => n.startsWith(STATE_PREFIX)).sort()) {
    const dir = path.join(root, name);
    const used = await stat(dir).then((s) => s.mtimeMs, () => undefined);
    if (used === undefined || used >= cutoff) continue;
    await rm(dir, { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/**
 * The pre-loaded server state: an etcd data folder in which a real kube-apiserver has already
 * bootstrapped itself (system namespaces, RBAC, priority levels) and every pinned CRD is
 * Established. Installing the CRDs takes ~30 s; starting from a copy of this folder takes the
 * apiserver's own start-up (a few seconds). Cached under
 * `.cache/schemas/apiserver-<release>-etcd-<version>-<crd set hash>/etcd`, so a new CRD pin, a
 * new storage-version choice or a new binary builds a new state, never a stale one.
 */
import path from 'node:path';
import type { EnsureOptions } from '../../tools/go.js';
import type { ControlPlaneBinaries } from '../../tools/control-plane-build.js';
import { cacheKeyPart, ensureCacheDir } from '../schemas/cache.js';
import { startControlPlane } from './control-plane.js';
import { installCrds, loadCrdObjects, type CrdPlan } from './crd-install.js';
import { KubeClient } from './kube-client.js';

/** Path of the etcd data folder holding the state for these binaries and CRDs (built when absent). */
export async function ensurePreloadedState(cacheRoot: string, binaries: ControlPlaneBinaries, plan: CrdPlan, options: EnsureOptions = {}): Promise<string> {
  const key = cacheKeyPart(`apiserver-${binaries.kubernetesRelease}-etcd-${binaries.etcdVersion}-${plan.hash}`);
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
  });
  return path.join(dir, 'etcd');
}

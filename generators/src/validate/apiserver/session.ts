/**
 * One use of a local API server: started from the pre-loaded state (CRDs Established), discovered,
 * and stopped by `close()` whatever happens. `withApiServer` is the only way the engine and the
 * update check get a server, so each has exactly one owner that always stops it.
 */
import type { EnsureOptions } from '../../tools/go.js';
import type { ControlPlaneBinaries } from '../../tools/control-plane-build.js';
import { startControlPlane } from './control-plane.js';
import type { CrdPlan } from './crd-install.js';
import { KubeClient, objectPath, type ApiAnswer, type ServedResource } from './kube-client.js';
import { ensurePreloadedState } from './preloaded-state.js';

export interface SessionOptions {
  readonly binaries: ControlPlaneBinaries;
  readonly plan: CrdPlan;
  /** Folder holding `.cache/` (the pre-loaded state). */
  readonly cacheRoot: string;
  readonly signal?: AbortSignal;
  readonly log?: EnsureOptions['log'];
}

/** `status` of an answer that never reached the server (the object cannot be addressed). */
export const NOT_SENT = -1;

export interface ApiSession {
  readonly client: KubeClient;
  /** Server-side apply of a manifest at the path its apiVersion, kind, namespace and name give. */
  apply(object: Record<string, unknown>, options?: { dryRun?: boolean }): Promise<ApiAnswer>;
  /** Deletes the object a manifest names (foreground; no wait). */
  remove(object: Record<string, unknown>): Promise<ApiAnswer>;
  /** Creates the namespaces that do not exist yet (plain, unlabelled). */
  ensureNamespaces(names: Iterable<string>): Promise<void>;
}

/** Runs `fn` against a fresh server and always stops the server after it. */
export async function withApiServer<T>(options: SessionOptions, fn: (session: ApiSession) => Promise<T>): Promise<T> {
  const snapshot = await ensurePreloadedState(options.cacheRoot, options.binaries, options.plan, { signal: options.signal, log: options.log });
  const plane = await startControlPlane({ binaries: options.binaries, etcdSnapshot: snapshot, signal: options.signal });
  const client = new KubeClient({ url: plane.url, token: plane.token, ca: plane.ca, signal: options.signal });
  try {
    const served = await discoverWithCrds(client, options.plan, options.signal);
    const pathOf = (object: Record<string, unknown>): string | ApiAnswer => {
      const apiVersion = typeof object['apiVersion'] === 'string' ? object['apiVersion'] : '';
      const kind = typeof object['kind'] === 'string' ? object['kind'] : '';
      const metadata = (object['metadata'] ?? {}) as { name?: unknown; namespace?: unknown };
      const name = typeof metadata.name === 'string' ? metadata.name : '';
      if (!apiVersion || !kind || !name) return notSent('a resource needs apiVersion, kind and metadata.name');
      const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
      const resource = served.get(`${group}/${version}/${kind}`);
      if (!resource) return notSent(`the API server serves no ${kind} in ${apiVersion} (no built-in kind or installed CRD defines it)`);
      return objectPath(apiVersion, resource, name, typeof metadata.namespace === 'string' ? metadata.namespace : undefined);
    };
    const session: ApiSession = {
      client,
      apply: async (object, applyOptions) => {
        const at = pathOf(object);
        return typeof at === 'string' ? client.apply(at, object, applyOptions) : at;
      },
      remove: async (object) => {
        const at = pathOf(object);
        return typeof at === 'string' ? client.request('DELETE', at) : at;
      },
      ensureNamespaces: async (names) => {
        for (const name of new Set(names)) {
          const answer = await client.request('POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }), { 'content-type': 'application/json' });
          if (answer.status >= 300 && answer.status !== 409) throw new Error(`cannot create namespace ${name}: ${String(answer.body['message'] ?? answer.status)}`);
        }
      },
    };
    return await fn(session);
  } finally {
    client.close();
    await plane.stop();
  }
}

function notSent(message: string): ApiAnswer {
  return { status: NOT_SENT, body: { message }, warnings: [] };
}

/** Discovery, waiting (briefly) until every installed CRD's kind is served. */
async function discoverWithCrds(client: KubeClient, plan: CrdPlan, signal?: AbortSignal): Promise<Map<string, ServedResource>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    signal?.throwIfAborted();
    const served = await client.discover();
    const kinds = new Set([...served.keys()].map((key) => `${key.split('/')[0]}/${key.split('/')[2]}`));
    if (plan.crds.every((crd) => kinds.has(`${crd.group}/${crd.kind}`)) || Date.now() > deadline) return served;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

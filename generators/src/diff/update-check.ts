/**
 * Update-time rules, judged by a real kube-apiserver: some changes are valid objects but cannot
 * be made to an existing object (a Deployment selector, a Service's clusterIP, CRD fields guarded
 * by `oldSelf` CEL rules such as an ACK Bucket's name). Argo CD would fail the sync, or need to
 * delete and recreate the object. For every resource that exists on both sides of the diff and
 * changed, the base object is applied to a fresh server and the head object over it; a refusal
 * whose head object would be accepted on its own (dry-run create after deleting the base) is an
 * update-time refusal, raised as a flag: data-loss for stateful kinds, danger otherwise.
 */
import { ruleFlag, type RiskFlag } from './risk.js';
import { apiGroup, describe, type Resource, type Snapshot } from './snapshot.js';
import { statefulKind } from './stateful.js';
import type { ControlPlaneBinaries } from '../tools/control-plane-build.js';
import type { EnsureOptions } from '../tools/go.js';
import { planCrds } from '../validate/apiserver/crd-install.js';
import type { PreparedCrdSource } from '../validate/crd-sources.js';
import type { ApiAnswer } from '../validate/apiserver/kube-client.js';
import { withApiServer } from '../validate/apiserver/session.js';

/** What one cluster's server needs. */
export interface UpdateCheckCluster {
  readonly binaries: ControlPlaneBinaries;
  /** The CRD sources the cluster installs, in priority order. */
  readonly crdSources: readonly PreparedCrdSource[];
}

export interface UpdateCheckOptions {
  /** Per cluster name (clusters without an entry are not checked). */
  readonly clusters: ReadonlyMap<string, UpdateCheckCluster>;
  readonly cacheRoot: string;
  readonly signal?: AbortSignal;
  readonly log?: EnsureOptions['log'];
}

/** A resource present on both sides with a different object. */
export interface ChangedPair {
  readonly base: Resource;
  readonly head: Resource;
}

/** The changed pairs of a cluster (matched like the diff: apiVersion may move within its group). */
export function changedPairs(base: Snapshot, head: Snapshot, cluster: string): ChangedPair[] {
  const key = (r: Resource) => [apiGroup(r.apiVersion), r.kind, r.namespace, r.name].join('\0');
  const baseByKey = new Map(base.resources.filter((r) => r.cluster === cluster && r.kind !== 'File').map((r) => [key(r), r]));
  const pairs: ChangedPair[] = [];
  for (const h of head.resources) {
    if (h.cluster !== cluster || h.kind === 'File') continue;
    const b = baseByKey.get(key(h));
    if (b && JSON.stringify(b.object) !== JSON.stringify(h.object)) pairs.push({ base: b, head: h });
  }
  return pairs;
}

/** Runs the check per cluster and returns one flag per refused update. */
export async function checkUpdates(base: Snapshot, head: Snapshot, options: UpdateCheckOptions): Promise<RiskFlag[]> {
  const flags: RiskFlag[] = [];
  for (const [cluster, { binaries, crdSources }] of [...options.clusters].sort(([a], [b]) => a.localeCompare(b))) {
    const pairs = changedPairs(base, head, cluster);
    if (pairs.length === 0) continue;
    const used = new Map<string, Set<string>>();
    for (const r of pairs.flatMap((p) => [p.base, p.head])) {
      const group = apiGroup(r.apiVersion);
      if (!group) continue;
      const versions = used.get(`${group}/${r.kind}`) ?? new Set<string>();
      versions.add(r.apiVersion.slice(group.length + 1));
      used.set(`${group}/${r.kind}`, versions);
    }
    const plan = await planCrds(crdSources, used);
    options.log?.(`${cluster}: judging ${pairs.length} changed resource${pairs.length === 1 ? '' : 's'} as updates on kube-apiserver ${binaries.kubernetesRelease}`);
    const refused = await withApiServer({ binaries, plan, cacheRoot: options.cacheRoot, signal: options.signal, log: options.log }, async (session) => {
      const namespaces = [...base.resources, ...head.resources].filter((r) => r.cluster === cluster).flatMap((r) => (r.kind === 'Namespace' && r.apiVersion === 'v1' ? [r.name] : r.namespace ? [r.namespace] : []));
      await session.ensureNamespaces(namespaces);
      const found: { pair: ChangedPair; message: string }[] = [];
      for (const pair of pairs) {
        const created = await session.apply(pair.base.object);
        if (!ok(created)) continue; // the base itself was invalid: nothing to judge as an update
        const updated = await session.apply(pair.head.object);
        if (ok(updated)) continue;
        // Refused: is it the update, or the head object itself (validate reports that)?
        await session.remove(pair.base.object);
        const alone = await session.apply(pair.head.object, { dryRun: true });
        if (ok(alone)) found.push({ pair, message: String(updated.body['message'] ?? `HTTP ${updated.status}`) });
      }
      return found;
    });
    for (const { pair, message } of refused) {
      const stateful = statefulKind(pair.head.apiVersion, pair.head.kind) !== undefined;
      flags.push(
        ruleFlag(
          stateful ? 'stateful-update-refused' : 'update-refused',
          { cluster, app: pair.head.app, resource: describe(pair.head) },
          `the API server refuses this change as an update, so Argo CD cannot sync it in place${stateful ? '; recreating it replaces the AWS resource' : ' (it would have to delete and recreate the object)'}: ${message}`,
        ),
      );
    }
  }
  return flags;
}

function ok(answer: ApiAnswer): boolean {
  return answer.status >= 200 && answer.status < 300;
}

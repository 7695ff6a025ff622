import { allContainers, podTemplates, type Container, type PodSpec } from '../validate/pod-templates.js';
import type { ResourceChange } from './compare.js';
import { apiGroup, describe, type Resource, type Snapshot } from './snapshot.js';
import { rolloutRisks } from './rollout-risk.js';
import { statefulKind, valueAt } from './stateful.js';

/**
 * The risk rules of `gitops diff`. Each flag names its rule, where it applies and why it matters.
 * Levels:
 * - `data-loss`: applying the change deletes or replaces something that holds data. `gitops diff`
 *   exits 3; the pull-request workflow fails unless the PR carries the `allow-data-loss` label.
 * - `danger`: likely outage or weaker security; shown at the top, does not fail.
 * - `notice`: needs a careful look (production changes).
 */

export type RiskLevel = 'data-loss' | 'danger' | 'notice';

export interface RiskFlag {
  readonly level: RiskLevel;
  /** Rule id, e.g. `stateful-deletion`. */
  readonly rule: string;
  readonly cluster: string;
  readonly app: string;
  /** `Kind namespace/name`, or empty for a cluster-wide flag. */
  readonly resource: string;
  readonly message: string;
}

/** One container image that changes (added, removed or replaced). */
export interface ImageChange {
  readonly cluster: string;
  readonly app: string;
  readonly resource: string;
  readonly container: string;
  readonly from?: string;
  readonly to?: string;
}

export interface RiskContext {
  readonly base: Snapshot;
  readonly head: Snapshot;
}

/** Every rule, in the order flags are listed inside a level. */
export const RISK_RULES: readonly { readonly id: string; readonly level: RiskLevel; readonly description: string }[] = [
  { id: 'stateful-deletion', level: 'data-loss', description: 'a database, cache, bucket, queue or volume (ACK, Crossplane or PVC) is deleted or renamed, or the Namespace holding one is deleted' },
  { id: 'stateful-replacement', level: 'data-loss', description: 'a field that makes AWS replace the resource changes (identifier, engine, bucket or queue name, FIFO, cluster mode, encryption, ...)' },
  { id: 'stateful-update-refused', level: 'data-loss', description: 'the real API server refuses the change to a database, cache, bucket or queue as an update (`diff --apiserver`): it can only be made by deleting and recreating the resource' },
  { id: 'protection-weakened', level: 'danger', description: 'deletion protection, retain / Orphan deletion policies or Argo CD Prune=false,Delete=false are removed from a stateful resource' },
  { id: 'application-deleted', level: 'danger', description: 'an Argo CD Application or ApplicationSet is deleted (its finalizer may delete what it manages)' },
  { id: 'selector-changed', level: 'danger', description: 'a workload selector changes (immutable: the sync fails until the object is recreated)' },
  { id: 'update-refused', level: 'danger', description: 'the real API server refuses the change as an update (`diff --apiserver`: immutable field, `oldSelf` rule): Argo CD cannot sync it without deleting and recreating the object' },
  { id: 'scaled-to-zero', level: 'danger', description: 'replicas or an autoscaling maximum becomes 0' },
  { id: 'security-loosened', level: 'danger', description: 'a pod or container security context, or a namespace Pod Security level, is loosened' },
  { id: 'network-policy-loosened', level: 'danger', description: 'a NetworkPolicy is removed, allows new traffic or selects differently' },
  { id: 'canary-removed', level: 'danger', description: 'a production service that released as an Argo Rollouts canary loses it (its Rollout removed, replaced by a Deployment or no longer a canary)' },
  { id: 'analysis-removed', level: 'danger', description: "a production canary Rollout loses its analysis: nothing checks the new version or rolls it back" },
  { id: 'appproject-loosened', level: 'danger', description: 'an Argo CD AppProject allows more sources, destinations or kinds, or is removed' },
  { id: 'production-change', level: 'notice', description: 'anything changes in a production cluster' },
];

const levelOf = new Map(RISK_RULES.map((rule) => [rule.id, rule.level]));
const order = new Map(RISK_RULES.map((rule, index) => [rule.id, index]));

function flag(rule: string, resource: Pick<Resource, 'cluster' | 'app' | 'kind' | 'namespace' | 'name'> | { cluster: string; app: string }, message: string): RiskFlag {
  return {
    level: levelOf.get(rule) ?? 'notice',
    rule,
    cluster: resource.cluster,
    app: resource.app,
    resource: 'kind' in resource ? describe(resource) : '',
    message,
  };
}

/** A short, single-line rendering of a value for messages. */
export function show(value: unknown): string {
  if (value === undefined) return '(unset)';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Evaluates every rule on a comparison. */
export function assessRisks(changes: readonly ResourceChange[], context: RiskContext): { flags: RiskFlag[]; images: ImageChange[] } {
  const flags: RiskFlag[] = [];
  const images: ImageChange[] = [];
  for (const change of changes) {
    const base = change.base?.object;
    const head = change.head?.object;
    const subject = change;
    const stateful = statefulKind(change.apiVersion, change.kind) ?? (change.base ? statefulKind(change.base.apiVersion, change.kind) : undefined);

    if (change.status === 'removed' && stateful) {
      const renamed = changes.find(
        (other) =>
          other.status === 'added' && other.cluster === change.cluster && other.kind === change.kind && apiGroup(other.apiVersion) === apiGroup(change.apiVersion) && other.namespace === change.namespace,
      );
      const retained = base && (valueAt(base, 'metadata.annotations.services.k8s.aws/deletion-policy') === 'retain' || valueAt(base, 'spec.deletionPolicy') === 'Orphan');
      flags.push(
        flag(
          'stateful-deletion',
          subject,
          `${renamed ? `renamed to ${renamed.name}: ` : ''}` +
            (retained
              ? `removes the ${stateful.holds} (${apiGroup(change.apiVersion) || 'core'} ${change.kind}) from Git: its retain/Orphan deletion policy keeps it in AWS, no longer managed`
              : `deletes the ${stateful.holds} and its data (${apiGroup(change.apiVersion) || 'core'} ${change.kind})`) +
            (renamed ? '; a rename deletes the old resource and creates a new, empty one' : ''),
        ),
      );
    }
    if (change.status === 'removed' && change.kind === 'Namespace' && !change.namespace) {
      const holders = context.base.resources.filter((resource) => resource.cluster === change.cluster && resource.namespace === change.name && statefulKind(resource.apiVersion, resource.kind));
      if (holders.length) {
        flags.push(flag('stateful-deletion', subject, `deleting Namespace ${change.name} deletes what it holds: ${holders.map((holder) => `${statefulKind(holder.apiVersion, holder.kind)!.holds} ${describe(holder)}`).join(', ')}`));
      }
    }
    if (change.status === 'changed' && stateful && base && head) {
      const replaced = stateful.replaceOn.filter((field) => !same(valueAt(base, field), valueAt(head, field)));
      if (replaced.length) {
        flags.push(
          flag(
            'stateful-replacement',
            subject,
            `AWS replaces the ${stateful.holds} ${describe(change)} (a new, empty one) because ${replaced.map((field) => `${field} changes ${show(valueAt(base, field))} → ${show(valueAt(head, field))}`).join('; ')}`,
          ),
        );
      }
      const weakened = weakenedProtections(base, head);
      if (weakened.length) flags.push(flag('protection-weakened', subject, `${stateful.holds} ${describe(change)}: ${weakened.join('; ')}`));
    }
    if (change.status === 'removed' && (change.kind === 'Application' || change.kind === 'ApplicationSet') && apiGroup(change.apiVersion) === 'argoproj.io') {
      const finalizers = (valueAt(base, 'metadata.finalizers') as unknown[] | undefined) ?? [];
      const cascades = finalizers.some((name) => typeof name === 'string' && name.startsWith('resources-finalizer.argocd.argoproj.io'));
      flags.push(flag('application-deleted', subject, cascades ? `deleting ${describe(change)} deletes every resource it manages (resources finalizer)` : `${describe(change)} is deleted: what it syncs is no longer managed`));
    }
    if (change.status === 'changed' && base && head && ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'].includes(change.kind)) {
      if (!same(valueAt(base, 'spec.selector'), valueAt(head, 'spec.selector'))) {
        flags.push(flag('selector-changed', subject, `spec.selector changes ${show(valueAt(base, 'spec.selector'))} → ${show(valueAt(head, 'spec.selector'))}: selectors are immutable, the sync fails until the object is deleted and recreated`));
      }
    }
    if (head) {
      const zero = scaledToZero(change.kind, base, head);
      if (zero) flags.push(flag('scaled-to-zero', subject, zero));
    }
    if (change.status === 'changed' && base && head) {
      const loosened = [...loosenedPods(base, head), ...loosenedNamespace(change.kind, base, head)];
      if (loosened.length) flags.push(flag('security-loosened', subject, loosened.join('; ')));
    }
    if (change.kind === 'NetworkPolicy' && apiGroup(change.apiVersion) === 'networking.k8s.io') {
      const loosened = loosenedNetworkPolicy(change.status, base, head);
      if (loosened) flags.push(flag('network-policy-loosened', subject, loosened));
    }
    if (change.kind === 'AppProject' && apiGroup(change.apiVersion) === 'argoproj.io') {
      const loosened = loosenedAppProject(change.status, base, head);
      if (loosened.length) flags.push(flag('appproject-loosened', subject, loosened.join('; ')));
    }
    for (const risk of rolloutRisks(change, changes, context)) flags.push(flag(risk.rule, subject, risk.message));
    images.push(...imageChanges(change));
  }

  const productionCounts = new Map<string, { added: number; changed: number; removed: number }>();
  for (const change of changes) {
    const production = (context.head.clusters.get(change.cluster) ?? context.base.clusters.get(change.cluster))?.production;
    if (!production) continue;
    const counts = productionCounts.get(change.cluster) ?? { added: 0, changed: 0, removed: 0 };
    if (change.status === 'added') counts.added++;
    else if (change.status === 'removed') counts.removed++;
    else counts.changed++;
    productionCounts.set(change.cluster, counts);
  }
  for (const [cluster, counts] of productionCounts) {
    const total = counts.added + counts.changed + counts.removed;
    flags.push(
      flag(
        'production-change',
        { cluster, app: '' },
        `${total} resource${total === 1 ? '' : 's'} change in the production cluster ${cluster} (${counts.added} added, ${counts.changed} changed, ${counts.removed} removed): Argo CD syncs them on merge`,
      ),
    );
  }

  sortFlags(flags);
  return { flags, images };
}

/** Sorts flags by level, then rule order, cluster, app and resource. */
export function sortFlags(flags: RiskFlag[]): RiskFlag[] {
  const levels: Record<RiskLevel, number> = { 'data-loss': 0, danger: 1, notice: 2 };
  return flags.sort(
    (a, b) =>
      levels[a.level] - levels[b.level] || (order.get(a.rule) ?? 99) - (order.get(b.rule) ?? 99) || a.cluster.localeCompare(b.cluster) || a.app.localeCompare(b.app) || a.resource.localeCompare(b.resource),
  );
}

/** A flag of a rule of `RISK_RULES`, at that rule's level. */
export function ruleFlag(rule: string, where: { cluster: string; app: string; resource: string }, message: string): RiskFlag {
  return { level: levelOf.get(rule) ?? 'notice', rule, ...where, message };
}

function weakenedProtections(base: Record<string, unknown>, head: Record<string, unknown>): string[] {
  const found: string[] = [];
  const ackPolicy = 'metadata.annotations.services.k8s.aws/deletion-policy';
  if (valueAt(base, ackPolicy) === 'retain' && valueAt(head, ackPolicy) !== 'retain') found.push(`ACK deletion policy retain → ${show(valueAt(head, ackPolicy))}`);
  if (valueAt(base, 'spec.deletionPolicy') === 'Orphan' && valueAt(head, 'spec.deletionPolicy') !== 'Orphan') found.push(`deletionPolicy Orphan → ${show(valueAt(head, 'spec.deletionPolicy'))}`);
  const policies = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);
  const baseManagement = policies(valueAt(base, 'spec.managementPolicies'));
  const headManagement = policies(valueAt(head, 'spec.managementPolicies'));
  const canDelete = (list: string[], present: boolean) => present && (list.includes('*') || list.includes('Delete'));
  if (!canDelete(baseManagement, valueAt(base, 'spec.managementPolicies') !== undefined) && canDelete(headManagement, valueAt(head, 'spec.managementPolicies') !== undefined)) {
    found.push(`managementPolicies now allow Delete (${show(headManagement)})`);
  }
  for (const field of ['spec.deletionProtection', 'spec.forProvider.deletionProtection']) {
    if (valueAt(base, field) === true && valueAt(head, field) !== true) found.push(`${field} true → ${show(valueAt(head, field))}`);
  }
  for (const field of ['spec.skipFinalSnapshot', 'spec.forProvider.skipFinalSnapshot']) {
    if (valueAt(base, field) !== true && valueAt(head, field) === true) found.push(`${field} → true (no final snapshot on deletion)`);
  }
  const syncOptions = (object: Record<string, unknown>) => String(valueAt(object, 'metadata.annotations.argocd.argoproj.io/sync-options') ?? '').split(',').map((option) => option.trim());
  for (const option of ['Prune=false', 'Delete=false']) {
    if (syncOptions(base).includes(option) && !syncOptions(head).includes(option)) found.push(`Argo CD sync option ${option} removed`);
  }
  return found;
}

function scaledToZero(kind: string, base: Record<string, unknown> | undefined, head: Record<string, unknown>): string | undefined {
  const check = (field: string, baseDefault: number | undefined): string | undefined => {
    const after = valueAt(head, field);
    if (after !== 0) return undefined;
    const before = base ? (valueAt(base, field) ?? baseDefault) : undefined;
    if (before === 0) return undefined;
    return `${field} ${before === undefined ? 'is' : `${show(before)} →`} 0: nothing runs`;
  };
  switch (kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'ReplicaSet':
    case 'Rollout':
      return check('spec.replicas', 1);
    case 'HorizontalPodAutoscaler':
      return check('spec.maxReplicas', undefined);
    case 'ScaledObject':
      return check('spec.maxReplicaCount', 100);
    default:
      return undefined;
  }
}

interface PodSecurityView {
  readonly runAsNonRoot?: unknown;
  readonly runAsUser?: unknown;
  readonly privileged?: unknown;
  readonly allowPrivilegeEscalation?: unknown;
  readonly readOnlyRootFilesystem?: unknown;
  readonly seccomp?: unknown;
  readonly drop: readonly string[];
  readonly add: readonly string[];
}

function effective(pod: PodSpec, container: Container): PodSecurityView {
  const podContext = pod.securityContext ?? {};
  const own = container.securityContext ?? {};
  const capabilities = (own['capabilities'] ?? {}) as { drop?: unknown[]; add?: unknown[] };
  return {
    runAsNonRoot: own['runAsNonRoot'] ?? podContext['runAsNonRoot'],
    runAsUser: own['runAsUser'] ?? podContext['runAsUser'],
    privileged: own['privileged'],
    allowPrivilegeEscalation: own['allowPrivilegeEscalation'],
    readOnlyRootFilesystem: own['readOnlyRootFilesystem'],
    seccomp: ((own['seccompProfile'] ?? podContext['seccompProfile']) as { type?: unknown } | undefined)?.type,
    drop: (capabilities.drop ?? []).map(String),
    add: (capabilities.add ?? []).map(String),
  };
}

function loosenedPods(base: Record<string, unknown>, head: Record<string, unknown>): string[] {
  const found: string[] = [];
  const baseTemplates = new Map(podTemplates(base).map((template) => [template.path, template.spec]));
  for (const template of podTemplates(head)) {
    const before = baseTemplates.get(template.path);
    if (!before) continue;
    const after = template.spec;
    for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
      if (before[field] !== true && after[field] === true) found.push(`pod ${field} → true`);
    }
    const hostPaths = (spec: PodSpec) => (spec.volumes ?? []).filter((volume) => volume['hostPath']).map((volume) => String(volume['name']));
    const newHostPaths = hostPaths(after).filter((name) => !hostPaths(before).includes(name));
    if (newHostPaths.length) found.push(`hostPath volume ${newHostPaths.join(', ')} added`);
    const beforeContainers = new Map(allContainers(before).map(({ container }) => [container.name, container]));
    for (const { container } of allContainers(after)) {
      const previous = beforeContainers.get(container.name);
      if (!previous) continue;
      const was = effective(before, previous);
      const now = effective(after, container);
      const where = `container ${container.name ?? '?'}`;
      if (was.runAsNonRoot === true && now.runAsNonRoot !== true) found.push(`${where}: runAsNonRoot true → ${show(now.runAsNonRoot)}`);
      if (was.runAsUser !== 0 && now.runAsUser === 0) found.push(`${where}: runs as root (runAsUser 0)`);
      if (was.privileged !== true && now.privileged === true) found.push(`${where}: privileged → true`);
      if (was.allowPrivilegeEscalation === false && now.allowPrivilegeEscalation !== false) found.push(`${where}: allowPrivilegeEscalation false → ${show(now.allowPrivilegeEscalation)}`);
      if (was.readOnlyRootFilesystem === true && now.readOnlyRootFilesystem !== true) found.push(`${where}: readOnlyRootFilesystem true → ${show(now.readOnlyRootFilesystem)}`);
      const strictSeccomp = (type: unknown) => type === 'RuntimeDefault' || type === 'Localhost';
      if (strictSeccomp(was.seccomp) && !strictSeccomp(now.seccomp)) found.push(`${where}: seccompProfile ${show(was.seccomp)} → ${show(now.seccomp)}`);
      if (was.drop.includes('ALL') && !now.drop.includes('ALL')) found.push(`${where}: capabilities no longer drop ALL`);
      const added = now.add.filter((capability) => !was.add.includes(capability));
      if (added.length) found.push(`${where}: capabilities add ${added.join(', ')}`);
    }
  }
  return found;
}

const podSecurityLevels = ['privileged', 'baseline', 'restricted'];

function loosenedNamespace(kind: string, base: Record<string, unknown>, head: Record<string, unknown>): string[] {
  if (kind !== 'Namespace') return [];
  const found: string[] = [];
  for (const mode of ['enforce', 'audit', 'warn']) {
    const label = `metadata.labels.pod-security.kubernetes.io/${mode}`;
    const before = podSecurityLevels.indexOf(String(valueAt(base, label)));
    const after = podSecurityLevels.indexOf(String(valueAt(head, label)));
    if (before > 0 && after < before) found.push(`Pod Security ${mode} ${show(valueAt(base, label))} → ${show(valueAt(head, label))}`);
  }
  return found;
}

function ruleSet(object: Record<string, unknown> | undefined, field: 'ingress' | 'egress'): Set<string> {
  const rules = object ? valueAt(object, `spec.${field}`) : undefined;
  return new Set(Array.isArray(rules) ? rules.map((rule) => JSON.stringify(rule)) : []);
}

function opensEverything(rule: unknown, peers: 'from' | 'to'): boolean {
  if (!rule || typeof rule !== 'object') return false;
  const list = (rule as Record<string, unknown>)[peers];
  if (!Array.isArray(list) || list.length === 0) return true;
  return list.some((peer) => {
    const record = (peer ?? {}) as Record<string, unknown>;
    const cidr = (record['ipBlock'] as { cidr?: string } | undefined)?.cidr;
    const emptySelector = (selector: unknown) => selector !== undefined && JSON.stringify(selector) === '{}';
    return cidr === '0.0.0.0/0' || cidr === '::/0' || (emptySelector(record['namespaceSelector']) && (record['podSelector'] === undefined || emptySelector(record['podSelector'])));
  });
}

function loosenedNetworkPolicy(status: string, base: Record<string, unknown> | undefined, head: Record<string, unknown> | undefined): string | undefined {
  if (status === 'removed') return `the NetworkPolicy is deleted: traffic it denied or limited is no longer controlled by it`;
  if (!head) return undefined;
  const reasons: string[] = [];
  for (const [field, peers] of [['ingress', 'from'], ['egress', 'to']] as const) {
    const rules = (valueAt(head, `spec.${field}`) as unknown[] | undefined) ?? [];
    const before = ruleSet(base, field);
    const fresh = rules.filter((rule) => !before.has(JSON.stringify(rule)));
    if (status === 'added') {
      if (fresh.some((rule) => opensEverything(rule, peers))) reasons.push(`${field} allows traffic from any ${peers === 'from' ? 'source' : 'destination'}`);
    } else if (fresh.length) {
      reasons.push(`${fresh.length} new ${field} rule${fresh.length === 1 ? '' : 's'}${fresh.some((rule) => opensEverything(rule, peers)) ? ', one open to everything' : ''}`);
    }
  }
  if (status !== 'added' && base) {
    const types = (object: Record<string, unknown>) => ((valueAt(object, 'spec.policyTypes') as string[] | undefined) ?? []).map(String);
    const lost = types(base).filter((type) => !types(head).includes(type));
    if (lost.length) reasons.push(`policyTypes no longer include ${lost.join(', ')}`);
    if (!same(valueAt(base, 'spec.podSelector'), valueAt(head, 'spec.podSelector'))) reasons.push(`podSelector changes ${show(valueAt(base, 'spec.podSelector'))} → ${show(valueAt(head, 'spec.podSelector'))}`);
  }
  return reasons.length ? reasons.join('; ') : undefined;
}

const projectAllowLists = ['spec.sourceRepos', 'spec.sourceNamespaces', 'spec.destinations', 'spec.clusterResourceWhitelist', 'spec.namespaceResourceWhitelist', 'spec.destinationServiceAccounts'];
const projectDenyLists = ['spec.clusterResourceBlacklist', 'spec.namespaceResourceBlacklist', 'spec.syncWindows'];

function entries(object: Record<string, unknown> | undefined, field: string): string[] {
  const value = object ? valueAt(object, field) : undefined;
  return Array.isArray(value) ? value.map((entry) => JSON.stringify(entry)) : [];
}

function loosenedAppProject(status: string, base: Record<string, unknown> | undefined, head: Record<string, unknown> | undefined): string[] {
  if (status === 'removed') return ['the AppProject is deleted: Applications in it stop syncing, or move to a looser project'];
  if (!head) return [];
  const found: string[] = [];
  for (const field of projectAllowLists) {
    const before = new Set(entries(base, field));
    const fresh = entries(head, field).filter((entry) => !before.has(entry));
    const wildcard = fresh.filter((entry) => entry.includes('"*"') || entry.includes(':"*') || entry === '"*"');
    if (status === 'added') {
      if (wildcard.length) found.push(`${field} allows wildcards: ${wildcard.join(', ')}`);
    } else if (fresh.length) {
      found.push(`${field} allows ${fresh.join(', ')}`);
    }
  }
  if (status !== 'added') {
    for (const field of projectDenyLists) {
      const after = new Set(entries(head, field));
      const lost = entries(base, field).filter((entry) => !after.has(entry));
      if (lost.length) found.push(`${field} no longer lists ${lost.join(', ')}`);
    }
    const roles = (object: Record<string, unknown> | undefined) =>
      ((object ? (valueAt(object, 'spec.roles') as { policies?: unknown[] }[] | undefined) : undefined) ?? []).flatMap((role) => (role.policies ?? []).map(String));
    const beforePolicies = new Set(roles(base));
    const freshPolicies = roles(head).filter((policy) => !beforePolicies.has(policy));
    if (freshPolicies.length) found.push(`roles gain policies ${freshPolicies.join(', ')}`);
  }
  return found;
}

function containerImages(object: Record<string, unknown> | undefined): Map<string, string> {
  const images = new Map<string, string>();
  if (!object) return images;
  const templates = podTemplates(object);
  for (const template of templates) {
    // Several pods in one object (Argo Workflows templates) may each have a container `main`.
    const prefix = templates.length > 1 ? `${template.path} ` : '';
    for (const { container, type } of allContainers(template.spec)) {
      if (typeof container.image === 'string') images.set(`${prefix}${type === 'container' ? String(container.name) : `${String(container.name)} (${type})`}`, container.image);
    }
  }
  return images;
}

function imageChanges(change: ResourceChange): ImageChange[] {
  if (change.status === 'moved') return [];
  const before = containerImages(change.base?.object);
  const after = containerImages(change.head?.object);
  const result: ImageChange[] = [];
  const where = { cluster: change.cluster, app: change.app, resource: describe(change) };
  for (const [container, image] of after) {
    const previous = before.get(container);
    if (previous !== image) result.push({ ...where, container, from: previous, to: image });
  }
  for (const [container, image] of before) if (!after.has(container)) result.push({ ...where, container, from: image });
  return result;
}

/** True when any flag is a data-loss flag (the diff exits 3). */
export function hasDataLoss(flags: readonly RiskFlag[]): boolean {
  return flags.some((entry) => entry.level === 'data-loss');
}

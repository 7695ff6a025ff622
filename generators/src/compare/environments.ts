import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { clusterAddons } from '../argocd/addons.js';
import { awsControllers, crossplanePackages, runsCrossplane } from '../argocd/controllers.js';
import { isSensitiveKey, REDACTED, redactString } from '../diff/redact.js';
import type { ClusterPlatform, Platform } from '../inputs/platform.js';
import { isProduction } from '../inputs/production.js';
import type { InfraResource } from '../inputs/infra.js';
import { resolveRepository, type Service } from '../inputs/services.js';

/**
 * What one environment runs that another does not, per service, from the resolved inputs (the
 * same model the generators render): `gitops compare --from staging --to production`.
 *
 * Each difference is classed by where it comes from:
 * - `image`: the images differ (the release gap a promotion closes);
 * - `declared`: the inputs declare the setting for the `to` cluster (a key of
 *   `apps/<service>/<to>.yaml`: a production-only setting when comparing staging to production),
 *   or a resource's per-cluster sizing (the `clusters.<c>` block of `infra/<resource>.yaml`, either
 *   side): an expected difference;
 * - `cluster`: it follows from the clusters themselves (flavor, production, provider, domain,
 *   registry, the params pulled from SSM): an expected difference too;
 * - `drift`: nothing declares it for the `to` cluster: a service setting of the `from` cluster's
 *   override only (a debug level, a flag tried in staging), or explained by no input at all.
 */

export type DifferenceClass = 'image' | 'declared' | 'cluster' | 'drift';

/** What the comparison looks at, in the order the tables list it. */
export const aspects = ['image', 'scaling', 'resources', 'env', 'feature flags', 'secrets', 'config', 'rollout', 'cloud resources', 'add-ons'] as const;
export type Aspect = (typeof aspects)[number];

export interface Difference {
  /** The service, or `(cluster)` for the add-ons. */
  readonly service: string;
  readonly aspect: Aspect;
  /** Dotted setting, e.g. `resources.limits.memory`, `env.LOG_LEVEL`, `platform-db.instanceClass`. */
  readonly setting: string;
  /** Value in the `from` cluster; `undefined`: not set there. Secret values are redacted. */
  readonly from: string | undefined;
  readonly to: string | undefined;
  readonly class: DifferenceClass;
  /** Why it is expected (the declaring file, or the cluster property); empty for drift and images. */
  readonly reason: string;
}

export interface EnvironmentComparison {
  readonly from: string;
  readonly to: string;
  /** Each cluster in one line: `staging: k3s, crossplane`, `production: eks, ack, production`. */
  readonly clusters: readonly [string, string];
  /** Services compared (sorted). */
  readonly services: readonly string[];
  readonly differences: readonly Difference[];
  /** Counts per class. */
  readonly counts: Readonly<Record<DifferenceClass, number>>;
}

/** Environment variables taken as feature flags: the schema has no flag field, so names say it. */
const featureFlag = /^(FEATURE|FEATURES|FF|FLAG|ENABLE|DISABLE)_/;

/** Compares two clusters of a loaded platform; `services` limits it (undefined: all). */
export async function compareEnvironments(root: string, platform: Platform, from: ClusterPlatform, to: ClusterPlatform, services?: readonly string[]): Promise<EnvironmentComparison> {
  const names = [...new Set([...from.services, ...to.services].map((service) => service.name))].filter((name) => !services || services.includes(name)).sort();
  const overrides = new OverrideReader(root);
  const differences: Difference[] = [];
  for (const name of names) {
    const a = from.services.find((service) => service.name === name);
    const b = to.services.find((service) => service.name === name);
    const left = a ? serviceSettings(a, from) : new Map<string, Setting>();
    const right = b ? serviceSettings(b, to) : new Map<string, Setting>();
    for (const key of union(left, right)) {
      const x = left.get(key);
      const y = right.get(key);
      if (x?.value === y?.value) continue;
      const setting = (x ?? y)!;
      const { cls, reason } = await classify(overrides, name, setting, from, to);
      differences.push({ service: name, aspect: setting.aspect, setting: key, from: x?.value, to: y?.value, class: cls, reason });
    }
  }
  // Each cloud resource the compared services use, once (not once per service).
  const used = [...new Set([...from.services, ...to.services].filter((service) => names.includes(service.name)).flatMap((service) => service.uses))].sort();
  for (const name of used) {
    const left = infraSettings(from, name);
    const right = infraSettings(to, name);
    for (const key of union(left, right)) {
      const x = left.get(key);
      const y = right.get(key);
      if (x === y) continue;
      const file = `infra/${name}.yaml`;
      const declared = await overrides.declares(file, ['clusters', to.cluster.name, ...key.split('.')]);
      const only = await overrides.declares(file, ['clusters', from.cluster.name, ...key.split('.')]);
      // A resource's `clusters.<c>` block is its per-cluster sizing by design: declared for either side, expected.
      const [cls, reason]: [DifferenceClass, string] = declared
        ? ['declared', `${file} clusters.${to.cluster.name}`]
        : only
          ? ['declared', `${file} clusters.${from.cluster.name}`]
          : ['cluster', 'follows from the clusters'];
      differences.push({ service: `infra/${name}`, aspect: 'cloud resources', setting: key, from: x, to: y, class: cls, reason });
    }
  }
  if (!services) {
    const left = addonSettings(platform, from);
    const right = addonSettings(platform, to);
    for (const key of union(left, right)) {
      const x = left.get(key);
      const y = right.get(key);
      if (x === y) continue;
      differences.push({ service: '(add-ons)', aspect: 'add-ons', setting: key, from: x, to: y, class: 'cluster', reason: 'follows from the clusters (flavor, provider)' });
    }
  }
  const counts = { image: 0, declared: 0, cluster: 0, drift: 0 };
  for (const difference of differences) counts[difference.class]++;
  return { from: from.cluster.name, to: to.cluster.name, clusters: [describeCluster(from), describeCluster(to)], services: names, differences, counts };
}

interface Setting {
  readonly aspect: Aspect;
  readonly value: string;
  /** The input path that sets it in `apps/<service>/<cluster>.yaml` (for `declared`). */
  readonly input: readonly string[];
  /** The value follows from the cluster (flavor, domain, registry, production). */
  readonly fromCluster?: boolean;
}

/** Every compared setting of one service in one cluster, flattened to strings. */
function serviceSettings(service: Service, where: ClusterPlatform): Map<string, Setting> {
  const settings = new Map<string, Setting>();
  const put = (aspect: Aspect, key: string, value: unknown, input: readonly string[], extra: Partial<Setting> = {}) => {
    if (value === undefined) return;
    settings.set(key, { aspect, value: typeof value === 'string' ? value : JSON.stringify(value), input, ...extra });
  };
  put('image', 'image.repository', resolveRepository(where.cluster.registry, service.image.repository), ['image', 'repository'], { fromCluster: true });
  put('image', 'image.tag', service.image.tag, ['image', 'tag']);
  put('image', 'image.digest', service.image.digest, ['image', 'digest']);
  if (service.autoscaling) {
    for (const [key, value] of Object.entries(service.autoscaling)) put('scaling', `autoscaling.${key}`, value, ['autoscaling', key]);
  } else put('scaling', 'replicas', service.replicas ?? 2, ['replicas']);
  for (const kind of ['requests', 'limits'] as const) {
    for (const [key, value] of Object.entries(service.resources[kind])) put('resources', `resources.${kind}.${key}`, value, ['resources', kind, key]);
  }
  for (const [key, value] of Object.entries(service.env)) {
    const shown = isSensitiveKey(key) ? REDACTED : redactString(value);
    put(featureFlag.test(key) ? 'feature flags' : 'env', `env.${key}`, shown, ['env', key]);
  }
  // References, not values; still shown through the redactor (a pasted secret would be caught).
  for (const [key, ref] of Object.entries(service.secretEnv)) put('secrets', `secretEnv.${key}`, redactString(JSON.stringify(ref)), ['secretEnv', key]);
  put('config', 'ports', service.ports.map((port) => `${port.name}:${port.port}`).join(', '), ['ports']);
  for (const [kind, probe] of Object.entries(service.probes)) put('config', `probes.${kind}`, probe, ['probes', kind]);
  if (service.ingress) {
    put('config', 'ingress.host', service.ingress.host, ['ingress', 'host'], { fromCluster: true });
    put('config', 'ingress.path', service.ingress.path, ['ingress', 'path']);
  }
  put('config', 'allowFrom', service.allowFrom.join(', ') || '(none)', ['allowFrom']);
  const rollout = service.rollout;
  put('rollout', 'rollout.strategy', rollout.strategy, ['rollout', 'strategy'], { fromCluster: true });
  if (rollout.strategy === 'canary') {
    put('rollout', 'rollout.steps', rollout.steps.map((step) => `${step.weight}%/${step.pause}`).join(' → '), ['rollout', 'steps'], { fromCluster: true });
    put('rollout', 'rollout.analysis', rollout.analysis ?? '(none)', ['rollout', 'analysis'], { fromCluster: true });
  }
  put('cloud resources', 'uses', service.uses.join(', ') || '(none)', ['uses']);
  return settings;
}

/** The settings of one cloud resource in one cluster, flattened; secret-looking values redacted. */
function infraSettings(where: ClusterPlatform, name: string): Map<string, string> {
  const resource = where.infra.find((entry) => entry.name === name);
  if (!resource) return new Map([['(exists)', 'no']]);
  return new Map(flatten(infraView(resource)).map(([key, value]) => [key, isSensitiveKey(key.split('.').pop()!) ? REDACTED : redactString(value)]));
}

/** The settings of a resource worth comparing (its name, file and cluster are the same or say nothing). */
function infraView(resource: InfraResource): Record<string, unknown> {
  const { name: _name, cluster: _cluster, file: _file, description: _description, ...rest } = resource;
  return rest;
}

/** `a.b.c` → value (as a string) for every leaf; lists are one value. */
function flatten(value: unknown, prefix = ''): [string, string][] {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([key, inner]) => flatten(inner, prefix ? `${prefix}.${key}` : key));
  }
  return value === undefined ? [] : [[prefix, typeof value === 'string' ? value : JSON.stringify(value)]];
}

/** Add-on → its charts and versions in one cluster (which add-ons follow from flavor and provider). */
function addonSettings(platform: Platform, where: ClusterPlatform): Map<string, string> {
  const settings = new Map<string, string>();
  const controllers = awsControllers(where.cluster, where.infra);
  for (const addon of clusterAddons(where.cluster, platform.addons, controllers)) {
    const charts = addon.charts.map((chart) => {
      const pinned = platform.addons.charts[chart.chart];
      return `${chart.chart} ${pinned.version}${pinned.appVersion ? ` (${pinned.appVersion})` : ''}${pinned.image ? ` image ${pinned.image.tag}` : ''}`;
    });
    settings.set(addon.id, charts.join(', ') || '(no chart)');
  }
  if (runsCrossplane(controllers)) {
    for (const id of crossplanePackages(controllers)) settings.set(`crossplane-provider-${id}`, platform.addons.crossplaneProviders[id].split('/').pop()!);
  }
  return settings;
}

function union<K>(a: ReadonlyMap<K, unknown>, b: ReadonlyMap<K, unknown>): K[] {
  return [...new Set([...a.keys(), ...b.keys()])];
}

/** Where a difference comes from. */
async function classify(overrides: OverrideReader, service: string, setting: Setting, from: ClusterPlatform, to: ClusterPlatform): Promise<{ cls: DifferenceClass; reason: string }> {
  if (setting.aspect === 'image' && setting.input[1] !== 'repository') return { cls: 'image', reason: '' };
  const declaredFor = `apps/${service}/${to.cluster.name}.yaml`;
  if (await overrides.declares(declaredFor, setting.input)) return { cls: 'declared', reason: declaredFor };
  if (setting.fromCluster) return { cls: 'cluster', reason: 'follows from the clusters' };
  const onlyFrom = `apps/${service}/${from.cluster.name}.yaml`;
  if (await overrides.declares(onlyFrom, setting.input)) return { cls: 'drift', reason: `set for ${from.cluster.name} only (${onlyFrom})` };
  return { cls: 'drift', reason: 'no input declares it' };
}

/** `production: eks, ack, production`. */
function describeCluster(where: ClusterPlatform): string {
  return `${where.cluster.name}: ${where.cluster.flavor}, ${where.cluster.provider}${isProduction(where.cluster) ? ', production' : ''}`;
}

/** Reads input files once and says whether they set a path (or one of its parents). */
class OverrideReader {
  private readonly files = new Map<string, Promise<unknown>>();
  constructor(private readonly root: string) {}

  async declares(file: string, fieldPath: readonly string[]): Promise<boolean> {
    let data = await this.read(file);
    for (const key of fieldPath) {
      if (typeof data !== 'object' || data === null || Array.isArray(data)) return false;
      if (!(key in data)) return false;
      data = (data as Record<string, unknown>)[key];
    }
    return true;
  }

  private read(file: string): Promise<unknown> {
    let cached = this.files.get(file);
    if (!cached) {
      cached = readFile(path.join(this.root, file), 'utf8').then(
        (text) => parse(text) as unknown,
        () => undefined,
      );
      this.files.set(file, cached);
    }
    return cached;
  }
}

import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { InputIssue } from '../errors.js';
import { mapLimit } from '../render/task-pool.js';
import type { Cluster } from './clusters.js';
import { ParamResolver } from './clusters.js';
import { mergeServiceOverride } from './merge.js';
import { cpuMillis, memoryBytes } from './quantities.js';
import { dnsLabel } from './schemas/common.js';
import { defaultRolloutAnalysis, serviceSchema, type ServiceInput } from './schemas/service.js';
import { readYamlFile, type YamlFile } from './yaml-file.js';
import { isProduction } from './production.js';
import { located, zodIssues } from './zod-issues.js';

/** The analysis between canary steps, defaults filled in. */
export interface RolloutAnalysis {
  readonly maxErrorRatePercent: number;
  readonly maxP95LatencyMs: number;
  /** Fewest requests per measurement window for a verdict; fewer is Inconclusive. */
  readonly minRequests: number;
  readonly interval: string;
  readonly measurements: number;
  readonly failureLimit: number;
}

/**
 * How a new version of the service reaches its users: a plain rolling update of a Deployment, or
 * an Argo Rollouts canary whose traffic moves step by step (`weight` percent, held for `pause`),
 * with the analysis after each step (none when turned off).
 */
export type ServiceRollout =
  | { readonly strategy: 'rolling' }
  | {
      readonly strategy: 'canary';
      readonly steps: readonly { readonly weight: number; readonly pause: string }[];
      readonly analysis?: RolloutAnalysis;
    };

/** The canary steps when the input names none: 10% → 25% → 50%, five minutes each, then 100%. */
export const defaultCanarySteps: readonly { weight: number; pause: string }[] = [
  { weight: 10, pause: '5m' },
  { weight: 25, pause: '5m' },
  { weight: 50, pause: '5m' },
];

/** One service as it runs in one cluster: service.yaml with <cluster>.yaml merged, validated, resolved. */
export interface Service extends Omit<ServiceInput, 'serviceAccount' | 'ingress' | 'rollout'> {
  /** Folder name under `apps/`: the name of every Kubernetes object of the service. */
  readonly name: string;
  /** Cluster this instance belongs to. */
  readonly cluster: string;
  /** Full image reference: registry/repository[:tag][@digest]. */
  readonly imageRef: string;
  readonly ingress?: { readonly host: string; readonly path: string; readonly port: string };
  /** IAM role for IRSA (EKS), resolved from params. */
  readonly roleArn?: string;
  /** Rolling update or canary, defaults resolved for the cluster. */
  readonly rollout: ServiceRollout;
  /** The input files, most specific first (for messages and rendered headers). */
  readonly sources: readonly string[];
}

/** Files read from one service folder. */
interface ServiceFolder {
  readonly name: string;
  readonly base: YamlFile;
  readonly overrides: ReadonlyMap<string, YamlFile>;
}

const secretLooking = /(PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|APIKEY|PRIVATE_KEY|CREDENTIAL)/i;

/** Reads every `apps/<service>/` folder and builds the services of each cluster, collecting all issues. */
export async function readServices(
  root: string,
  clusters: readonly Cluster[],
  infraNames: ReadonlySet<string>,
  clusterFolders: readonly string[] = clusters.map((c) => c.name),
): Promise<{ services: Map<string, Service[]>; issues: InputIssue[] }> {
  const issues: InputIssue[] = [];
  const { folders, names } = await readServiceFolders(root, new Set(clusterFolders), issues);
  const services = new Map<string, Service[]>();
  const perCluster = new Map<string, { issue: InputIssue; clusters: string[] }>();
  for (const cluster of clusters) {
    const found: InputIssue[] = [];
    const inCluster: Service[] = [];
    for (const folder of folders) {
      const service = buildService(folder, cluster, infraNames, found);
      if (service) inCluster.push(service);
    }
    crossServiceRules(inCluster, folders, names, cluster, found);
    services.set(cluster.name, inCluster);
    for (const issue of found) {
      const key = JSON.stringify([issue.file, issue.line, issue.column, issue.path, issue.message]);
      const entry = perCluster.get(key) ?? { issue, clusters: [] };
      entry.clusters.push(cluster.name);
      perCluster.set(key, entry);
    }
  }
  // A problem of service.yaml is found once per cluster: report it once, naming the clusters
  // only when it is not all of them (an override of another cluster may hide it there).
  for (const { issue, clusters: where } of perCluster.values()) {
    const overrideOfItsCluster = where.length === 1 && issue.file.endsWith(`/${where[0]}.yaml`);
    const everywhere = where.length === clusters.length;
    issues.push(everywhere || overrideOfItsCluster ? issue : { ...issue, message: `${issue.message} (in cluster ${where.join(', ')})` });
  }
  return { services, issues };
}

/** The folders that loaded, and the name of every folder under apps/ (a broken one is still a service). */
async function readServiceFolders(root: string, clusterNames: ReadonlySet<string>, issues: InputIssue[]): Promise<{ folders: ServiceFolder[]; names: ReadonlySet<string> }> {
  const entries = await readdir(path.join(root, 'apps'), { withFileTypes: true }).catch(() => []);
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  // Folders are read concurrently (the load is I/O bound); results and issues keep name order.
  const read = await mapLimit(names, 16, (name) => readServiceFolder(root, name, clusterNames));
  for (const folder of read) issues.push(...folder.issues);
  return { folders: read.flatMap((folder) => (folder.folder ? [folder.folder] : [])), names: new Set(names) };
}

async function readServiceFolder(
  root: string,
  name: string,
  clusterNames: ReadonlySet<string>,
): Promise<{ folder?: ServiceFolder; issues: InputIssue[] }> {
  const issues: InputIssue[] = [];
  const nameCheck = dnsLabel.safeParse(name);
  if (!nameCheck.success) {
    return { issues: [{ file: `apps/${name}/`, path: '', message: `service folder name ${nameCheck.error.issues[0]!.message}` }] };
  }
  const files = (await readdir(path.join(root, 'apps', name))).sort();
  if (!files.includes('service.yaml')) {
    return { issues: [{ file: `apps/${name}/service.yaml`, path: '', message: 'missing: every service folder needs a service.yaml' }] };
  }
  const base = await readYamlFile(root, `apps/${name}/service.yaml`);
  issues.push(...base.issues);
  const overrides = new Map<string, YamlFile>();
  for (const file of files.filter((f) => f !== 'service.yaml' && !f.startsWith('.'))) {
    const relative = `apps/${name}/${file}`;
    const cluster = file.replace(/\.yaml$/, '');
    if (!file.endsWith('.yaml') || !clusterNames.has(cluster)) {
      const known = [...clusterNames].map((c) => `${c}.yaml`).join(', ');
      issues.push({ file: relative, path: '', message: `unexpected file: a service folder holds service.yaml and per-cluster overrides (${known})` });
      continue;
    }
    // An override without content overrides nothing.
    const override = await readYamlFile(root, relative, { allowEmpty: true });
    issues.push(...override.issues);
    if (override.issues.length === 0) overrides.set(cluster, override.file);
  }
  return { folder: base.issues.length === 0 ? { name, base: base.file, overrides } : undefined, issues };
}

function buildService(folder: ServiceFolder, cluster: Cluster, infraNames: ReadonlySet<string>, issues: InputIssue[]): Service | undefined {
  const override = folder.overrides.get(cluster.name);
  const files = override ? [override, folder.base] : [folder.base];
  const merged = mergeServiceOverride(folder.base.data ?? {}, override?.data);
  const parsed = serviceSchema.safeParse(merged);
  if (!parsed.success) {
    issues.push(...zodIssues(parsed.error, files, serviceSchema));
    return undefined;
  }
  const input = parsed.data;
  const at = (fieldPath: PropertyKey[], message: string) => issues.push(located(files, fieldPath, message));

  const portNames = new Set<string>();
  const portNumbers = new Set<number>();
  input.ports.forEach((port, index) => {
    if (portNames.has(port.name)) at(['ports', index, 'name'], `duplicate port name "${port.name}"`);
    if (portNumbers.has(port.port)) at(['ports', index, 'port'], `duplicate port ${port.port}`);
    portNames.add(port.name);
    portNumbers.add(port.port);
  });
  const knownPorts = [...portNames].join(', ');
  for (const kind of ['readiness', 'liveness', 'startup'] as const) {
    const probe = input.probes[kind];
    if (probe && !portNames.has(probe.port)) at(['probes', kind, 'port'], `no port named "${probe.port}"; ports: ${knownPorts}`);
  }
  if (input.ingress && !portNames.has(input.ingress.port)) at(['ingress', 'port'], `no port named "${input.ingress.port}"; ports: ${knownPorts}`);
  if (!input.image.tag && !input.image.digest) at(['image'], 'set image.tag or image.digest');
  if (input.replicas !== undefined && input.autoscaling) at(['replicas'], 'remove replicas: autoscaling owns the replica count (set autoscaling.minReplicas instead)');
  if (input.autoscaling && input.autoscaling.minReplicas > input.autoscaling.maxReplicas) {
    at(['autoscaling', 'minReplicas'], `must be <= maxReplicas (${input.autoscaling.maxReplicas})`);
  }
  if (cpuMillis(input.resources.requests.cpu) > cpuMillis(input.resources.limits.cpu)) at(['resources', 'requests', 'cpu'], `must be <= limits.cpu (${input.resources.limits.cpu})`);
  if (memoryBytes(input.resources.requests.memory) > memoryBytes(input.resources.limits.memory)) {
    at(['resources', 'requests', 'memory'], `must be <= limits.memory (${input.resources.limits.memory})`);
  }
  for (const [key, value] of Object.entries(input.env)) {
    if (key in input.secretEnv) at(['env', key], 'is also in secretEnv; keep one');
    if (secretLooking.test(key) && value !== '') at(['env', key], 'looks like a secret: move it to secretEnv with a reference to Secrets Manager or SSM, never the value');
  }
  input.uses.forEach((name, index) => {
    if (!infraNames.has(name)) at(['uses', index], `no resource "${name}": expected infra/${name}.yaml`);
  });

  const resolver = new ParamResolver(cluster.params, override ?? folder.base, cluster.paramsFile);
  const roleArn = input.serviceAccount.roleArn === undefined ? undefined : resolver.resolve(input.serviceAccount.roleArn, ['serviceAccount', 'roleArn']);
  issues.push(...resolver.issues);
  if (roleArn && cluster.flavor !== 'eks') at(['serviceAccount', 'roleArn'], `IRSA roles exist only on EKS; ${cluster.name} is ${cluster.flavor} (its pods use the instance profile)`);

  const rollout = resolveRollout(input, cluster, at);

  const { serviceAccount: _serviceAccount, ingress, rollout: _rollout, ...rest } = input;
  return {
    ...rest,
    rollout,
    name: folder.name,
    cluster: cluster.name,
    imageRef: imageRef(cluster.registry, input.image),
    ingress: ingress && { host: ingress.host.includes('.') ? ingress.host : `${ingress.host}.${cluster.domain}`, path: ingress.path, port: ingress.port },
    roleArn,
    sources: files.map((file) => file.file),
  };
}

/**
 * The rollout of a service in a cluster, with its rules: a canary shifts traffic through the ALB on
 * EKS (so it needs an ingress, whose target group the analysis reads) and through the replica
 * counts on k3s, where the analysis runs the cluster's integration tests against the new version
 * (so the cluster needs `workflows.integrationTests` and the service a port named http); steps and
 * analysis belong to a canary; weights rise.
 */
function resolveRollout(input: ServiceInput, cluster: Cluster, at: (fieldPath: PropertyKey[], message: string) => void): ServiceRollout {
  const block = input.rollout;
  const strategy = block.strategy ?? (isProduction(cluster) && input.ingress ? 'canary' : 'rolling');
  if (strategy === 'rolling') {
    if (block.steps) at(['rollout', 'steps'], 'only a canary has steps: set rollout.strategy: canary or remove them');
    if (block.analysis) at(['rollout', 'analysis'], 'only a canary has an analysis: set rollout.strategy: canary or remove it');
    return { strategy };
  }
  if (cluster.flavor === 'eks' && !input.ingress) {
    at(['rollout', 'strategy'], `a canary on ${cluster.name} (eks) shifts traffic at the ALB and analyses its target group: the service needs an ingress, or use strategy: rolling`);
  }
  const steps = block.steps ?? defaultCanarySteps;
  steps.forEach((step, index) => {
    const previous = steps[index - 1];
    if (previous && step.weight <= previous.weight) at(['rollout', 'steps', index, 'weight'], `must be above the previous step's weight (${previous.weight}): weights rise step by step`);
  });
  const analysis = block.analysis ?? defaultRolloutAnalysis;
  if (analysis.enabled && cluster.flavor === 'k3s') {
    const where = block.analysis ? ['rollout', 'analysis', 'enabled'] : ['rollout', 'strategy'];
    if (!cluster.workflows?.integrationTests) {
      at(where, `a canary on ${cluster.name} (k3s) is analysed by the integration tests (no ALB metrics there): add workflows.integrationTests to ${cluster.file}, or set rollout.analysis.enabled: false`);
    }
    if (!input.ports.some((port) => port.name === 'http')) at(where, 'the integration tests call the new version on its port "http": the service has none');
  }
  const { enabled, ...thresholds } = analysis;
  return { strategy, steps, ...(enabled ? { analysis: thresholds } : {}) };
}

/** Rules across services; `names` holds every service folder, so a caller whose own input is broken is not reported missing too. */
function crossServiceRules(services: readonly Service[], folders: readonly ServiceFolder[], names: ReadonlySet<string>, cluster: Cluster, issues: InputIssue[]): void {
  const routes = new Map<string, string>();
  for (const service of services) {
    const folder = folders.find((f) => f.name === service.name)!;
    const override = folder.overrides.get(cluster.name);
    const files = override ? [override, folder.base] : [folder.base];
    service.allowFrom.forEach((caller, index) => {
      if (caller === service.name) issues.push(located(files, ['allowFrom', index], 'a service need not allow itself'));
      else if (!names.has(caller)) issues.push(located(files, ['allowFrom', index], `no service "${caller}" in apps/`));
    });
    if (service.ingress) {
      const route = `${service.ingress.host}${service.ingress.path}`;
      const owner = routes.get(route);
      if (owner) issues.push(located(files, ['ingress', 'host'], `host and path ${route} are already routed to ${owner}`));
      else routes.set(route, service.name);
    }
  }
}

function imageRef(registry: string, image: ServiceInput['image']): string {
  const repository = resolveRepository(registry, image.repository);
  return `${repository}${image.tag ? `:${image.tag}` : ''}${image.digest ? `@${image.digest}` : ''}`;
}

/** An image repository that starts with a registry host: a first part holding "." or ":". */
const withRegistryHost = /^[^/]+[.:][^/]*\//;

/**
 * The full repository of an image input: `repository` as written when it starts with a registry
 * host, otherwise relative to the cluster's registry.
 */
export function resolveRepository(registry: string, repository: string): string {
  return withRegistryHost.test(repository) ? repository : `${registry}/${repository}`;
}

/** The repository path without its registry host: `host/learning-platform/x` → `learning-platform/x`. */
export function repositoryPath(repository: string): string {
  return withRegistryHost.test(repository) ? repository.slice(repository.indexOf('/') + 1) : repository;
}

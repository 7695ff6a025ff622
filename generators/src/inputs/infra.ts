import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { InputIssue } from '../errors.js';
import { ParamResolver, type Cluster } from './clusters.js';
import { deepMerge } from './merge.js';
import { isProduction } from './production.js';
import type { ParamRef, StringOrParam } from './schemas/common.js';
import { dnsLabel } from './schemas/common.js';
import { infraFileSchema, infraSettingsSchema, type InfraKind, type InfraSettingsInput } from './schemas/infra.js';
import { readYamlFile, type YamlFile } from './yaml-file.js';
import { located, suggest, zodIssues } from './zod-issues.js';

/** Where a secret value lives in AWS (never the value). */
export interface SecretLocation {
  readonly store: 'secrets-manager' | 'parameter-store';
  readonly key: string;
}

/** Network placement of a VPC resource, resolved from params. */
export interface InfraNetwork {
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  /** Where services' egress goes (the subnets' CIDRs, or the VPC CIDR). */
  readonly cidrs: readonly string[];
}

interface InfraBase {
  /** File name under `infra/` without `.yaml`: the Kubernetes name of every object of the resource. */
  readonly name: string;
  readonly cluster: string;
  /** `infra/<name>.yaml` */
  readonly file: string;
  /** True when the cluster is production (durability rules and defaults). */
  readonly production: boolean;
  readonly description: string;
  /** AWS name (DB identifier, replication group id, bucket or queue name), from inputs only. */
  readonly awsName: string;
  /** Prefix of the environment variables services get. */
  readonly envPrefix: string;
  /** KMS key for encryption at rest; undefined: the service's AWS-managed key. */
  readonly kmsKeyArn?: string;
  /** Controller that manages it: the input's `provider`, else the cluster's. */
  readonly provider: Cluster['provider'];
}

export interface PostgresResource extends InfraBase {
  readonly kind: 'postgres';
  readonly engineVersion: string;
  readonly instanceClass: string;
  readonly allocatedStorageGiB: number;
  readonly maxAllocatedStorageGiB: number;
  readonly databaseName: string;
  readonly port: number;
  readonly masterUsername: string;
  readonly credentials: SecretLocation & { readonly usernameProperty: string; readonly passwordProperty: string };
  readonly multiAZ: boolean;
  readonly backupRetentionDays: number;
  readonly deletionProtection: boolean;
  readonly finalSnapshot: boolean;
  readonly network: InfraNetwork;
}

export interface RedisResource extends InfraBase {
  readonly kind: 'redis';
  readonly engineVersion: string;
  readonly nodeType: string;
  readonly shards: number;
  readonly replicasPerShard: number;
  readonly port: number;
  readonly authToken: SecretLocation & { readonly property: string };
  readonly multiAZ: boolean;
  readonly snapshotRetentionDays: number;
  readonly network: InfraNetwork;
}

export interface BucketResource extends InfraBase {
  readonly kind: 'bucket';
  readonly lifecycle: {
    readonly infrequentAccessAfterDays: number;
    readonly glacierAfterDays?: number;
    readonly noncurrentVersionExpirationDays: number;
    readonly abortIncompleteUploadsAfterDays: number;
  };
  readonly replication?: {
    readonly destinationBucketArn: string;
    readonly roleArn: string;
    readonly storageClass: 'STANDARD' | 'STANDARD_IA' | 'GLACIER_IR';
    readonly replicaKmsKeyArn?: string;
  };
  readonly endpointCidrs: readonly string[];
}

export interface QueueResource extends InfraBase {
  readonly kind: 'queue';
  readonly visibilityTimeoutSeconds: number;
  readonly messageRetentionSeconds: number;
  readonly receiveWaitTimeSeconds: number;
  readonly deadLetter: { readonly awsName: string; readonly arn: string; readonly maxReceiveCount: number; readonly messageRetentionSeconds: number };
  readonly endpointCidrs: readonly string[];
  /** AWS account of the queues. */
  readonly accountId: string;
}

/** One infrastructure resource as it exists in one cluster: validated, merged, resolved. */
export type InfraResource = PostgresResource | RedisResource | BucketResource | QueueResource;

/** Kinds that hold state: every one of them is protected three ways (see `validate/policies/stateful-protection.ts`). */
export const statefulKinds: ReadonlySet<InfraKind> = new Set(['postgres', 'redis', 'bucket', 'queue']);

/**
 * Why a queue cannot use ACK: the ACK SQS controller's CRD cannot be fetched here (the Go module
 * proxy refuses every github.com/aws-controllers-k8s/sqs-controller version; `tools/versions.ts`),
 * so nothing could validate an ACK Queue. Both the input check and the ACK Queue renderer say so.
 */
export const ackQueueUnvalidated = 'ACK SQS cannot be validated here: no sqs-controller CRD is served; use provider: crossplane';

/** What `readInfra` returns: resources per cluster, and every name declared (even invalid files). */
export interface InfraModel {
  /** Cluster name → resources sorted by name. */
  readonly byCluster: ReadonlyMap<string, readonly InfraResource[]>;
  /** Every `infra/<name>.yaml` name with its kind (undefined when the file did not parse). */
  readonly declared: ReadonlyMap<string, InfraKind | undefined>;
}

/** Names of `infra/<name>.yaml` files, sorted. */
export async function listInfraFiles(root: string): Promise<string[]> {
  const entries = await readdir(path.join(root, 'infra'), { withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.yaml'))
    .map((entry) => entry.name.slice(0, -'.yaml'.length))
    .sort();
}

/**
 * Reads every `infra/<name>.yaml` and builds each cluster's resources, collecting all issues.
 * `clusterFolders` names every folder under clusters/, loaded or not: a `clusters.<name>` section
 * of a cluster whose cluster.yaml is invalid is not reported again as an unknown cluster.
 */
export async function readInfra(
  root: string,
  clusters: readonly Cluster[],
  clusterFolders: readonly string[] = clusters.map((c) => c.name),
): Promise<{ model: InfraModel; issues: InputIssue[] }> {
  const issues: InputIssue[] = [];
  const byCluster = new Map<string, InfraResource[]>(clusters.map((c) => [c.name, []]));
  const declared = new Map<string, InfraKind | undefined>();
  const clusterNames = [...clusterFolders];
  const entries = await readdir(path.join(root, 'infra'), { withFileTypes: true }).catch(() => []);
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const file = `infra/${entry.name}`;
    if (entry.name.startsWith('.') || entry.name === 'README.md') continue;
    if (!entry.isFile() || !entry.name.endsWith('.yaml')) {
      issues.push({ file, path: '', message: 'unexpected file: infra/ holds one <name>.yaml per resource' });
      continue;
    }
    const name = entry.name.slice(0, -'.yaml'.length);
    const nameCheck = dnsLabel.safeParse(name);
    if (!nameCheck.success) {
      issues.push({ file, path: '', message: `resource file name "${name}" ${nameCheck.error.issues[0]!.message}` });
      continue;
    }
    declared.set(name, undefined);
    const read = await readYamlFile(root, file);
    issues.push(...read.issues);
    if (read.issues.length) continue;
    const parsed = infraFileSchema.safeParse(read.file.data ?? {});
    if (!parsed.success) {
      issues.push(...zodIssues(parsed.error, [read.file], infraFileSchema));
      continue;
    }
    declared.set(name, (parsed.data as { kind: InfraKind }).kind);
    const raw = read.file.data as Record<string, unknown>;
    const overrides = (raw['clusters'] ?? {}) as Record<string, unknown>;
    for (const key of Object.keys(overrides)) {
      if (!clusterNames.includes(key)) {
        const hint = suggest(key, clusterNames);
        issues.push(located([read.file], ['clusters', key], `no cluster "${key}"${hint ? `; did you mean "${hint}"?` : `; clusters: ${clusterNames.join(', ')}`}`));
      }
    }
    const perIssue = new Map<string, { issue: InputIssue; clusters: string[] }>();
    for (const cluster of clusters) {
      const found: InputIssue[] = [];
      const resource = buildResource(name, read.file, raw, cluster, found);
      if (resource) byCluster.get(cluster.name)!.push(resource);
      for (const issue of found) {
        const key = JSON.stringify([issue.file, issue.line, issue.column, issue.path, issue.message]);
        const entry = perIssue.get(key) ?? { issue, clusters: [] };
        entry.clusters.push(cluster.name);
        perIssue.set(key, entry);
      }
    }
    // A problem of the shared settings is found once per cluster: report it once, naming the
    // clusters only when it is not all of them and the issue is not in that cluster's own section.
    for (const { issue, clusters: where } of perIssue.values()) {
      const ownSection = where.length === 1 && issue.path.startsWith(`clusters.${where[0]}.`);
      const everywhere = where.length === clusters.length;
      issues.push(everywhere || ownSection || issue.message.includes(`(cluster ${where[0]})`) ? issue : { ...issue, message: `${issue.message} (in cluster ${where.join(', ')})` });
    }
  }
  return { model: { byCluster, declared }, issues };
}

/** A view of the `clusters.<cluster>` section of a file, so issues point at the override that set a value. */
function sectionOf(file: YamlFile, prefix: readonly PropertyKey[]): YamlFile {
  const view: YamlFile & { prefix: string } = {
    file: file.file,
    data: undefined,
    prefix: prefix.map(String).join('.'),
    locate: (fieldPath) => file.locate([...prefix, ...fieldPath]),
    has: (fieldPath) => file.has([...prefix, ...fieldPath]),
    isMap: (fieldPath) => file.isMap([...prefix, ...fieldPath]),
  };
  return view;
}

function buildResource(name: string, file: YamlFile, raw: Record<string, unknown>, cluster: Cluster, issues: InputIssue[]): InfraResource | undefined {
  const { clusters: overrides = {}, ...base } = raw as { clusters?: Record<string, unknown> };
  const override = overrides[cluster.name];
  const files = override === undefined ? [file] : [sectionOf(file, ['clusters', cluster.name]), file];
  const merged = deepMerge(base, override);
  const parsed = infraSettingsSchema.safeParse(merged);
  if (!parsed.success) {
    issues.push(...zodIssues(parsed.error, files, infraSettingsSchema).map((issue) => inSection(issue, files)));
    return undefined;
  }
  const input = parsed.data;
  const found: InputIssue[] = [];
  const at = (fieldPath: PropertyKey[], message: string) => found.push(located(files, fieldPath, message));
  const ownerOf = (fieldPath: readonly PropertyKey[]) => files.find((f) => f.has(fieldPath)) ?? file;
  const resolve = (value: StringOrParam, fieldPath: PropertyKey[]): string => {
    const resolver = new ParamResolver(cluster.params, ownerOf(fieldPath), cluster.paramsFile);
    const result = resolver.resolve(value, fieldPath);
    found.push(...resolver.issues);
    return result;
  };
  const resolveList = (value: readonly string[] | ParamRef, fieldPath: PropertyKey[]): string[] => {
    const resolver = new ParamResolver(cluster.params, ownerOf(fieldPath), cluster.paramsFile);
    const result = resolver.resolveList(value, fieldPath);
    found.push(...resolver.issues);
    return result;
  };

  const production = isProduction(cluster);
  const awsName = input.awsName ?? defaultAwsName(input.kind, cluster.name, name);
  const where = input.awsName === undefined ? `(the default "${awsName}"; set awsName)` : '';
  const nameProblem = awsNameProblem(input.kind, awsName);
  if (nameProblem) at(['awsName'], `${where ? `${where.slice(1, -1)}: ` : ''}${nameProblem}`);
  const common = {
    name,
    cluster: cluster.name,
    file: file.file,
    production,
    description: input.description,
    awsName,
    envPrefix: input.envPrefix ?? name.toUpperCase().replace(/-/g, '_'),
    kmsKeyArn: input.encryption.kmsKeyArn === undefined ? undefined : resolve(input.encryption.kmsKeyArn, ['encryption', 'kmsKeyArn']),
    provider: input.provider ?? cluster.provider,
  };
  const network = (value: Extract<InfraSettingsInput, { network: unknown }>['network']): InfraNetwork => ({
    subnetIds: resolveList(value.subnetIds, ['network', 'subnetIds']),
    securityGroupIds: resolveList(value.securityGroupIds, ['network', 'securityGroupIds']),
    cidrs: value.cidrs === undefined ? [cluster.network.vpcCidr] : resolveList(value.cidrs, ['network', 'cidrs']),
  });
  const durability = (field: string, ok: boolean, why: string) => {
    if (production && !ok) at([field], `must be true in production (cluster ${cluster.name}): ${why}`);
  };

  let resource: InfraResource;
  switch (input.kind) {
    case 'postgres': {
      const maxAllocated = input.maxAllocatedStorageGiB ?? Math.min(65536, input.allocatedStorageGiB * 5);
      if (maxAllocated < input.allocatedStorageGiB) at(['maxAllocatedStorageGiB'], `must be >= allocatedStorageGiB (${input.allocatedStorageGiB})`);
      durability('multiAZ', input.multiAZ, 'a standby in a second zone keeps the database up through a zone failure');
      durability('deletionProtection', input.deletionProtection, 'AWS must refuse to delete the production database');
      durability('finalSnapshot', input.finalSnapshot, 'a deleted production database must leave a snapshot');
      resource = {
        ...common,
        kind: 'postgres',
        engineVersion: input.engineVersion,
        instanceClass: input.instanceClass,
        allocatedStorageGiB: input.allocatedStorageGiB,
        maxAllocatedStorageGiB: maxAllocated,
        databaseName: input.databaseName,
        port: input.port,
        masterUsername: input.masterUsername,
        credentials: {
          store: input.credentials.store,
          key: input.credentials.key ?? defaultSecretKey(cluster.name, name, input.credentials.store),
          usernameProperty: input.credentials.usernameProperty,
          passwordProperty: input.credentials.passwordProperty,
        },
        multiAZ: input.multiAZ,
        backupRetentionDays: input.backupRetentionDays ?? (production ? 30 : 7),
        deletionProtection: input.deletionProtection,
        finalSnapshot: input.finalSnapshot,
        network: network(input.network),
      };
      break;
    }
    case 'redis': {
      if (input.multiAZ && input.replicasPerShard < 1) {
        at(['replicasPerShard'], 'must be >= 1 while multiAZ is on (the default): failover promotes a replica in another zone; or set multiAZ: false');
      }
      durability('multiAZ', input.multiAZ, 'primaries and replicas spread over zones with automatic failover');
      resource = {
        ...common,
        kind: 'redis',
        engineVersion: input.engineVersion,
        nodeType: input.nodeType,
        shards: input.shards,
        replicasPerShard: input.replicasPerShard,
        port: input.port,
        authToken: {
          store: input.authToken.store,
          key: input.authToken.key ?? defaultSecretKey(cluster.name, name, input.authToken.store),
          property: input.authToken.property,
        },
        multiAZ: input.multiAZ,
        snapshotRetentionDays: input.snapshotRetentionDays ?? (production ? 7 : 1),
        network: network(input.network),
      };
      break;
    }
    case 'bucket': {
      const { lifecycle } = input;
      if (lifecycle.glacierAfterDays !== undefined && lifecycle.glacierAfterDays < lifecycle.infrequentAccessAfterDays + 30) {
        at(['lifecycle', 'glacierAfterDays'], `must be >= infrequentAccessAfterDays + 30 (${lifecycle.infrequentAccessAfterDays + 30}): S3 keeps objects 30 days in STANDARD_IA`);
      }
      if (production && !input.replication) at(['replication'], `is required in production (cluster ${cluster.name}): a production bucket is replicated to another region`);
      const replication = input.replication && {
        destinationBucketArn: resolve(input.replication.destinationBucketArn, ['replication', 'destinationBucketArn']),
        roleArn: resolve(input.replication.roleArn, ['replication', 'roleArn']),
        storageClass: input.replication.storageClass,
        replicaKmsKeyArn: input.replication.replicaKmsKeyArn === undefined ? undefined : resolve(input.replication.replicaKmsKeyArn, ['replication', 'replicaKmsKeyArn']),
      };
      resource = {
        ...common,
        kind: 'bucket',
        lifecycle: {
          infrequentAccessAfterDays: lifecycle.infrequentAccessAfterDays,
          glacierAfterDays: lifecycle.glacierAfterDays,
          noncurrentVersionExpirationDays: lifecycle.noncurrentVersionExpirationDays,
          abortIncompleteUploadsAfterDays: lifecycle.abortIncompleteUploadsAfterDays,
        },
        replication,
        endpointCidrs: resolveList(input.endpointCidrs, ['endpointCidrs']),
      };
      break;
    }
    case 'queue': {
      if (common.provider === 'ack') {
        at(['provider'], input.provider === undefined ? `${ackQueueUnvalidated} (ack is cluster ${cluster.name}'s provider: set clusters.${cluster.name}.provider: crossplane)` : ackQueueUnvalidated);
      }
      const deadLetterName = `${awsName}-dlq`;
      if (!nameProblem && deadLetterName.length > 80) at(['awsName'], `must be at most 76 characters: the dead-letter queue "${deadLetterName}" must fit SQS's 80`);
      if (input.deadLetter.messageRetentionSeconds < input.messageRetentionSeconds) {
        at(['deadLetter', 'messageRetentionSeconds'], `must be >= messageRetentionSeconds (${input.messageRetentionSeconds}): a message's age carries over into the dead-letter queue`);
      }
      const accountId = resolve(input.accountId ?? { param: 'aws/account-id' }, ['accountId']);
      if (!accountId.startsWith('<missing:') && !/^[0-9]{12}$/.test(accountId)) at(['accountId'], `must be a 12-digit AWS account id, not "${accountId}"`);
      resource = {
        ...common,
        kind: 'queue',
        accountId,
        visibilityTimeoutSeconds: input.visibilityTimeoutSeconds,
        messageRetentionSeconds: input.messageRetentionSeconds,
        receiveWaitTimeSeconds: input.receiveWaitTimeSeconds,
        deadLetter: { awsName: deadLetterName, arn: `arn:aws:sqs:${cluster.region}:${accountId}:${deadLetterName}`, maxReceiveCount: input.deadLetter.maxReceiveCount, messageRetentionSeconds: input.deadLetter.messageRetentionSeconds },
        endpointCidrs: resolveList(input.endpointCidrs, ['endpointCidrs']),
      };
      break;
    }
  }
  issues.push(...found.map((issue) => inSection(issue, files)));
  return found.length ? undefined : resource;
}

/** An issue located in a `clusters.<cluster>` section gets that section's path, as written in the file. */
function inSection(issue: InputIssue, files: readonly YamlFile[]): InputIssue {
  const section = files.length > 1 ? (files[0] as YamlFile & { prefix?: string }) : undefined;
  if (!section?.prefix || !issue.path) return issue;
  const fieldPath = issue.path.split('.').map((key) => (/^[0-9]+$/.test(key) ? Number(key) : key));
  return section.has(fieldPath) ? { ...issue, path: `${section.prefix}.${issue.path}` } : issue;
}

/** Default AWS name: `<cluster>-<name>`; buckets (global names) `learning-platform-<cluster>-<name>`. */
export function defaultAwsName(kind: InfraKind, cluster: string, name: string): string {
  return kind === 'bucket' ? `learning-platform-${cluster}-${name}` : `${cluster}-${name}`;
}

/** Default secret location: `learning-platform/<cluster>/<name>` (SSM names start with "/"). */
function defaultSecretKey(cluster: string, name: string, store: SecretLocation['store']): string {
  return `${store === 'parameter-store' ? '/' : ''}learning-platform/${cluster}/${name}`;
}

/** Why an AWS name breaks the rules of its service, or undefined when it is fine. */
export function awsNameProblem(kind: InfraKind, name: string): string | undefined {
  switch (kind) {
    case 'postgres':
      return identifierProblem(name, 63, 'an RDS DB instance identifier');
    case 'redis':
      return identifierProblem(name, 40, 'an ElastiCache replication group id');
    case 'bucket':
      return bucketNameProblem(name);
    case 'queue':
      return /^[A-Za-z0-9_-]{1,80}$/.test(name) ? undefined : 'must be an SQS queue name: 1-80 letters, digits, "-" or "_"';
  }
}

function identifierProblem(name: string, max: number, what: string): string | undefined {
  if (name.length > max) return `must be at most ${max} characters (${what})`;
  if (!/^[a-z][a-z0-9-]*$/.test(name)) return `must be ${what}: lower-case letters, digits and "-", starting with a letter`;
  if (name.includes('--') || name.endsWith('-')) return `must be ${what}: no "--" and no trailing "-"`;
  return undefined;
}

/** The S3 general purpose bucket naming rules. */
export function bucketNameProblem(name: string): string | undefined {
  const rule = 'must be an S3 bucket name';
  if (name.length < 3 || name.length > 63) return `${rule}: 3 to 63 characters (has ${name.length})`;
  if (!/^[a-z0-9.-]+$/.test(name)) return `${rule}: only lower-case letters, digits, "." and "-"`;
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return `${rule}: must begin and end with a letter or digit`;
  if (name.includes('..')) return `${rule}: no two adjacent periods`;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return `${rule}: must not look like an IP address`;
  for (const prefix of ['xn--', 'sthree-', 'amzn-s3-demo-']) if (name.startsWith(prefix)) return `${rule}: must not start with "${prefix}"`;
  for (const suffix of ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3']) if (name.endsWith(suffix)) return `${rule}: must not end with "${suffix}"`;
  if (name.includes('.')) return `${rule}: no "." (virtual-hosted TLS breaks on dotted names)`;
  return undefined;
}

import { z } from 'zod';
import { dnsLabel, envName, paramRef, portNumber, stringOrParam } from './common.js';

/**
 * `infra/<name>.yaml`: one AWS resource the platform keeps its state in. The file holds the
 * settings every cluster shares; `clusters.<cluster>` holds what differs in one cluster (sizing,
 * durability), deep-merged onto them (maps merge, lists and scalars replace).
 *
 * Shape checks live here; rules across fields and clusters (S3 bucket names, production
 * durability, Multi-AZ with replicas) live in `inputs/infra.ts`.
 */

/** A list of literal strings, or a reference to a StringList parameter in `clusters/<c>/params.yaml`. */
export const stringListOrParam = z.union([z.array(z.string().min(1)).min(1, 'must list at least one value'), paramRef]);
export type StringListOrParam = z.infer<typeof stringListOrParam>;

const wholeNumber = z.number().int('must be a whole number');

const secretStore = z.enum(['secrets-manager', 'parameter-store']).describe('AWS Secrets Manager or SSM Parameter Store.');

const network = z
  .strictObject({
    subnetIds: stringListOrParam.describe('Private subnets the resource is placed in (at least two zones), usually `{ param: network/database-subnet-ids }`.'),
    securityGroupIds: stringListOrParam.describe('Security groups of the resource; they must admit the cluster\'s pods on the resource port.'),
    cidrs: stringListOrParam
      .optional()
      .describe("CIDRs of those subnets: the services' NetworkPolicy egress goes to exactly these and the port. Default: the cluster's VPC CIDR."),
  })
  .describe('Where the resource lives in the VPC; values usually come from params.yaml.');

const encryption = z
  .strictObject({
    kmsKeyArn: stringOrParam.optional().describe('Customer-managed KMS key. Default: the AWS-managed key of the service.'),
  })
  .describe('Encryption at rest is always on; this only chooses the key.');

const common = {
  description: z.string().min(1).max(255).describe('What the resource holds, one line (tags, descriptions).'),
  awsName: z
    .string()
    .min(1)
    .optional()
    .describe('AWS name of the resource in this cluster (DB identifier, replication group id, bucket or queue name). Default: "<cluster>-<name>"; buckets "learning-platform-<cluster>-<name>". Changing it replaces the resource.'),
  envPrefix: envName
    .optional()
    .describe('Prefix of the environment variables services get, e.g. PLATFORM_DB (→ PLATFORM_DB_HOST). Default: the name in upper case with "_".'),
  encryption: encryption.default({}),
  provider: z
    .enum(['ack', 'crossplane'])
    .optional()
    .describe("Controller that manages this resource in a cluster. Default: the cluster's provider. Switching an existing resource leaves the old object in place (it is never pruned): delete it by hand once the new one has adopted the AWS resource."),
};

const postgres = z.strictObject({
  kind: z.literal('postgres').describe('Amazon RDS for PostgreSQL, one instance (Multi-AZ by default).'),
  ...common,
  engineVersion: z
    .string()
    .regex(/^[0-9]+\.[0-9]+$/, 'must be a PostgreSQL major.minor version such as "16.4" (quote it)')
    .describe('PostgreSQL version, major.minor.'),
  instanceClass: z.string().regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, 'must be an RDS instance class such as "db.t4g.medium"').describe('RDS instance class.'),
  allocatedStorageGiB: wholeNumber.min(20, 'must be >= 20 (the gp3 minimum)').max(65536).default(20).describe('Initial storage in GiB. Default: 20.'),
  maxAllocatedStorageGiB: wholeNumber.min(20).max(65536).optional().describe('Storage autoscaling ceiling in GiB. Default: 5 x allocatedStorageGiB.'),
  databaseName: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]{0,62}$/, 'must be a PostgreSQL database name: a letter, then letters, digits or "_" (at most 63)')
    .describe('Database created with the instance.'),
  port: portNumber.default(5432).describe('Default: 5432.'),
  masterUsername: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]{0,62}$/, 'must be a letter followed by letters, digits or "_"')
    .refine((name) => !['postgres', 'admin', 'rdsadmin'].includes(name.toLowerCase()), 'is reserved by RDS; choose another name')
    .describe('Master user name.'),
  credentials: z
    .strictObject({
      store: secretStore.default('secrets-manager'),
      key: z.string().min(1).optional().describe('Secret holding the master user name and password. Default: "learning-platform/<cluster>/<name>".'),
      usernameProperty: z.string().min(1).default('username').describe('JSON property of the user name. Default: username.'),
      passwordProperty: z.string().min(1).default('password').describe('JSON property of the password. Default: password.'),
    })
    .default({ store: 'secrets-manager', usernameProperty: 'username', passwordProperty: 'password' })
    .describe('Where the master credentials live (never in Git). External Secrets copies them to the database controller and to the services that use the database.'),
  multiAZ: z.boolean().default(true).describe('Standby in a second zone. Default: true; required in production.'),
  backupRetentionDays: wholeNumber.min(1, 'must be >= 1: automated backups stay on').max(35, 'must be <= 35 (the RDS maximum)').optional().describe('Automated backup retention. Default: 30 in production, 7 elsewhere.'),
  deletionProtection: z.boolean().default(true).describe('AWS refuses to delete the instance. Default: true; required in production.'),
  finalSnapshot: z.boolean().default(true).describe('Take a final snapshot if the instance is ever deleted. Default: true; required in production.'),
  network,
});

const redis = z.strictObject({
  kind: z.literal('redis').describe('Amazon ElastiCache for Redis OSS, cluster mode enabled (shards x replicas).'),
  ...common,
  engineVersion: z.string().regex(/^[0-9]+\.[0-9]+$/, 'must be a Redis major.minor version such as "7.1" (quote it)').describe('Redis OSS version.'),
  nodeType: z.string().regex(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, 'must be an ElastiCache node type such as "cache.t4g.small"').describe('Node type.'),
  shards: wholeNumber.min(1, 'must be >= 1: cluster mode needs at least one shard').max(500).describe('Node groups (shards).'),
  replicasPerShard: wholeNumber.min(0).max(5, 'must be <= 5 (the ElastiCache maximum)').describe('Replicas in each shard.'),
  port: portNumber.default(6379).describe('Default: 6379.'),
  authToken: z
    .strictObject({
      store: secretStore.default('secrets-manager'),
      key: z.string().min(1).optional().describe('Secret holding the AUTH token. Default: "learning-platform/<cluster>/<name>".'),
      property: z.string().min(1).default('auth-token').describe('JSON property of the token. Default: auth-token.'),
    })
    .default({ store: 'secrets-manager', property: 'auth-token' })
    .describe('Redis AUTH token (in-transit encryption is always on), read through External Secrets.'),
  multiAZ: z.boolean().default(true).describe('Spread primaries and replicas over zones with automatic failover. Default: true (needs replicasPerShard >= 1).'),
  snapshotRetentionDays: wholeNumber.min(0).max(35).optional().describe('Daily snapshots kept. Default: 7 in production, 1 elsewhere.'),
  network,
});

const bucket = z.strictObject({
  kind: z.literal('bucket').describe('Amazon S3 bucket: versioned, encrypted, public access blocked, objects owned by the bucket owner.'),
  ...common,
  lifecycle: z
    .strictObject({
      infrequentAccessAfterDays: wholeNumber.min(30, 'must be >= 30 (S3 rule for STANDARD_IA)').default(30).describe('Move current objects to STANDARD_IA after. Default: 30.'),
      glacierAfterDays: wholeNumber.min(1).optional().describe('Then to GLACIER_IR after this many days (must be >= infrequentAccessAfterDays + 30). Default: never.'),
      noncurrentVersionExpirationDays: wholeNumber.min(1).default(90).describe('Delete old versions after. Default: 90.'),
      abortIncompleteUploadsAfterDays: wholeNumber.min(1).default(7).describe('Abort unfinished multipart uploads after. Default: 7.'),
    })
    .default({ infrequentAccessAfterDays: 30, noncurrentVersionExpirationDays: 90, abortIncompleteUploadsAfterDays: 7 })
    .describe('Lifecycle to cheaper storage tiers.'),
  replication: z
    .strictObject({
      destinationBucketArn: stringOrParam.describe('Versioned bucket in another region the objects are copied to.'),
      roleArn: stringOrParam.describe('IAM role S3 assumes to replicate.'),
      storageClass: z.enum(['STANDARD', 'STANDARD_IA', 'GLACIER_IR']).default('STANDARD_IA').describe('Storage class of the replicas. Default: STANDARD_IA.'),
      replicaKmsKeyArn: stringOrParam.optional().describe('KMS key in the destination region for the replicas. Default: SSE-S3.'),
    })
    .optional()
    .describe('Cross-region replication. Required in production.'),
  endpointCidrs: stringListOrParam.describe('Where the S3 endpoint is reached from pods (NetworkPolicy egress on 443), e.g. `{ param: network/s3-endpoint-cidrs }`.'),
});

const queue = z.strictObject({
  kind: z.literal('queue').describe('Amazon SQS standard queue with a dead-letter queue, server-side encrypted.'),
  ...common,
  visibilityTimeoutSeconds: wholeNumber.min(0).max(43200).default(30).describe('Default: 30.'),
  messageRetentionSeconds: wholeNumber.min(60).max(1209600).default(345600).describe('Default: 345600 (4 days).'),
  receiveWaitTimeSeconds: wholeNumber.min(0).max(20).default(20).describe('Long polling. Default: 20.'),
  deadLetter: z
    .strictObject({
      maxReceiveCount: wholeNumber.min(1).max(1000).default(5).describe('Receives before a message moves to the dead-letter queue. Default: 5.'),
      messageRetentionSeconds: wholeNumber.min(60).max(1209600).default(1209600).describe('Default: 1209600 (14 days, the maximum).'),
    })
    .default({ maxReceiveCount: 5, messageRetentionSeconds: 1209600 })
    .describe('The dead-letter queue "<awsName>-dlq" (always created).'),
  endpointCidrs: stringListOrParam.describe('Where the SQS endpoint is reached from pods (NetworkPolicy egress on 443), e.g. the interface endpoint subnets.'),
  accountId: stringOrParam
    .optional()
    .describe('AWS account of the queues (the redrive policy names the dead-letter queue by ARN). Default: `{ param: aws/account-id }`.'),
});

/** Per-kind settings after `clusters.<cluster>` is merged on; every field of a kind. */
export const infraSettingsSchema = z.discriminatedUnion('kind', [postgres, redis, bucket, queue]);
export type InfraSettingsInput = z.infer<typeof infraSettingsSchema>;
export type InfraKind = InfraSettingsInput['kind'];
export const infraKinds = ['postgres', 'redis', 'bucket', 'queue'] as const satisfies readonly InfraKind[];

/** What a `clusters.<cluster>` entry may set: any field of the kind except `kind` itself. */
function overridesOf<T extends z.ZodObject>(schema: T) {
  return schema.omit({ kind: true } as never).partial();
}

function fileOf<T extends z.ZodObject>(schema: T) {
  return schema.extend({
    clusters: z
      .record(dnsLabel, overridesOf(schema))
      .default({})
      .describe('Per-cluster settings keyed by cluster name, deep-merged onto the rest of the file.'),
  });
}

/** `infra/<name>.yaml` as written: the shared settings plus per-cluster overrides. */
export const infraFileSchema = z.discriminatedUnion('kind', [fileOf(postgres), fileOf(redis), fileOf(bucket), fileOf(queue)]);
export type InfraFileInput = z.infer<typeof infraFileSchema>;

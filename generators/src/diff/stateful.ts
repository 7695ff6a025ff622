import { apiGroup } from './snapshot.js';

/**
 * What the diff knows about resources that hold data: which kinds they are (identified by API
 * group and kind, under ACK or Crossplane, cluster-scoped or namespaced Crossplane groups), and
 * which fields make AWS replace the resource when they change (replacement = a new, empty
 * database, cache, bucket or queue).
 */

export interface StatefulKind {
  /** What it holds, for messages: database, cache, bucket, queue, volume, ... */
  readonly holds: string;
  /**
   * Dotted field paths that force a replacement in AWS when changed. `metadata.annotations.<key>`
   * addresses one annotation.
   */
  readonly replaceOn: readonly string[];
}

const EXTERNAL_NAME = 'metadata.annotations.crossplane.io/external-name';

/** Group → kind → facts. Crossplane groups are listed once and matched with and without `.m.`. */
const table: Readonly<Record<string, Readonly<Record<string, StatefulKind>>>> = {
  // ACK
  'rds.services.k8s.aws': {
    DBInstance: {
      holds: 'database',
      replaceOn: ['spec.dbInstanceIdentifier', 'spec.engine', 'spec.dbName', 'spec.dbClusterIdentifier', 'spec.storageEncrypted', 'spec.kmsKeyID', 'spec.characterSetName', 'spec.timezone', 'spec.masterUsername'],
    },
    DBCluster: {
      holds: 'database cluster',
      replaceOn: ['spec.dbClusterIdentifier', 'spec.engine', 'spec.engineMode', 'spec.databaseName', 'spec.storageEncrypted', 'spec.kmsKeyID', 'spec.masterUsername', 'spec.globalClusterIdentifier'],
    },
    GlobalCluster: { holds: 'global database', replaceOn: ['spec.globalClusterIdentifier', 'spec.engine', 'spec.storageEncrypted'] },
    DBSnapshot: { holds: 'database snapshot', replaceOn: ['spec.dbSnapshotIdentifier', 'spec.dbInstanceIdentifier'] },
    DBClusterSnapshot: { holds: 'database snapshot', replaceOn: ['spec.dbClusterSnapshotIdentifier', 'spec.dbClusterIdentifier'] },
  },
  'elasticache.services.k8s.aws': {
    ReplicationGroup: {
      holds: 'cache',
      replaceOn: ['spec.replicationGroupID', 'spec.engine', 'spec.clusterMode', 'spec.atRestEncryptionEnabled', 'spec.kmsKeyID', 'spec.dataTieringEnabled', 'spec.cacheSubnetGroupName', 'spec.globalReplicationGroupID'],
    },
    CacheCluster: { holds: 'cache', replaceOn: ['spec.cacheClusterID', 'spec.engine', 'spec.replicationGroupID'] },
    ServerlessCache: { holds: 'cache', replaceOn: ['spec.serverlessCacheName', 'spec.engine', 'spec.kmsKeyID'] },
    Snapshot: { holds: 'cache snapshot', replaceOn: ['spec.snapshotName'] },
  },
  'memorydb.services.k8s.aws': { Cluster: { holds: 'database', replaceOn: ['spec.name', 'spec.tlsEnabled', 'spec.kmsKeyID', 'spec.dataTiering'] } },
  's3.services.k8s.aws': { Bucket: { holds: 'bucket', replaceOn: ['spec.name', 'spec.objectLockEnabledForBucket', 'spec.createBucketConfiguration.locationConstraint'] } },
  'sqs.services.k8s.aws': { Queue: { holds: 'queue', replaceOn: ['spec.queueName', 'spec.fifoQueue'] } },
  'sns.services.k8s.aws': { Topic: { holds: 'topic', replaceOn: ['spec.name', 'spec.fifoTopic'] } },
  'dynamodb.services.k8s.aws': {
    Table: { holds: 'table', replaceOn: ['spec.tableName', 'spec.keySchema'] },
    GlobalTable: { holds: 'table', replaceOn: ['spec.globalTableName'] },
    Backup: { holds: 'table backup', replaceOn: ['spec.backupName', 'spec.tableName'] },
  },
  'efs.services.k8s.aws': { FileSystem: { holds: 'file system', replaceOn: ['spec.encrypted', 'spec.kmsKeyID', 'spec.performanceMode', 'spec.availabilityZoneName'] } },
  'ecr.services.k8s.aws': { Repository: { holds: 'image repository', replaceOn: ['spec.name', 'spec.encryptionConfiguration'] } },
  'kms.services.k8s.aws': { Key: { holds: 'encryption key', replaceOn: ['spec.keySpec', 'spec.keyUsage', 'spec.multiRegion', 'spec.origin'] } },
  'secretsmanager.services.k8s.aws': { Secret: { holds: 'secret', replaceOn: ['spec.name'] } },
  'kinesis.services.k8s.aws': { Stream: { holds: 'stream', replaceOn: ['spec.name'] } },
  'opensearchservice.services.k8s.aws': { Domain: { holds: 'search domain', replaceOn: ['spec.name', 'spec.encryptionAtRestOptions'] } },
  'documentdb.services.k8s.aws': {
    DBCluster: { holds: 'database cluster', replaceOn: ['spec.dbClusterIdentifier', 'spec.engine', 'spec.storageEncrypted', 'spec.kmsKeyID', 'spec.masterUsername'] },
    DBInstance: { holds: 'database', replaceOn: ['spec.dbInstanceIdentifier', 'spec.engine', 'spec.dbClusterIdentifier'] },
  },
  'keyspaces.services.k8s.aws': { Table: { holds: 'table', replaceOn: ['spec.tableName', 'spec.keyspaceName', 'spec.schemaDefinition'] } },
  // Crossplane (Upbound provider-aws): the AWS name is the external name unless a field says otherwise.
  'rds.aws.upbound.io': {
    Instance: {
      holds: 'database',
      replaceOn: [
        EXTERNAL_NAME,
        'spec.forProvider.identifier',
        'spec.forProvider.identifierPrefix',
        'spec.forProvider.engine',
        'spec.forProvider.dbName',
        'spec.forProvider.storageEncrypted',
        'spec.forProvider.kmsKeyId',
        'spec.forProvider.username',
        'spec.forProvider.characterSetName',
        'spec.forProvider.timezone',
        'spec.forProvider.snapshotIdentifier',
        'spec.forProvider.replicateSourceDb',
        'spec.forProvider.region',
      ],
    },
    Cluster: {
      holds: 'database cluster',
      replaceOn: [EXTERNAL_NAME, 'spec.forProvider.engine', 'spec.forProvider.engineMode', 'spec.forProvider.databaseName', 'spec.forProvider.storageEncrypted', 'spec.forProvider.kmsKeyId', 'spec.forProvider.masterUsername', 'spec.forProvider.region'],
    },
    ClusterInstance: { holds: 'database', replaceOn: [EXTERNAL_NAME, 'spec.forProvider.engine', 'spec.forProvider.clusterIdentifier', 'spec.forProvider.region'] },
    GlobalCluster: { holds: 'global database', replaceOn: [EXTERNAL_NAME, 'spec.forProvider.engine', 'spec.forProvider.storageEncrypted'] },
    Snapshot: { holds: 'database snapshot', replaceOn: [EXTERNAL_NAME, 'spec.forProvider.dbInstanceIdentifier'] },
  },
  'elasticache.aws.upbound.io': {
    ReplicationGroup: {
      holds: 'cache',
      replaceOn: [
        EXTERNAL_NAME,
        'spec.forProvider.engine',
        'spec.forProvider.clusterMode',
        'spec.forProvider.atRestEncryptionEnabled',
        'spec.forProvider.kmsKeyId',
        'spec.forProvider.dataTieringEnabled',
        'spec.forProvider.subnetGroupName',
        'spec.forProvider.globalReplicationGroupId',
        'spec.forProvider.region',
      ],
    },
    Cluster: { holds: 'cache', replaceOn: [EXTERNAL_NAME, 'spec.forProvider.engine', 'spec.forProvider.replicationGroupId', 'spec.forProvider.region'] },
    ServerlessCache: { holds: 'cache', replaceOn: [EXTERNAL_NAME, 'spec.forProvider.engine', 'spec.forProvider.kmsKeyId', 'spec.forProvider.region'] },
    GlobalReplicationGroup: { holds: 'cache', replaceOn: [EXTERNAL_NAME, 'spec.forProvider.primaryReplicationGroupId'] },
  },
  'memorydb.aws.upbound.io': { Cluster: { holds: 'database', replaceOn: [EXTERNAL_NAME, 'spec.forProvider.tlsEnabled', 'spec.forProvider.kmsKeyArn', 'spec.forProvider.region'] } },
  's3.aws.upbound.io': { Bucket: { holds: 'bucket', replaceOn: [EXTERNAL_NAME, 'spec.forProvider.objectLockEnabled', 'spec.forProvider.region'] } },
  'sqs.aws.upbound.io': { Queue: { holds: 'queue', replaceOn: [EXTERNAL_NAME, 'spec.forProvider.name', 'spec.forProvider.namePrefix', 'spec.forProvider.fifoQueue', 'spec.forProvider.region'] } },
  'sns.aws.upbound.io': { Topic: { holds: 'topic', replaceOn: [EXTERNAL_NAME, 'spec.forProvider.name', 'spec.forProvider.fifoTopic', 'spec.forProvider.region'] } },
  'dynamodb.aws.upbound.io': {
    Table: { holds: 'table', replaceOn: [EXTERNAL_NAME, 'spec.forProvider.hashKey', 'spec.forProvider.rangeKey', 'spec.forProvider.region'] },
    GlobalTable: { holds: 'table', replaceOn: [EXTERNAL_NAME, 'spec.forProvider.region'] },
  },
  'efs.aws.upbound.io': { FileSystem: { holds: 'file system', replaceOn: [EXTERNAL_NAME, 'spec.forProvider.encrypted', 'spec.forProvider.kmsKeyId', 'spec.forProvider.performanceMode', 'spec.forProvider.availabilityZoneName', 'spec.forProvider.region'] } },
  'ec2.aws.upbound.io': {
    EBSVolume: { holds: 'volume', replaceOn: [EXTERNAL_NAME, 'spec.forProvider.availabilityZone', 'spec.forProvider.encrypted', 'spec.forProvider.kmsKeyId', 'spec.forProvider.snapshotId', 'spec.forProvider.region'] },
    EBSSnapshot: { holds: 'volume snapshot', replaceOn: [EXTERNAL_NAME, 'spec.forProvider.volumeId'] },
  },
  'ecr.aws.upbound.io': { Repository: { holds: 'image repository', replaceOn: [EXTERNAL_NAME, 'spec.forProvider.encryptionConfiguration', 'spec.forProvider.region'] } },
  'kms.aws.upbound.io': { Key: { holds: 'encryption key', replaceOn: [EXTERNAL_NAME, 'spec.forProvider.customerMasterKeySpec', 'spec.forProvider.keyUsage', 'spec.forProvider.multiRegion'] } },
  'secretsmanager.aws.upbound.io': { Secret: { holds: 'secret', replaceOn: [EXTERNAL_NAME, 'spec.forProvider.name', 'spec.forProvider.region'] } },
  'kinesis.aws.upbound.io': { Stream: { holds: 'stream', replaceOn: [EXTERNAL_NAME, 'spec.forProvider.region'] } },
  'opensearch.aws.upbound.io': { Domain: { holds: 'search domain', replaceOn: [EXTERNAL_NAME, 'spec.forProvider.encryptAtRest', 'spec.forProvider.region'] } },
  'docdb.aws.upbound.io': {
    Cluster: { holds: 'database cluster', replaceOn: [EXTERNAL_NAME, 'spec.forProvider.engine', 'spec.forProvider.storageEncrypted', 'spec.forProvider.kmsKeyId', 'spec.forProvider.masterUsername', 'spec.forProvider.region'] },
    ClusterInstance: { holds: 'database', replaceOn: [EXTERNAL_NAME, 'spec.forProvider.engine', 'spec.forProvider.clusterIdentifier', 'spec.forProvider.region'] },
  },
  'backup.aws.upbound.io': { Vault: { holds: 'backup vault', replaceOn: [EXTERNAL_NAME, 'spec.forProvider.kmsKeyArn', 'spec.forProvider.region'] } },
  // Kubernetes storage
  '': {
    PersistentVolumeClaim: { holds: 'volume', replaceOn: ['spec.storageClassName', 'spec.volumeName', 'spec.dataSource', 'spec.dataSourceRef'] },
    PersistentVolume: { holds: 'volume', replaceOn: ['spec.csi.volumeHandle', 'spec.awsElasticBlockStore.volumeID', 'spec.storageClassName'] },
  },
};

/** The facts about a stateful kind, or undefined when `apiVersion`/`kind` holds no data. */
export function statefulKind(apiVersion: string, kind: string): StatefulKind | undefined {
  const group = apiGroup(apiVersion).replace(/\.aws\.m\.upbound\.io$/, '.aws.upbound.io');
  return table[group]?.[kind];
}

/** Value at a dotted path; `metadata.annotations.<key>` and `metadata.labels.<key>` take the rest as one key. */
export function valueAt(object: unknown, dotted: string): unknown {
  const parts = dotted.split('.');
  let current: unknown = object;
  for (let index = 0; index < parts.length; index++) {
    if (current === null || typeof current !== 'object') return undefined;
    const record = current as Record<string, unknown>;
    if (index === 1 && parts[0] === 'metadata' && (parts[1] === 'annotations' || parts[1] === 'labels')) {
      const map = record[parts[1]] as Record<string, unknown> | undefined;
      return map?.[parts.slice(2).join('.')];
    }
    current = record[parts[index]!];
  }
  return current;
}

import { Construct } from 'constructs';
import { ReplicationGroup, ReplicationGroupSpecDeletionPolicy, SubnetGroup, SubnetGroupSpecDeletionPolicy } from '../../../../imports/elasticache.aws.upbound.io.js';
import type { RedisResource } from '../../../inputs/infra.js';
import { clusterModeParameterGroup } from '../ack/ack-redis.js';
import { awsTags, infraLabels, type InfraContext } from '../infra-context.js';
import { InfraSecret } from '../infra-secret.js';
import { CrossplaneConnectionStore } from './crossplane-connection-store.js';
import { connectionSecretRef, managedMetadata, providerConfigRef } from './managed.js';

/**
 * Redis OSS on ElastiCache through Crossplane, cluster mode enabled, with the same secure
 * defaults as the ACK implementation (at-rest and in-transit encryption, AUTH token from a secret
 * store, failover across zones) and a final snapshot if it is ever deleted.
 */
export class CrossplaneRedis extends Construct {
  constructor(scope: Construct, id: string, redis: RedisResource, context: InfraContext) {
    super(scope, id);
    const { region } = context.cluster;
    const labels = infraLabels(redis.name);
    const tags = awsTags(redis.name, redis.cluster);
    new SubnetGroup(this, 'SubnetGroup', {
      metadata: managedMetadata(redis.name, labels, redis.awsName),
      spec: {
        deletionPolicy: SubnetGroupSpecDeletionPolicy.ORPHAN,
        providerConfigRef,
        forProvider: { region, description: `${redis.description} (${redis.cluster})`, subnetIds: [...redis.network.subnetIds], tags },
      },
    });
    const token = new InfraSecret(this, 'AuthToken', {
      name: `${redis.name}-auth`,
      labels,
      location: redis.authToken,
      property: redis.authToken.property,
      secretKey: 'token',
    });
    new ReplicationGroup(this, 'ReplicationGroup', {
      metadata: managedMetadata(redis.name, labels, redis.awsName),
      spec: {
        deletionPolicy: ReplicationGroupSpecDeletionPolicy.ORPHAN,
        providerConfigRef,
        writeConnectionSecretToRef: connectionSecretRef(redis.name),
        forProvider: {
          region,
          description: `${redis.description} (${redis.cluster})`,
          engine: 'redis',
          engineVersion: redis.engineVersion,
          nodeType: redis.nodeType,
          parameterGroupName: clusterModeParameterGroup(redis.engineVersion),
          clusterMode: 'enabled',
          numNodeGroups: redis.shards,
          replicasPerNodeGroup: redis.replicasPerShard,
          automaticFailoverEnabled: true,
          multiAzEnabled: redis.multiAZ,
          atRestEncryptionEnabled: true,
          ...(redis.kmsKeyArn ? { kmsKeyId: redis.kmsKeyArn } : {}),
          transitEncryptionEnabled: true,
          authTokenSecretRef: token.ref,
          port: redis.port,
          subnetGroupNameRef: { name: redis.name },
          securityGroupIds: [...redis.network.securityGroupIds],
          snapshotRetentionLimit: redis.snapshotRetentionDays,
          finalSnapshotIdentifier: `${redis.awsName}-final`,
          tags,
        },
      },
    });
    new CrossplaneConnectionStore(this, 'ConnectionStore', { name: redis.name, connectionSecret: connectionSecretRef(redis.name).name, users: context.users, labels });
  }
}

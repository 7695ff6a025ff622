import { Construct } from 'constructs';
import { CacheSubnetGroup, ReplicationGroup } from '../../../../imports/elasticache.services.k8s.aws.js';
import type { RedisResource } from '../../../inputs/infra.js';
import { connectionOf } from '../connection.js';
import { awsTags, infraLabels, infraNamespace, type InfraContext } from '../infra-context.js';
import { InfraSecret } from '../infra-secret.js';
import { ackAnnotations } from '../protection.js';
import { AckEndpointExport } from './ack-endpoint-export.js';

/** Parameter group that turns cluster mode on for a Redis OSS major version. */
export function clusterModeParameterGroup(engineVersion: string): string {
  return `default.redis${engineVersion.split('.')[0]}.cluster.on`;
}

/**
 * Redis OSS on ElastiCache through ACK, cluster mode enabled: a CacheSubnetGroup and a
 * ReplicationGroup of `shards` node groups with `replicasPerShard` replicas each, encrypted at
 * rest and in transit with an AUTH token from a secret store, failover across zones; the
 * configuration endpoint is exported to every service that uses it.
 */
export class AckRedis extends Construct {
  constructor(scope: Construct, id: string, redis: RedisResource, context: InfraContext) {
    super(scope, id);
    const { region } = context.cluster;
    const labels = infraLabels(redis.name);
    const tags = Object.entries(awsTags(redis.name, redis.cluster)).map(([key, value]) => ({ key, value }));
    new CacheSubnetGroup(this, 'SubnetGroup', {
      metadata: { name: redis.name, namespace: infraNamespace, labels, annotations: ackAnnotations(region) },
      spec: { cacheSubnetGroupName: redis.awsName, cacheSubnetGroupDescription: `${redis.description} (${redis.cluster})`, subnetIDs: [...redis.network.subnetIds], tags },
    });
    const token = new InfraSecret(this, 'AuthToken', {
      name: `${redis.name}-auth`,
      labels,
      location: redis.authToken,
      property: redis.authToken.property,
      secretKey: 'token',
    });
    new ReplicationGroup(this, 'ReplicationGroup', {
      metadata: { name: redis.name, namespace: infraNamespace, labels, annotations: ackAnnotations(region) },
      spec: {
        replicationGroupId: redis.awsName,
        description: `${redis.description} (${redis.cluster})`,
        engine: 'redis',
        engineVersion: redis.engineVersion,
        cacheNodeType: redis.nodeType,
        cacheParameterGroupName: clusterModeParameterGroup(redis.engineVersion),
        numNodeGroups: redis.shards,
        replicasPerNodeGroup: redis.replicasPerShard,
        automaticFailoverEnabled: true,
        multiAzEnabled: redis.multiAZ,
        atRestEncryptionEnabled: true,
        ...(redis.kmsKeyArn ? { kmsKeyId: redis.kmsKeyArn } : {}),
        transitEncryptionEnabled: true,
        authToken: token.ref,
        port: redis.port,
        cacheSubnetGroupRef: { from: { name: redis.name } },
        securityGroupIDs: [...redis.network.securityGroupIds],
        snapshotRetentionLimit: redis.snapshotRetentionDays,
        tags,
      },
    });
    new AckEndpointExport(this, 'Endpoint', {
      resource: { group: 'elasticache.services.k8s.aws', kind: 'ReplicationGroup', name: redis.name },
      path: '.status.configurationEndpoint.address',
      users: context.users,
      configMapName: connectionOf(redis, context.cluster).configMapName,
      key: connectionOf(redis, context.cluster).hostEnv!,
      labels,
    });
  }
}

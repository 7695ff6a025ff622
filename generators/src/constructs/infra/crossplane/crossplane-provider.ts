import { ApiObject } from 'cdk8s';
import type { InfraProvider } from '../infra-provider.js';
import { hostEnvOf } from '../connection.js';
import { CrossplaneBucket } from './crossplane-bucket.js';
import { connectionStoreName } from './crossplane-connection-store.js';
import { CrossplanePostgres } from './crossplane-postgres.js';
import { CrossplaneProviderConfig } from './crossplane-provider-config.js';
import { CrossplaneQueue } from './crossplane-queue.js';
import { CrossplaneRedis } from './crossplane-redis.js';

/** Key of the endpoint host in a managed resource's connection secret, per kind (provider-aws). */
export const connectionHostKey = { postgres: 'address', redis: 'configuration_endpoint_address' } as const;

/**
 * Crossplane with Upbound provider-aws: cluster-scoped managed resources; connection secrets are
 * written to the infra namespace and reach the services through External Secrets (one
 * ClusterSecretStore per resource, readable only from the namespaces of its users).
 */
export const crossplaneProvider: InfraProvider = {
  id: 'crossplane',
  clusterObjects: (scope, cluster) => new CrossplaneProviderConfig(scope, 'ProviderConfig', { auth: cluster.flavor === 'eks' ? 'irsa' : 'instance-profile' }),
  kinds: {
    postgres: (scope, resource, context) => new CrossplanePostgres(scope, 'Postgres', resource, context),
    redis: (scope, resource, context) => new CrossplaneRedis(scope, 'Redis', resource, context),
    bucket: (scope, resource, context) => new CrossplaneBucket(scope, 'Bucket', resource, context),
    queue: (scope, resource, context) => new CrossplaneQueue(scope, 'Queue', resource, context),
  },
  serviceEndpoint: (scope, resource, service, labels) => {
    const name = `${resource.name}-endpoint`;
    const hostEnv = hostEnvOf(resource);
    new ApiObject(scope, `Endpoint-${resource.name}`, {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name, namespace: service, labels },
      spec: {
        refreshInterval: '1h',
        secretStoreRef: { kind: 'ClusterSecretStore', name: connectionStoreName(resource.name) },
        target: { name, creationPolicy: 'Owner', deletionPolicy: 'Retain' },
        data: [{ secretKey: hostEnv, remoteRef: { key: `${resource.name}-connection`, property: connectionHostKey[resource.kind] } }],
      },
    });
    return { envSecrets: [name] };
  },
};

import type { InfraProvider } from '../infra-provider.js';
import { AckBucket } from './ack-bucket.js';
import { AckPostgres } from './ack-postgres.js';
import { AckQueue } from './ack-queue.js';
import { AckRedis } from './ack-redis.js';

/**
 * AWS Controllers for Kubernetes: namespaced objects in the infra namespace; endpoints reach the
 * services through FieldExports into their connection ConfigMaps. The controllers themselves
 * (and their IRSA roles) are cluster add-ons, not rendered here.
 */
export const ackProvider: InfraProvider = {
  id: 'ack',
  clusterObjects: () => undefined,
  kinds: {
    postgres: (scope, resource, context) => new AckPostgres(scope, 'Postgres', resource, context),
    redis: (scope, resource, context) => new AckRedis(scope, 'Redis', resource, context),
    bucket: (scope, resource, context) => new AckBucket(scope, 'Bucket', resource, context),
    queue: (scope, resource, context) => new AckQueue(scope, 'Queue', resource, context),
  },
  serviceEndpoint: () => ({ envSecrets: [] }),
};

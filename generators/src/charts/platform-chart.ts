import type { Construct } from 'constructs';
import { ClusterSecretStores } from '../constructs/platform/cluster-secret-stores.js';
import { managedBy, partOf } from '../constructs/app/labels.js';
import type { Cluster } from '../inputs/clusters.js';

/** Cluster-wide objects the platform owns (not an app's): the ClusterSecretStores. */
export function buildPlatformChart(scope: Construct, cluster: Cluster): void {
  new ClusterSecretStores(scope, 'SecretStores', {
    region: cluster.region,
    labels: { 'app.kubernetes.io/part-of': partOf, 'app.kubernetes.io/managed-by': managedBy },
    auth: cluster.flavor === 'eks' ? 'irsa' : 'instance-profile',
  });
}

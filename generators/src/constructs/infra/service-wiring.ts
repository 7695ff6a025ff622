import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { Cluster } from '../../inputs/clusters.js';
import type { InfraResource } from '../../inputs/infra.js';
import { AppExternalSecret } from '../app/app-external-secret.js';
import type { NetworkRule } from '../app/app-network-policy.js';
import { connectionOf } from './connection.js';
import { providerOf } from './providers.js';

export interface ServiceWiringProps {
  /** The service (its name is its namespace). */
  readonly service: string;
  readonly labels: Record<string, string>;
  /** The resources it uses, in its `uses` order. */
  readonly resources: readonly InfraResource[];
  readonly cluster: Cluster;
}

/**
 * What a service gets for each resource it uses, in its own namespace, and nothing else: a
 * connection ConfigMap (ports, names, region; with ACK the endpoint host is exported into it),
 * an ExternalSecret of its credentials, the provider's endpoint objects, and one egress rule to
 * the resource's network and port. Feed `envConfigMaps`, `envSecrets` and `egress` to the app chart.
 */
export class ServiceWiring extends Construct {
  readonly envConfigMaps: string[] = [];
  readonly envSecrets: string[] = [];
  readonly egress: NetworkRule[] = [];

  constructor(scope: Construct, id: string, props: ServiceWiringProps) {
    super(scope, id);
    for (const resource of props.resources) {
      const connection = connectionOf(resource, props.cluster);
      const data = Object.fromEntries(Object.entries(connection.staticEnv).sort(([a], [b]) => (a < b ? -1 : 1)));
      new kplus.ConfigMap(this, `Connection-${resource.name}`, {
        metadata: {
          name: connection.configMapName,
          namespace: props.service,
          labels: props.labels,
          annotations: connection.hostEnv && resource.provider === 'ack' ? { 'learning-platform.io/exported-keys': `${connection.hostEnv} (ACK FieldExport from infra/${resource.name})` } : undefined,
        },
        data,
      });
      this.envConfigMaps.push(connection.configMapName);
      if (connection.credentials) {
        const credentials = new AppExternalSecret(this, `Credentials-${resource.name}`, {
          name: connection.credentials.secretName,
          namespace: props.service,
          labels: props.labels,
          targetSecretName: connection.credentials.secretName,
          env: Object.fromEntries(connection.credentials.entries.map((e) => [e.env, { store: connection.credentials!.store, key: e.key, property: e.property }])),
        });
        this.envSecrets.push(...credentials.secretNames);
      }
      if (resource.kind === 'postgres' || resource.kind === 'redis') {
        this.envSecrets.push(...providerOf(resource).serviceEndpoint(this, resource, props.service, props.labels).envSecrets);
      }
      this.egress.push(connection.egress);
    }
  }
}

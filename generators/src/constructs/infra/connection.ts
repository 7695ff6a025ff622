import type { Cluster } from '../../inputs/clusters.js';
import type { InfraResource } from '../../inputs/infra.js';
import type { NetworkRule } from '../app/app-network-policy.js';

/** A value copied from an AWS secret store into a service's Secret. */
export interface CredentialEntry {
  /** Environment variable (the Secret key). */
  readonly env: string;
  readonly key: string;
  readonly property?: string;
}

/**
 * How a service reaches one resource, whatever the provider: the provider-neutral half of the
 * wiring. The endpoint host, known only once AWS created the resource, is the provider's half
 * (an ACK FieldExport into the ConfigMap, or a Crossplane connection secret read through
 * External Secrets).
 */
export interface Connection {
  /** ConfigMap in the service's namespace holding `staticEnv` (and, with ACK, the exported host). */
  readonly configMapName: string;
  /** Values known at render time (ports, names, region). */
  readonly staticEnv: Readonly<Record<string, string>>;
  /** Environment variable of the endpoint host, for resources reached over the VPC. */
  readonly hostEnv?: string;
  /** Credentials: an ExternalSecret writes Secret `secretName` in the service's namespace. */
  readonly credentials?: { readonly secretName: string; readonly store: 'secrets-manager' | 'parameter-store'; readonly entries: readonly CredentialEntry[] };
  /** The one network path the service gets: these CIDRs on this port. */
  readonly egress: NetworkRule;
}

/** Environment variable of a resource's endpoint host. */
export function hostEnvOf(resource: Pick<InfraResource, 'envPrefix'>): string {
  return `${resource.envPrefix}_HOST`;
}

/** The connection of a resource in a cluster. */
export function connectionOf(resource: InfraResource, cluster: Cluster): Connection {
  const p = resource.envPrefix;
  const configMapName = `${resource.name}-connection`;
  const ipBlocks = (cidrs: readonly string[]) => cidrs.map((cidr) => ({ ipBlock: { cidr } }));
  switch (resource.kind) {
    case 'postgres':
      return {
        configMapName,
        staticEnv: { [`${p}_PORT`]: String(resource.port), [`${p}_DATABASE`]: resource.databaseName, [`${p}_SSLMODE`]: 'require' },
        hostEnv: hostEnvOf(resource),
        credentials: {
          secretName: `${resource.name}-credentials`,
          store: resource.credentials.store,
          entries: [
            { env: `${p}_USERNAME`, key: resource.credentials.key, property: resource.credentials.usernameProperty },
            { env: `${p}_PASSWORD`, key: resource.credentials.key, property: resource.credentials.passwordProperty },
          ],
        },
        egress: { peers: ipBlocks(resource.network.cidrs), ports: [{ port: resource.port }] },
      };
    case 'redis':
      return {
        configMapName,
        staticEnv: { [`${p}_PORT`]: String(resource.port), [`${p}_TLS`]: 'true', [`${p}_CLUSTER_MODE`]: 'true' },
        hostEnv: hostEnvOf(resource),
        credentials: {
          secretName: `${resource.name}-credentials`,
          store: resource.authToken.store,
          entries: [{ env: `${p}_AUTH_TOKEN`, key: resource.authToken.key, property: resource.authToken.property }],
        },
        egress: { peers: ipBlocks(resource.network.cidrs), ports: [{ port: resource.port }] },
      };
    case 'bucket':
      return {
        configMapName,
        staticEnv: { [`${p}_BUCKET`]: resource.awsName, [`${p}_REGION`]: cluster.region },
        egress: { peers: ipBlocks(resource.endpointCidrs), ports: [{ port: 443 }] },
      };
    case 'queue':
      return {
        configMapName,
        staticEnv: {
          [`${p}_QUEUE_NAME`]: resource.awsName,
          [`${p}_QUEUE_URL`]: `https://sqs.${cluster.region}.amazonaws.com/${resource.accountId}/${resource.awsName}`,
          [`${p}_DLQ_NAME`]: resource.deadLetter.awsName,
          [`${p}_REGION`]: cluster.region,
        },
        egress: { peers: ipBlocks(resource.endpointCidrs), ports: [{ port: 443 }] },
      };
  }
}

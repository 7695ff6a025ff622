import type { Construct } from 'constructs';
import type { Cluster } from '../../inputs/clusters.js';
import type { InfraResource, PostgresResource, RedisResource } from '../../inputs/infra.js';
import type { InfraKind } from '../../inputs/schemas/infra.js';
import type { InfraContext } from './infra-context.js';

/** Renders one kind of resource. */
export type KindRenderer<K extends InfraKind> = (scope: Construct, resource: Extract<InfraResource, { kind: K }>, context: InfraContext) => void;

/**
 * A controller that manages AWS resources from Kubernetes objects. A database is a database:
 * the inputs, the connection a service gets and the protections are the same; ACK and
 * Crossplane are two implementations, chosen by the cluster's `provider`.
 */
export interface InfraProvider {
  readonly id: Cluster['provider'];
  /** Cluster-wide objects the controller needs (Crossplane: its ProviderConfig). */
  clusterObjects(scope: Construct, cluster: Cluster): void;
  /** The AWS resource with its protections, and the export of its endpoint to `context.users`. */
  readonly kinds: { readonly [K in InfraKind]: KindRenderer<K> };
  /**
   * Objects in a user's namespace that bring the endpoint host in, when the provider needs them;
   * returns the Secrets to add to the pods' envFrom (ACK exports into the ConfigMap: none).
   */
  serviceEndpoint(scope: Construct, resource: PostgresResource | RedisResource, service: string, labels: Record<string, string>): { readonly envSecrets: readonly string[] };
}

/** Renders one resource with a provider (dispatch on the kind). */
export function renderResource(provider: InfraProvider, scope: Construct, resource: InfraResource, context: InfraContext): void {
  (provider.kinds[resource.kind] as KindRenderer<InfraKind>)(scope, resource as never, context);
}

import type { Cluster } from '../../inputs/clusters.js';
import { ackProvider } from './ack/ack-provider.js';
import { crossplaneProvider } from './crossplane/crossplane-provider.js';
import type { InfraProvider } from './infra-provider.js';

/** Every provider by the name a cluster.yaml chooses it with. */
export const infraProviders: Readonly<Record<Cluster['provider'], InfraProvider>> = {
  ack: ackProvider,
  crossplane: crossplaneProvider,
};

/** The provider of a cluster or of one resource (`provider` in cluster.yaml, or in the resource's cluster section). */
export function providerOf(owner: { readonly provider: Cluster['provider'] }): InfraProvider {
  return infraProviders[owner.provider];
}

/** Providers a cluster runs: its own, and any a resource chose, in a fixed order. */
export function providersInUse(cluster: Pick<Cluster, 'provider'>, resources: readonly { readonly provider: Cluster['provider'] }[]): InfraProvider[] {
  const ids = new Set([cluster.provider, ...resources.map((r) => r.provider)]);
  return (Object.keys(infraProviders) as Cluster['provider'][]).filter((id) => ids.has(id)).map((id) => infraProviders[id]);
}

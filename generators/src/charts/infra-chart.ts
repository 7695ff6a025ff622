import type { Construct } from 'constructs';
import { appLabels } from '../constructs/app/labels.js';
import type { AppChartContext } from './app-chart.js';
import { InfraNamespace } from '../constructs/infra/infra-namespace.js';
import { renderResource } from '../constructs/infra/infra-provider.js';
import { providerOf, providersInUse } from '../constructs/infra/providers.js';
import { ServiceWiring } from '../constructs/infra/service-wiring.js';
import type { Cluster } from '../inputs/clusters.js';
import type { InfraResource } from '../inputs/infra.js';
import type { Service } from '../inputs/services.js';

/** Names of the services that use a resource, sorted. */
export function usersOf(resource: string, services: readonly Pick<Service, 'name' | 'uses'>[]): string[] {
  return services
    .filter((service) => service.uses.includes(resource))
    .map((service) => service.name)
    .sort();
}

/** `infra/`: the infra namespace and the cluster-wide objects of every provider in use. */
export function buildInfraBaseChart(scope: Construct, cluster: Cluster, infra: readonly InfraResource[]): void {
  new InfraNamespace(scope, 'Namespace');
  for (const provider of providersInUse(cluster, infra)) provider.clusterObjects(scope, cluster);
}

/**
 * `infra/<resource>/`: one resource with its provider, exported to the services that use it and to
 * `otherUsers`, namespaces that are not services (the workflows namespace when db-migrate migrates it).
 */
export function buildInfraResourceChart(
  scope: Construct,
  resource: InfraResource,
  cluster: Cluster,
  services: readonly Pick<Service, 'name' | 'uses'>[],
  otherUsers: readonly string[] = [],
): void {
  const users = [...usersOf(resource.name, services), ...otherUsers].sort();
  renderResource(providerOf(resource), scope, resource, { cluster, users });
}

/**
 * Adds a service's infrastructure wiring (connection ConfigMaps, credential ExternalSecrets,
 * provider endpoint objects) to its chart and returns the context fields for `buildAppChart`.
 */
export function wireServiceInfra(
  scope: Construct,
  service: Service,
  cluster: Cluster,
  infra: readonly InfraResource[],
): Pick<AppChartContext, 'extraEgress' | 'extraEnvConfigMaps' | 'extraEnvSecrets'> {
  const resources = service.uses.map((name) => infra.find((resource) => resource.name === name)!);
  if (resources.length === 0) return {};
  const wiring = new ServiceWiring(scope, 'Infra', {
    service: service.name,
    labels: appLabels(service.name, service.team),
    resources,
    cluster,
  });
  return { extraEgress: wiring.egress, extraEnvConfigMaps: wiring.envConfigMaps, extraEnvSecrets: wiring.envSecrets };
}

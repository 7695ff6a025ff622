import type { Construct } from 'constructs';
import { buildAppChart, calleesOf, type Callee } from '../charts/app-chart.js';
import { buildInfraBaseChart, buildInfraResourceChart, wireServiceInfra } from '../charts/infra-chart.js';
import { buildPlatformChart } from '../charts/platform-chart.js';
import { buildWorkflowsChart } from '../charts/workflows-chart.js';
import type { Cluster } from '../inputs/clusters.js';
import type { InfraResource } from '../inputs/infra.js';
import type { ClusterPlatform, Platform } from '../inputs/platform.js';
import type { Service } from '../inputs/services.js';
import { planWorkflows, workflowUsersOf } from '../workflows/plan.js';
import type { ChartSynth } from './chart-cache.js';
import { renderArgoCd } from './render-argocd.js';
import type { TreeFile } from './rendered-file.js';

/**
 * Renders one part of a cluster's tree. Each renderer owns its top-level folders under
 * `clusters/<cluster>/rendered/` and returns their files: an array, or a generator that yields
 * them chart by chart so the render streams to disk instead of holding the tree in memory.
 * Charts go through `charts`, which synthesizes them or serves them from the render cache: each
 * chart's build function takes, as inputs, exactly what it reads.
 */
export type ClusterRenderer = (cluster: ClusterPlatform, platform: Platform, charts: ChartSynth) => Iterable<TreeFile>;

/** `apps/<service>/`: one chart per service, streamed. */
export const renderApps: ClusterRenderer = function* ({ cluster, services, infra }, _platform, charts) {
  for (const service of services) {
    const sources = [...service.sources.slice().reverse(), ...service.uses.map((name) => `infra/${name}.yaml`)];
    // What the chart reads of the other services: which ones it calls (their allowFrom names it; of
    // that list nothing else matters here) and their ports.
    const callees = calleesOf(service.name, services).map(({ name, ports }): Callee => ({ name, ports, allowFrom: [service.name] }));
    const used = service.uses.map((name) => infra.find((resource) => resource.name === name)!);
    yield* charts.files(`apps/${service.name}`, sources, buildServiceChart, service, cluster, callees, used);
  }
};

function buildServiceChart(scope: Construct, service: Service, cluster: Cluster, callees: readonly Callee[], used: readonly InfraResource[]): void {
  buildAppChart(scope, service, { cluster, services: callees, ...wireServiceInfra(scope, service, cluster, used) });
}

/** `infra/`: the infra namespace and provider objects, and `infra/<resource>/` per resource (ACK or Crossplane). */
export const renderInfra: ClusterRenderer = function* ({ cluster, services, infra }, _platform, charts) {
  yield* charts.files('infra', [cluster.file], buildInfraBaseChart, cluster, infra);
  for (const resource of infra) {
    // What the chart reads of the services: which of them use the resource.
    const users = services.filter((service) => service.uses.includes(resource.name)).map(({ name }) => ({ name, uses: [resource.name] }));
    yield* charts.files(`infra/${resource.name}`, [resource.file, cluster.file, cluster.paramsFile], buildInfraResourceChart, resource, cluster, users, workflowUsersOf(resource.name, cluster));
  }
};

/** `platform/`: cluster-wide objects of the platform itself. */
export const renderPlatformObjects: ClusterRenderer = ({ cluster }, _platform, charts) => charts.files('platform', [cluster.file], buildPlatformChart, cluster);

/** `workflows/`: the Argo Workflows templates `gitops verify` submits, when cluster.yaml has `workflows:`. */
export const renderWorkflows: ClusterRenderer = ({ cluster, services, infra }, _platform, charts) => {
  const plan = planWorkflows(cluster, services, infra);
  if (!plan) return [];
  const sources = [cluster.file, ...(plan.integrationTests || plan.loadTest ? ['apps/'] : []), ...(plan.dbMigrate ? [`infra/${plan.dbMigrate.database.name}.yaml`] : [])];
  return charts.files('workflows', sources, buildWorkflowsChart, plan, cluster);
};

/** Every renderer, in no particular order: the output is sorted by path. */
export const renderers: readonly ClusterRenderer[] = [renderApps, renderPlatformObjects, renderInfra, renderArgoCd, renderWorkflows];

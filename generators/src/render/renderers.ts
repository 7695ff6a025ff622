import { buildAppChart } from '../charts/app-chart.js';
import { buildInfraBaseChart, buildInfraResourceChart, wireServiceInfra } from '../charts/infra-chart.js';
import { buildPlatformChart } from '../charts/platform-chart.js';
import { buildWorkflowsChart } from '../charts/workflows-chart.js';
import type { ClusterPlatform, Platform } from '../inputs/platform.js';
import { planWorkflows, workflowUsersOf } from '../workflows/plan.js';
import { chartFiles } from './manifest-files.js';
import { renderArgoCd } from './render-argocd.js';
import type { RenderedFile } from './rendered-file.js';

/**
 * Renders one part of a cluster's tree. Each renderer owns its top-level folders under
 * `clusters/<cluster>/rendered/` and returns their files: an array, or a generator that yields
 * them chart by chart so the render streams to disk instead of holding the tree in memory.
 */
export type ClusterRenderer = (cluster: ClusterPlatform, platform: Platform) => Iterable<RenderedFile>;

/** `apps/<service>/`: one chart per service, streamed. */
export const renderApps: ClusterRenderer = function* ({ cluster, services, infra }) {
  for (const service of services) {
    const sources = [...service.sources.slice().reverse(), ...service.uses.map((name) => `infra/${name}.yaml`)];
    yield* chartFiles(`apps/${service.name}`, sources, (scope) =>
      buildAppChart(scope, service, { cluster, services, ...wireServiceInfra(scope, service, cluster, infra) }),
    );
  }
};

/** `infra/`: the infra namespace and provider objects, and `infra/<resource>/` per resource (ACK or Crossplane). */
export const renderInfra: ClusterRenderer = function* ({ cluster, services, infra }) {
  yield* chartFiles('infra', [cluster.file], (scope) => buildInfraBaseChart(scope, cluster, infra));
  for (const resource of infra) {
    yield* chartFiles(`infra/${resource.name}`, [resource.file, cluster.file, cluster.paramsFile], (scope) =>
      buildInfraResourceChart(scope, resource, cluster, services, workflowUsersOf(resource.name, cluster)),
    );
  }
};

/** `platform/`: cluster-wide objects of the platform itself. */
export const renderPlatformObjects: ClusterRenderer = ({ cluster }) =>
  chartFiles('platform', [cluster.file], (scope) => buildPlatformChart(scope, cluster));

/** `workflows/`: the Argo Workflows templates `gitops verify` submits, when cluster.yaml has `workflows:`. */
export const renderWorkflows: ClusterRenderer = ({ cluster, services, infra }) => {
  const plan = planWorkflows(cluster, services, infra);
  if (!plan) return [];
  const sources = [cluster.file, ...(plan.integrationTests || plan.loadTest ? ['apps/'] : []), ...(plan.dbMigrate ? [`infra/${plan.dbMigrate.database.name}.yaml`] : [])];
  return chartFiles('workflows', sources, (scope) => buildWorkflowsChart(scope, plan, cluster));
};

/** Every renderer, in no particular order: the output is sorted by path. */
export const renderers: readonly ClusterRenderer[] = [renderApps, renderPlatformObjects, renderInfra, renderArgoCd, renderWorkflows];

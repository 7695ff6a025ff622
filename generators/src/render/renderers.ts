import { buildAppChart } from '../charts/app-chart.js';
import { buildPlatformChart } from '../charts/platform-chart.js';
import type { ClusterPlatform, Platform } from '../inputs/platform.js';
import { chartFiles } from './manifest-files.js';
import type { RenderedFile } from './rendered-file.js';

/**
 * Renders one part of a cluster's tree. Each renderer owns its top-level folders under
 * `clusters/<cluster>/rendered/` and returns their files: an array, or a generator that yields
 * them chart by chart so the render streams to disk instead of holding the tree in memory.
 */
export type ClusterRenderer = (cluster: ClusterPlatform, platform: Platform) => Iterable<RenderedFile>;

/** `apps/<service>/`: one chart per service, streamed. */
export const renderApps: ClusterRenderer = function* ({ cluster, services }) {
  for (const service of services) {
    yield* chartFiles(`apps/${service.name}`, service.sources.slice().reverse(), (scope) => buildAppChart(scope, service, { cluster, services }));
  }
};

/** `platform/`: cluster-wide objects of the platform itself. */
export const renderPlatformObjects: ClusterRenderer = ({ cluster }) =>
  chartFiles('platform', [cluster.file], (scope) => buildPlatformChart(scope, cluster));

/** Every renderer, in no particular order: the output is sorted by path. */
export const renderers: readonly ClusterRenderer[] = [renderApps, renderPlatformObjects];

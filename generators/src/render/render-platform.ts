import type { Platform } from '../inputs/platform.js';
import type { RenderedFile } from './rendered-file.js';
import { renderers } from './renderers.js';

/** One cluster's render, produced lazily: iterate `files()` to synthesize chart by chart. */
export interface ClusterRender {
  readonly cluster: string;
  /** Yields every file of `clusters/<cluster>/rendered/`; throws on two files with one path. */
  readonly files: () => Iterable<RenderedFile>;
}

/** Prepares the render of every cluster. Nothing is synthesized until `files()` is iterated. */
export function renderPlatform(platform: Platform): ClusterRender[] {
  return platform.clusters.map((clusterPlatform) => ({
    cluster: clusterPlatform.cluster.name,
    files: function* () {
      const seen = new Set<string>();
      for (const render of renderers) {
        for (const file of render(clusterPlatform, platform)) {
          if (seen.has(file.path)) throw new Error(`two renderers wrote clusters/${clusterPlatform.cluster.name}/rendered/${file.path}`);
          seen.add(file.path);
          yield file;
        }
      }
    },
  }));
}

/** Renders every cluster into memory, files sorted by path (tests, tools). */
export function renderToMemory(platform: Platform): Map<string, RenderedFile[]> {
  return new Map(
    renderPlatform(platform).map(({ cluster, files }) => [cluster, [...files()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))]),
  );
}

import type { Platform } from '../inputs/platform.js';
import { synthesizeEveryChart, type ChartSynth } from './chart-cache.js';
import type { RenderedFile, TreeFile } from './rendered-file.js';
import { renderers } from './renderers.js';

/** One cluster's render, produced lazily: iterate `files()` to synthesize chart by chart. */
export interface ClusterRender {
  readonly cluster: string;
  /**
   * Yields every file of `clusters/<cluster>/rendered/`; throws on two files with one path.
   * `charts` decides what is synthesized (default: every chart; the render cache passes its own).
   */
  readonly files: (charts?: ChartSynth) => Iterable<TreeFile>;
}

/** Prepares the render of every cluster. Nothing is synthesized until `files()` is iterated. */
export function renderPlatform(platform: Platform): ClusterRender[] {
  return platform.clusters.map((clusterPlatform) => ({
    cluster: clusterPlatform.cluster.name,
    files: function* (charts = synthesizeEveryChart) {
      const seen = new Set<string>();
      for (const render of renderers) {
        for (const file of render(clusterPlatform, platform, charts)) {
          if (seen.has(file.path)) throw new Error(`two renderers wrote clusters/${clusterPlatform.cluster.name}/rendered/${file.path}`);
          seen.add(file.path);
          yield file;
        }
      }
    },
  }));
}

/** Renders every cluster into memory, every chart synthesized, files sorted by path (tests, tools). */
export function renderToMemory(platform: Platform): Map<string, RenderedFile[]> {
  return new Map(
    renderPlatform(platform).map(({ cluster, files }) => [
      cluster,
      [...files()].map(withContent).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    ]),
  );
}

function withContent(file: TreeFile): RenderedFile {
  if (file.content === undefined) throw new Error(`${file.path}: a render without cache yielded a file without content`);
  return file;
}

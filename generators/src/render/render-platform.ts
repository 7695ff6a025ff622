import type { Platform } from '../inputs/platform.js';
import type { RenderedFile } from './rendered-file.js';
import { renderers } from './renderers.js';

/** The whole rendered output: cluster name → files sorted by path. */
export type RenderedTree = ReadonlyMap<string, readonly RenderedFile[]>;

/** Renders every cluster in memory. Nothing touches the disk here. */
export function renderPlatform(platform: Platform): RenderedTree {
  const tree = new Map<string, RenderedFile[]>();
  for (const cluster of platform.clusters) {
    const files = renderers.flatMap((render) => render(cluster, platform));
    const seen = new Set<string>();
    for (const file of files) {
      if (seen.has(file.path)) throw new Error(`two renderers wrote clusters/${cluster.cluster.name}/rendered/${file.path}`);
      seen.add(file.path);
    }
    tree.set(cluster.cluster.name, files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)));
  }
  return tree;
}

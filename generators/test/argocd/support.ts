import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadPlatform, type Platform } from '../../src/inputs/platform.js';
import { renderToMemory } from '../../src/render/render-platform.js';
import type { RenderedFile } from '../../src/render/rendered-file.js';
import { loadRenderedDocs } from '../../src/validate/rendered-docs.js';
import type { CheckContext } from '../../src/validate/checks.js';
import { repoRoot, tempRepo, type TempRepo } from '../support/temp-repo.js';

/** The example platform of this repository, rendered in memory once per test file. */
let example: { platform: Platform; tree: Map<string, RenderedFile[]> } | undefined;
export async function renderExample(): Promise<{ platform: Platform; tree: Map<string, RenderedFile[]> }> {
  example ??= await (async () => {
    const platform = await loadPlatform(repoRoot);
    return { platform, tree: renderToMemory(platform) };
  })();
  return example;
}

/** One rendered file of the example, by cluster and path under `rendered/`. */
export async function exampleFile(cluster: string, file: string): Promise<string> {
  const { tree } = await renderExample();
  const found = tree.get(cluster)?.find((f) => f.path === file);
  if (!found) throw new Error(`no rendered file ${cluster}/${file}`);
  return found.content;
}

/** A temporary repository with the example inputs and the freshly rendered tree on disk. */
export async function renderedRepo(): Promise<TempRepo> {
  const { tree } = await renderExample();
  const repo = await tempRepo({ fromExample: true });
  await rm(path.join(repo.root, 'clusters/production/rendered'), { recursive: true, force: true });
  await rm(path.join(repo.root, 'clusters/staging/rendered'), { recursive: true, force: true });
  for (const [cluster, files] of tree) {
    for (const file of files) {
      const target = path.join(repo.root, 'clusters', cluster, 'rendered', file.path);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, file.content);
    }
  }
  return repo;
}

/** What a check sees of one cluster of a repository on disk. */
export async function checkContext(root: string, cluster: string): Promise<CheckContext> {
  const { platform } = await renderExample();
  const input = platform.clusters.find((c) => c.cluster.name === cluster)!.cluster;
  const { docs } = await loadRenderedDocs(root, cluster, path.join(root, 'clusters', cluster, 'rendered'));
  return { cluster: input, docs, root };
}

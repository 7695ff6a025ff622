import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.js';
import { listClusterNames, readClusters, type Cluster } from './clusters.js';
import { readServices, type Service } from './services.js';

/** Everything the generators render, validated and resolved: one entry per cluster. */
export interface Platform {
  readonly clusters: readonly ClusterPlatform[];
}

export interface ClusterPlatform {
  readonly cluster: Cluster;
  /** Services sorted by name. */
  readonly services: readonly Service[];
}

/**
 * Reads every input (clusters, params, services), validates it and resolves references.
 * Throws one `InputError` listing every issue of the run.
 */
export async function loadPlatform(root: string): Promise<Platform> {
  const { clusters, issues } = await readClusters(root);
  const infraNames = new Set(await listInfraNames(root));
  const services = await readServices(root, clusters, infraNames, await listClusterNames(root));
  issues.push(...services.issues);
  if (issues.length) throw new InputError(issues);
  return {
    clusters: clusters.map((cluster) => ({ cluster, services: services.services.get(cluster.name) ?? [] })),
  };
}

/** Names of `infra/<name>.yaml` files, sorted. */
export async function listInfraNames(root: string): Promise<string[]> {
  const entries = await readdir(path.join(root, 'infra')).catch(() => []);
  return entries.filter((file) => file.endsWith('.yaml')).map((file) => file.slice(0, -'.yaml'.length)).sort();
}

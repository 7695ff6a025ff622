import { InputError } from '../errors.js';
import { readAddonCatalogue } from './addons.js';
import { addonRoleRules } from './addon-roles.js';
import { listClusterNames, readClusters, type Cluster } from './clusters.js';
import { readInfra, type InfraResource } from './infra.js';
import { readServices, type Service } from './services.js';
import { serviceInfraRules } from './service-infra.js';
import { workflowRules } from './workflow-rules.js';
import type { AddonCatalogue } from './schemas/addons.js';

/** Everything the generators render, validated and resolved: one entry per cluster. */
export interface Platform {
  readonly clusters: readonly ClusterPlatform[];
  /** Pinned versions of Argo CD and the add-on charts (`clusters/addons.yaml`), shared by every cluster. */
  readonly addons: AddonCatalogue;
}

export interface ClusterPlatform {
  readonly cluster: Cluster;
  /** Services sorted by name. */
  readonly services: readonly Service[];
  /** Infrastructure resources (`infra/<name>.yaml`) as they exist in this cluster, sorted by name. */
  readonly infra: readonly InfraResource[];
}

/**
 * Reads every input (clusters, params, services), validates it and resolves references.
 * Throws one `InputError` listing every issue of the run.
 */
export async function loadPlatform(root: string): Promise<Platform> {
  const { clusters, issues } = await readClusters(root);
  // Every cluster folder, also those whose cluster.yaml failed: their issues are reported once, not
  // again by each input that names the cluster.
  const clusterFolders = await listClusterNames(root);
  const infra = await readInfra(root, clusters, clusterFolders);
  issues.push(...infra.issues);
  const services = await readServices(root, clusters, new Set(infra.model.declared.keys()), clusterFolders);
  issues.push(...services.issues);
  const platformClusters = clusters.map((cluster) => ({
    cluster,
    services: services.services.get(cluster.name) ?? [],
    infra: infra.model.byCluster.get(cluster.name) ?? [],
  }));
  issues.push(...(await serviceInfraRules(root, platformClusters, infra.model.declared)));
  issues.push(...(await addonRoleRules(root, platformClusters)));
  issues.push(...(await workflowRules(root, platformClusters, infra.model.declared)));
  const addons = await readAddonCatalogue(root);
  issues.push(...addons.issues);
  if (issues.length) throw new InputError(issues);
  return { clusters: platformClusters, addons: addons.catalogue! };
}

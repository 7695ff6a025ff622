import type { Cluster } from '../inputs/clusters.js';
import type { IrsaAddon } from '../inputs/schemas/cluster-argocd.js';

/** The annotation IRSA reads on a service account. */
export const irsaRoleAnnotation = 'eks.amazonaws.com/role-arn';

/**
 * Service-account annotations that give an add-on its IAM role: IRSA on EKS (the role from
 * `eks.addonRoles`, validated present when needed); nothing on k3s, where pods use the EC2
 * instance profile.
 */
export function irsaAnnotations(cluster: Cluster, addon: IrsaAddon): Record<string, string> {
  if (cluster.flavor !== 'eks') return {};
  return { [irsaRoleAnnotation]: addonRoleArn(cluster, addon) };
}

/** The IAM role of an add-on on an EKS cluster (`eks.addonRoles`, validated present when needed). */
export function addonRoleArn(cluster: Extract<Cluster, { flavor: 'eks' }>, addon: IrsaAddon): string {
  const role = cluster.eks.addonRoles[addon];
  if (!role) throw new Error(`${cluster.file}: eks.addonRoles.${addon} is missing (the input rules should have said so)`);
  return role;
}

/** The External Secrets role (`secretStores.roleArn`) as service-account annotations. */
export function externalSecretsAnnotations(cluster: Cluster): Record<string, string> {
  if (cluster.flavor !== 'eks') return {};
  if (!cluster.secretStores.roleArn) throw new Error(`${cluster.file}: secretStores.roleArn is missing (the input rules should have said so)`);
  return { [irsaRoleAnnotation]: cluster.secretStores.roleArn };
}

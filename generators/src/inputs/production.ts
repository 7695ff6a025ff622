/**
 * Whether a cluster is production: its `production` input when set, otherwise true for EKS and
 * false for k3s. Used by the policies (images pinned by digest) and by `gitops diff` (every
 * production change is flagged). Takes the raw or the validated cluster input.
 */
export function isProduction(cluster: { readonly flavor?: unknown; readonly production?: unknown }): boolean {
  if (typeof cluster.production === 'boolean') return cluster.production;
  return cluster.flavor === 'eks';
}

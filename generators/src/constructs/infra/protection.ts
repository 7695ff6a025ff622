import { awsDeletionProtectionCheckId, exemptionAnnotation } from '../../policy-exemption.js';

/**
 * The three protections every stateful AWS object carries, so that nothing stateful is lost by
 * a sync, a pruned file or a refactor (`validate/policies/stateful-protection.ts` checks them):
 * 1. Argo CD never prunes or deletes the Kubernetes object;
 * 2. the controller keeps the AWS resource when the Kubernetes object goes anyway
 *    (ACK `retain` annotation, Crossplane `deletionPolicy: Orphan`);
 * 3. AWS itself refuses to delete it where AWS has such a switch (RDS deletion protection).
 */

/** Argo CD per-resource sync options: never prune, never delete on Application deletion. */
export const argoSyncOptionsAnnotation = 'argocd.argoproj.io/sync-options';
export const argoKeepValue = 'Prune=false,Delete=false';

/** ACK: keep the AWS resource when the Kubernetes object is deleted. */
export const ackDeletionPolicyAnnotation = 'services.k8s.aws/deletion-policy';
export const ackRetain = 'retain';

/** ACK: region of the AWS resource. */
export const ackRegionAnnotation = 'services.k8s.aws/region';

/** Crossplane: keep the external resource when the managed resource is deleted. */
export const crossplaneOrphan = 'Orphan';

/** Annotations of every ACK object that manages an AWS resource. */
export function ackAnnotations(region: string, extra: Record<string, string> = {}): Record<string, string> {
  return { [argoSyncOptionsAnnotation]: argoKeepValue, [ackDeletionPolicyAnnotation]: ackRetain, [ackRegionAnnotation]: region, ...extra };
}

/** Annotations of every Crossplane managed resource (the Orphan policy is a spec field). */
export function crossplaneAnnotations(extra: Record<string, string> = {}): Record<string, string> {
  return { [argoSyncOptionsAnnotation]: argoKeepValue, ...extra };
}

/**
 * The visible exemption a non-production database gets when its input turns AWS deletion
 * protection off: `validate` lists it instead of failing, so reviewers see it. It covers only
 * the AWS protection; the Argo CD and controller protections stay enforced.
 */
export function deletionProtectionExemption(file: string, cluster: string): Record<string, string> {
  return { [exemptionAnnotation(awsDeletionProtectionCheckId)]: `deletionProtection: false in ${file} (non-production cluster ${cluster})` };
}

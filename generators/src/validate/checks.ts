import { exemptionAnnotation, resourceId, type CheckContext, type Exemption, type Finding, type RenderedCheck } from './rendered-check.js';
import { defaultDenyNetworkPolicy } from './policies/default-deny-network-policy.js';
import { flavorConsistency } from './policies/flavor-consistency.js';
import { imageDigestProduction } from './policies/image-digest-production.js';
import { noLatestTag } from './policies/no-latest-tag.js';
import { noSecretObjects } from './policies/no-secret-objects.js';
import { ownership } from './policies/ownership.js';
import { podSecurityRestricted } from './policies/pod-security-restricted.js';
import { probes } from './policies/probes.js';
import { projectPermissions } from './policies/project-permissions.js';
import { resourceRequestsLimits } from './policies/resource-requests-limits.js';
import { awsDeletionProtection, statefulProtection } from './policies/stateful-protection.js';
import { syncWindows } from './policies/sync-windows.js';

/**
 * Checks that run on the rendered tree after the schema validators (kubeconform,
 * kubectl-validate): the project's policies. Each has an id, says what is wrong and how to fix it.
 * What a check sees and reports is defined in `rendered-check.ts`, which the policies import:
 * this registry depends on the policies, the policies on those types, never the other way.
 */

// Re-exported for the registry's callers.
export { exemptionAnnotation, findingLocation, resourceId, type CheckContext, type Exemption, type Finding, type RenderedCheck, type RenderedDoc } from './rendered-check.js';

/**
 * The registry of checks `gitops validate` runs. Add a check by appending it here
 * (each lives in `generators/src/validate/policies/<id>.ts`).
 */
export const renderedChecks: RenderedCheck[] = [
  podSecurityRestricted,
  resourceRequestsLimits,
  probes,
  noLatestTag,
  imageDigestProduction,
  defaultDenyNetworkPolicy,
  noSecretObjects,
  statefulProtection,
  awsDeletionProtection,
  ownership,
  projectPermissions,
  flavorConsistency,
  syncWindows,
];

/** Runs every check (or the given ones) on one cluster and applies exemptions. */
export function runChecks(context: CheckContext, checks: readonly RenderedCheck[] = renderedChecks): { findings: Finding[]; exemptions: Exemption[] } {
  const byResource = new Map(context.docs.map((doc) => [`${doc.file}\u0000${resourceId(doc)}`, doc]));
  const findings: Finding[] = [];
  const exemptions: Exemption[] = [];
  for (const check of checks) {
    for (const finding of check.run(context)) {
      const doc = byResource.get(`${finding.file}\u0000${finding.resource}`);
      const reason = doc?.object.metadata.annotations?.[exemptionAnnotation(finding.check)];
      if (reason && reason.trim()) exemptions.push({ check: finding.check, resource: finding.resource, file: finding.file, reason: reason.trim() });
      else findings.push(finding);
    }
  }
  const order = (a: { file: string; resource: string; check: string }, b: { file: string; resource: string; check: string }) =>
    a.file.localeCompare(b.file) || a.resource.localeCompare(b.resource) || a.check.localeCompare(b.check);
  return { findings: findings.sort(order), exemptions: exemptions.sort(order) };
}

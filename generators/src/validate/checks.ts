import type { Cluster } from '../inputs/clusters.js';
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

/**
 * Checks that run on the rendered tree after the schema validators (kubeconform,
 * kubectl-validate): the project's policies. Each has an id, says what is wrong and how to fix it.
 *
 * An object may be exempted from a check by an annotation naming the check and a reason:
 *   `policy.learning-platform.io/exempt-<id>: "<reason>"`
 * The runner lists every exception it honoured, so reviewers see them.
 */

/** One parsed document of a rendered file. */
export interface RenderedDoc {
  /** Cluster the file belongs to. */
  readonly cluster: string;
  /** Repository-relative path (`clusters/production/rendered/apps/x/deployment.x.yaml`). */
  readonly file: string;
  /** The object as parsed from YAML. */
  readonly object: {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
    readonly [key: string]: unknown;
  };
}

/** A problem one check found in one object (or in the tree as a whole, with no object). */
export interface Finding {
  /** Check id, e.g. `pod-security-restricted`. */
  readonly check: string;
  readonly file: string;
  /** `Kind/namespace/name` or `Kind/name`. */
  readonly resource: string;
  readonly message: string;
  /** How to fix it, one sentence. */
  readonly fix: string;
}

/** What a check sees: every document of one cluster, and the cluster's input. */
export interface CheckContext {
  readonly cluster: Cluster;
  readonly docs: readonly RenderedDoc[];
  /** Repository root, for checks that look at files (paths Argo CD syncs, READMEs). */
  readonly root: string;
}

/** A rendered-tree check. */
export interface RenderedCheck {
  readonly id: string;
  /** What the check guarantees, one line (listed by `gitops validate --list-checks`). */
  readonly description: string;
  /** Returns every finding; exemptions are applied by the runner, not here. */
  readonly run: (context: CheckContext) => Finding[];
}

/** `Kind/namespace/name` of a document, as findings print it. */
export function resourceId(doc: RenderedDoc): string {
  const { kind, metadata } = doc.object;
  return metadata.namespace ? `${kind}/${metadata.namespace}/${metadata.name}` : `${kind}/${metadata.name}`;
}

/** Annotation that exempts an object from one check; its value is the reason. */
export function exemptionAnnotation(checkId: string): string {
  return `policy.learning-platform.io/exempt-${checkId}`;
}

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
];

/** An exemption the runner honoured: reported so it stays visible. */
export interface Exemption {
  readonly check: string;
  readonly resource: string;
  readonly file: string;
  readonly reason: string;
}

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

import type { Finding, RenderedCheck, RenderedDoc } from '../rendered-check.js';
import { podTemplates } from '../pod-templates.js';
import { findingFor } from './support.js';

/**
 * Every namespace the tree creates or runs pods in has a default-deny NetworkPolicy: one that
 * selects every pod (`podSelector: {}`), covers Ingress and Egress, and allows nothing. Other
 * policies then open exactly the paths a service needs.
 */

const ID = 'default-deny-network-policy';

type PolicySpec = { podSelector?: Record<string, unknown>; policyTypes?: string[]; ingress?: unknown[]; egress?: unknown[] };

/** The spec of a NetworkPolicy that selects every pod of its namespace (`podSelector: {}`), else undefined. */
function catchAllSpec(doc: RenderedDoc): PolicySpec | undefined {
  if (doc.object.kind !== 'NetworkPolicy' || doc.object.apiVersion !== 'networking.k8s.io/v1') return undefined;
  const spec = (doc.object['spec'] ?? {}) as PolicySpec;
  const selectsAll = spec.podSelector !== undefined && Object.keys(spec.podSelector).every((key) => {
    const value = spec.podSelector![key];
    return value === undefined || value === null || (Array.isArray(value) ? value.length === 0 : typeof value === 'object' && Object.keys(value as object).length === 0);
  });
  return selectsAll ? spec : undefined;
}

/** Why a policy selecting every pod still lets traffic through (empty when it denies everything). */
function openings(spec: PolicySpec): string[] {
  const types = spec.policyTypes ?? [];
  const reasons: string[] = [];
  if (!types.includes('Ingress') || !types.includes('Egress')) reasons.push(`its policyTypes [${types.join(', ')}] leave out ${['Ingress', 'Egress'].filter((t) => !types.includes(t)).join(' and ')}`);
  const ingress = (spec.ingress ?? []).length;
  const egress = (spec.egress ?? []).length;
  if (ingress) reasons.push(`it allows ${ingress} ingress rule${ingress === 1 ? '' : 's'}`);
  if (egress) reasons.push(`it allows ${egress} egress rule${egress === 1 ? '' : 's'}`);
  return reasons;
}

/** True when a NetworkPolicy denies all ingress and egress for every pod of its namespace. */
export function isDefaultDeny(doc: RenderedDoc): boolean {
  const spec = catchAllSpec(doc);
  return spec !== undefined && openings(spec).length === 0;
}

export const defaultDenyNetworkPolicy: RenderedCheck = {
  id: ID,
  description: 'every namespace with pods, or created by the tree, has a default-deny NetworkPolicy (ingress and egress)',
  run: ({ docs }) => {
    const covered = new Set(docs.filter(isDefaultDeny).map((doc) => doc.object.metadata.namespace ?? ''));
    /** Namespace → the document a finding is attached to (the Namespace object when rendered). */
    const needs = new Map<string, RenderedDoc>();
    for (const doc of docs) {
      if (doc.object.kind === 'Namespace' && doc.object.apiVersion === 'v1') needs.set(doc.object.metadata.name, doc);
    }
    for (const doc of docs) {
      const namespace = doc.object.metadata.namespace;
      if (namespace && podTemplates(doc.object).length && !needs.has(namespace)) needs.set(namespace, doc);
    }
    const findings: Finding[] = [];
    for (const [namespace, doc] of [...needs].sort(([a], [b]) => a.localeCompare(b))) {
      if (covered.has(namespace)) continue;
      // A policy that selects every pod but lets something through is named, with what it lets through.
      const almost = docs
        .filter((policy) => policy.object.metadata.namespace === namespace && catchAllSpec(policy))
        .map((policy) => `; NetworkPolicy ${policy.object.metadata.name} selects every pod but ${openings(catchAllSpec(policy)!).join(' and ')}`);
      findings.push(
        findingFor(
          ID,
          doc,
          `namespace ${namespace} has no default-deny NetworkPolicy: every pod in it accepts and opens any connection${almost.join('')}`,
          `render a NetworkPolicy in namespace ${namespace} with podSelector: {}, policyTypes: [Ingress, Egress] and no rules (the app chart renders networkpolicy.default-deny.yaml)`,
        ),
      );
    }
    return findings;
  },
};

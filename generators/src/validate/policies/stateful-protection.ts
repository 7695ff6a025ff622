import { awsDeletionProtectionCheckId } from '../../policy-exemption.js';
import type { RenderedCheck, RenderedDoc } from '../rendered-check.js';
import { findingFor } from './support.js';

/**
 * Nothing stateful is lost by a sync, a pruned file or a refactor. Every object that manages
 * stateful AWS state (databases, caches, buckets, queues; ACK or Crossplane) must carry:
 * 1. Argo CD `argocd.argoproj.io/sync-options: Prune=false,Delete=false`;
 * 2. the controller's keep policy: ACK `services.k8s.aws/deletion-policy: retain`, Crossplane
 *    `spec.deletionPolicy: Orphan` (namespaced `*.m.upbound.io` groups: `managementPolicies`
 *    without `Delete` or `*`);
 * and, as a separate check (`aws-deletion-protection`), AWS's own protection where AWS has one:
 * RDS `deletionProtection: true`, and no S3 force-destroy.
 */

const ID = 'stateful-protection';
const AWS_ID = awsDeletionProtectionCheckId;

/** Kinds that hold state, by API group (the version does not matter). */
const statefulKinds: Readonly<Record<string, readonly string[]>> = {
  'rds.services.k8s.aws': ['DBInstance', 'DBCluster'],
  'elasticache.services.k8s.aws': ['ReplicationGroup', 'CacheCluster', 'ServerlessCache'],
  's3.services.k8s.aws': ['Bucket'],
  'sqs.services.k8s.aws': ['Queue'],
  'rds.aws.upbound.io': ['Instance', 'Cluster'],
  'elasticache.aws.upbound.io': ['ReplicationGroup', 'Cluster'],
  's3.aws.upbound.io': ['Bucket'],
  'sqs.aws.upbound.io': ['Queue'],
  'rds.aws.m.upbound.io': ['Instance', 'Cluster'],
  'elasticache.aws.m.upbound.io': ['ReplicationGroup', 'Cluster'],
  's3.aws.m.upbound.io': ['Bucket'],
  'sqs.aws.m.upbound.io': ['Queue'],
};

function groupOf(doc: RenderedDoc): string {
  const apiVersion = doc.object.apiVersion;
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

/** True when the object manages stateful AWS state. */
export function isStateful(doc: RenderedDoc): boolean {
  return statefulKinds[groupOf(doc)]?.includes(doc.object.kind) ?? false;
}

function spec(doc: RenderedDoc): Record<string, unknown> {
  const value = doc.object['spec'];
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

function forProvider(doc: RenderedDoc): Record<string, unknown> {
  const value = spec(doc)['forProvider'];
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

export const statefulProtection: RenderedCheck = {
  id: ID,
  description: 'stateful AWS resources are never pruned or deleted by Argo CD and are kept in AWS when their object goes',
  run: ({ docs }) =>
    docs.filter(isStateful).flatMap((doc) => {
      const findings = [];
      const annotations = doc.object.metadata.annotations ?? {};
      const syncOptions = (annotations['argocd.argoproj.io/sync-options'] ?? '').split(',').map((option) => option.trim());
      const missing = ['Prune=false', 'Delete=false'].filter((option) => !syncOptions.includes(option));
      if (missing.length) {
        findings.push(
          findingFor(
            ID,
            doc,
            `Argo CD may prune or delete it: annotation argocd.argoproj.io/sync-options lacks ${missing.join(' and ')}`,
            'render it with annotation argocd.argoproj.io/sync-options: Prune=false,Delete=false (constructs/infra/protection.ts)',
          ),
        );
      }
      const group = groupOf(doc);
      if (group.endsWith('.services.k8s.aws')) {
        if (annotations['services.k8s.aws/deletion-policy'] !== 'retain') {
          findings.push(
            findingFor(ID, doc, 'ACK deletes the AWS resource with the object: annotation services.k8s.aws/deletion-policy is not "retain"', 'render it with annotation services.k8s.aws/deletion-policy: retain'),
          );
        }
      } else if (group.endsWith('.m.upbound.io')) {
        const policies = spec(doc)['managementPolicies'];
        if (!Array.isArray(policies) || policies.includes('*') || policies.includes('Delete')) {
          findings.push(
            findingFor(ID, doc, 'Crossplane deletes the AWS resource with the object: managementPolicies allow Delete', 'set spec.managementPolicies to [Observe, Create, Update, LateInitialize] (namespaced resources have no deletionPolicy)'),
          );
        }
      } else if (spec(doc)['deletionPolicy'] !== 'Orphan') {
        findings.push(findingFor(ID, doc, 'Crossplane deletes the AWS resource with the object: spec.deletionPolicy is not Orphan', 'render it with spec.deletionPolicy: Orphan'));
      }
      return findings;
    }),
};

export const awsDeletionProtection: RenderedCheck = {
  id: AWS_ID,
  description: 'AWS itself refuses to delete stateful resources where it can (RDS deletion protection, no S3 force-destroy)',
  run: ({ docs }) =>
    docs.filter(isStateful).flatMap((doc) => {
      const group = groupOf(doc);
      const { kind } = doc.object;
      if (group === 'rds.services.k8s.aws' && spec(doc)['deletionProtection'] !== true) {
        return [findingFor(AWS_ID, doc, 'RDS deletion protection is off: spec.deletionProtection is not true', 'set deletionProtection: true in infra/<name>.yaml (the default)')];
      }
      if (group.startsWith('rds.aws.') && forProvider(doc)['deletionProtection'] !== true) {
        return [findingFor(AWS_ID, doc, 'RDS deletion protection is off: spec.forProvider.deletionProtection is not true', 'set deletionProtection: true in infra/<name>.yaml (the default)')];
      }
      if (group.startsWith('s3.aws.') && kind === 'Bucket' && forProvider(doc)['forceDestroy'] === true) {
        return [findingFor(AWS_ID, doc, 'the bucket may be deleted with its objects: spec.forProvider.forceDestroy is true', 'remove forceDestroy (S3 then refuses to delete a bucket that holds objects)')];
      }
      return [];
    }),
};

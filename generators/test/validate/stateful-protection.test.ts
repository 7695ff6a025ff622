import { describe, expect, it } from 'vitest';
import type { CheckContext, RenderedDoc } from '../../src/validate/checks.js';
import { renderedChecks, runChecks } from '../../src/validate/checks.js';
import { awsDeletionProtection, statefulProtection } from '../../src/validate/policies/stateful-protection.js';

const keep = { 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' };

function doc(object: Record<string, unknown>): RenderedDoc {
  return { cluster: 'production', file: 'clusters/production/rendered/infra/x/x.yaml', object: object as RenderedDoc['object'] };
}

function ackDb(annotations: Record<string, string>, deletionProtection = true): RenderedDoc {
  return doc({ apiVersion: 'rds.services.k8s.aws/v1alpha1', kind: 'DBInstance', metadata: { name: 'db', namespace: 'infra', annotations }, spec: { deletionProtection } });
}

function crossplaneBucket(spec: Record<string, unknown>, annotations: Record<string, string> = keep): RenderedDoc {
  return doc({ apiVersion: 's3.aws.upbound.io/v1beta2', kind: 'Bucket', metadata: { name: 'assets', annotations }, spec });
}

function run(docs: RenderedDoc[]) {
  const context = { cluster: { name: 'production' }, docs, root: '/nonexistent' } as unknown as CheckContext;
  return runChecks(context, [statefulProtection, awsDeletionProtection]);
}

describe('stateful protection', () => {
  it('is registered with the checks validate runs', () => {
    expect(renderedChecks).toContain(statefulProtection);
    expect(renderedChecks).toContain(awsDeletionProtection);
  });

  it('Pass when a database carries all three protections', () => {
    expect(run([ackDb({ ...keep, 'services.k8s.aws/deletion-policy': 'retain' })]).findings).toEqual([]);
  });

  it('Fail when the Argo CD sync options lack Delete=false', () => {
    const { findings } = run([ackDb({ 'argocd.argoproj.io/sync-options': 'Prune=false', 'services.k8s.aws/deletion-policy': 'retain' })]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ check: 'stateful-protection', resource: 'DBInstance/infra/db' });
    expect(findings[0]!.message).toContain('lacks Delete=false');
  });

  it('Fail when the ACK deletion policy is not retain', () => {
    const { findings } = run([ackDb(keep)]);
    expect(findings.map((f) => f.message)).toEqual([expect.stringContaining('services.k8s.aws/deletion-policy is not "retain"')]);
  });

  it('Fail when RDS deletion protection is off (aws-deletion-protection)', () => {
    const { findings } = run([ackDb({ ...keep, 'services.k8s.aws/deletion-policy': 'retain' }, false)]);
    expect(findings).toEqual([expect.objectContaining({ check: 'aws-deletion-protection', message: expect.stringContaining('deletionProtection is not true') })]);
  });

  it('Fail when a Crossplane resource would be deleted with its object, or a bucket force-destroyed', () => {
    const { findings } = run([crossplaneBucket({ deletionPolicy: 'Delete', forProvider: { forceDestroy: true } })]);
    expect(findings.map((f) => `${f.check}: ${f.message}`)).toEqual([
      'aws-deletion-protection: the bucket may be deleted with its objects: spec.forProvider.forceDestroy is true',
      'stateful-protection: Crossplane deletes the AWS resource with the object: spec.deletionPolicy is not Orphan',
    ]);
  });

  it('Fail when a resource carries no protection at all: one finding per missing protection', () => {
    const { findings } = run([
      doc({ apiVersion: 'rds.aws.upbound.io/v1beta3', kind: 'Instance', metadata: { name: 'db' }, spec: { forProvider: {} } }),
    ]);
    expect(findings.map((f) => `${f.check}: ${f.message}`)).toEqual([
      'aws-deletion-protection: RDS deletion protection is off: spec.forProvider.deletionProtection is not true',
      'stateful-protection: Argo CD may prune or delete it: annotation argocd.argoproj.io/sync-options lacks Prune=false and Delete=false',
      'stateful-protection: Crossplane deletes the AWS resource with the object: spec.deletionPolicy is not Orphan',
    ]);
  });

  it('Fail when a namespaced Crossplane resource may Delete', () => {
    const { findings } = run([doc({ apiVersion: 'sqs.aws.m.upbound.io/v1beta1', kind: 'Queue', metadata: { name: 'q', namespace: 'infra', annotations: keep }, spec: { managementPolicies: ['*'] } })]);
    expect(findings.map((f) => f.message)).toEqual([expect.stringContaining('managementPolicies allow Delete')]);
  });

  it('lists the exemption a non-production database without deletion protection carries, and still enforces the rest', () => {
    const exempt = { 'policy.learning-platform.io/exempt-aws-deletion-protection': 'deletionProtection: false in infra/db.yaml (non-production cluster dev)' };
    const result = run([ackDb({ ...keep, ...exempt }, false)]);
    expect(result.exemptions).toEqual([expect.objectContaining({ check: 'aws-deletion-protection', resource: 'DBInstance/infra/db' })]);
    expect(result.findings.map((f) => `${f.check}: ${f.message}`)).toEqual(['stateful-protection: ACK deletes the AWS resource with the object: annotation services.k8s.aws/deletion-policy is not "retain"']);
  });

  it('ignores objects that hold no state (subnet groups, FieldExports)', () => {
    expect(run([doc({ apiVersion: 'rds.services.k8s.aws/v1alpha1', kind: 'DBSubnetGroup', metadata: { name: 'db', namespace: 'infra' }, spec: {} })]).findings).toEqual([]);
  });
});

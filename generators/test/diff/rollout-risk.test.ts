import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ResourceChange } from '../../src/diff/compare.js';
import { assessRisks } from '../../src/diff/risk.js';
import type { Resource, Snapshot } from '../../src/diff/snapshot.js';
import { repoRoot } from '../support/temp-repo.js';

/** The risk flags of a production service losing its canary or its analysis, on the rendered Rollout of user-service. */

const renderedRollout = parse(readFileSync(path.join(repoRoot, 'clusters/production/rendered/apps/user-service/rollout.user-service.yaml'), 'utf8')) as Record<string, any>;

function resource(cluster: string, kind: string, object: Record<string, unknown>): Resource {
  return { cluster, app: 'user-service', file: `clusters/${cluster}/rendered/apps/user-service/${kind.toLowerCase()}.user-service.yaml`, apiVersion: String(object['apiVersion']), kind, namespace: 'user-service', name: 'user-service', object };
}

function change(status: ResourceChange['status'], base: Resource | undefined, head: Resource | undefined): ResourceChange {
  const side = (head ?? base)!;
  return { status, cluster: side.cluster, app: side.app, apiVersion: side.apiVersion, kind: side.kind, namespace: side.namespace, name: side.name, base, head, hiddenChanges: [], patch: '' };
}

const snapshot = (cluster: string, production: boolean, resources: Resource[]): Snapshot => ({ clusters: new Map([[cluster, { name: cluster, production }]]), resources });

function flagsOf(cluster: string, production: boolean, changes: ResourceChange[]) {
  const resources = (side: 'base' | 'head') => changes.flatMap((c) => (c[side] ? [c[side]!] : []));
  return assessRisks(changes, { base: snapshot(cluster, production, resources('base')), head: snapshot(cluster, production, resources('head')) }).flags.filter((flag) => flag.rule === 'canary-removed' || flag.rule === 'analysis-removed');
}

const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: renderedRollout['metadata'], spec: { replicas: 3, selector: renderedRollout['spec'].selector, template: renderedRollout['spec'].template } };
const withoutAnalysis = structuredClone(renderedRollout);
withoutAnalysis['spec'].strategy.canary.steps = withoutAnalysis['spec'].strategy.canary.steps.filter((step: Record<string, unknown>) => !('analysis' in step));

describe('progressive-delivery risk flags', () => {
  it('flags a production canary Rollout replaced by a Deployment as danger', () => {
    const flags = flagsOf('production', true, [change('removed', resource('production', 'Rollout', renderedRollout), undefined), change('added', undefined, resource('production', 'Deployment', deployment))]);
    expect(flags).toEqual([expect.objectContaining({ level: 'danger', rule: 'canary-removed', resource: 'Rollout user-service/user-service' })]);
    expect(flags[0]!.message).toContain('production service user-service loses its canary (replaced by Deployment user-service/user-service');
  });

  it('flags a production canary that loses its analysis steps as danger', () => {
    const flags = flagsOf('production', true, [change('changed', resource('production', 'Rollout', renderedRollout), resource('production', 'Rollout', withoutAnalysis))]);
    expect(flags).toEqual([expect.objectContaining({ level: 'danger', rule: 'analysis-removed' })]);
    expect(flags[0]!.message).toContain('loses its analysis');
  });

  it('flags a Rollout that stops being a canary', () => {
    const blueGreen = { ...renderedRollout, spec: { ...renderedRollout['spec'], strategy: { blueGreen: { activeService: 'user-service' } } } };
    const flags = flagsOf('production', true, [change('changed', resource('production', 'Rollout', renderedRollout), resource('production', 'Rollout', blueGreen))]);
    expect(flags.map((flag) => flag.rule)).toEqual(['canary-removed']);
  });

  it('says nothing for an image change of the canary, or outside production', () => {
    const newImage = structuredClone(renderedRollout);
    newImage['spec'].template.spec.containers[0].image = 'registry.example.com/user-service@sha256:' + 'a'.repeat(64);
    expect(flagsOf('production', true, [change('changed', resource('production', 'Rollout', renderedRollout), resource('production', 'Rollout', newImage))])).toEqual([]);
    expect(flagsOf('staging', false, [change('changed', resource('staging', 'Rollout', renderedRollout), resource('staging', 'Rollout', withoutAnalysis))])).toEqual([]);
    expect(flagsOf('staging', false, [change('removed', resource('staging', 'Rollout', renderedRollout), undefined)])).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import type { ResourceChange } from '../../src/diff/compare.js';
import { assessRisks } from '../../src/diff/risk.js';
import type { Resource, Snapshot } from '../../src/diff/snapshot.js';

/** The rendered diff sees the pods of Argo Workflows templates as it sees a Deployment's. */

function workflowTemplate(image: string, allowPrivilegeEscalation: boolean): Resource {
  const container = (name: string, img: string) => ({ name, image: img, securityContext: { allowPrivilegeEscalation, capabilities: { drop: ['ALL'] } } });
  return {
    cluster: 'staging',
    app: 'workflows',
    file: 'clusters/staging/rendered/workflows/workflowtemplate.db-migrate.yaml',
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'WorkflowTemplate',
    namespace: 'verification',
    name: 'db-migrate',
    object: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'WorkflowTemplate',
      metadata: { name: 'db-migrate', namespace: 'verification' },
      spec: {
        arguments: { parameters: [{ name: 'migration-image', value: image }] },
        securityContext: { runAsNonRoot: true },
        templates: [
          { name: 'migrate', container: container('main', '{{workflow.parameters.migration-image}}') },
          { name: 'verify', container: container('main', 'registry.example.com/check:1.0.0') },
        ],
      },
    },
  };
}

const snapshot = (resources: Resource[]): Snapshot => ({ clusters: new Map([['staging', { name: 'staging', production: false }]]), resources });

describe('risk flags and image changes of a WorkflowTemplate', () => {
  it('reports the default image a step runs, per template, and a loosened container security context', () => {
    const base = workflowTemplate('registry.example.com/db-migrate:2.3.0', false);
    const head = workflowTemplate('registry.example.com/db-migrate:2.4.0', true);
    const change: ResourceChange = { status: 'changed', cluster: 'staging', app: 'workflows', apiVersion: base.apiVersion, kind: base.kind, namespace: base.namespace, name: base.name, base, head, hiddenChanges: [], patch: '' };
    const { flags, images } = assessRisks([change], { base: snapshot([base]), head: snapshot([head]) });
    expect(images.map((image) => `${image.container}: ${image.from} → ${image.to}`)).toEqual(['spec.templates[migrate] main: registry.example.com/db-migrate:2.3.0 → registry.example.com/db-migrate:2.4.0']);
    const loosened = flags.filter((flag) => flag.rule === 'security-loosened').map((flag) => flag.message);
    expect(loosened).toHaveLength(1);
    expect(loosened[0]).toContain('container main: allowPrivilegeEscalation false → true');
  });
});

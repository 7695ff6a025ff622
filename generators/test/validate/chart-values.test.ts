/**
 * The Helm values check of `validate`: the rendered Applications' values against the charts
 * themselves (real chart files, read from the Go modules that hold them at the pinned releases,
 * cached with the CRDs).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAddonCatalogue } from '../../src/inputs/addons.js';
import type { RenderedDoc } from '../../src/validate/checks.js';
import { chartValuesSources, checkChartValues, handCheckedCharts, mergeValues, valuesProblems } from '../../src/validate/chart-values.js';
import { loadRenderedDocs } from '../../src/validate/rendered-docs.js';
import { repoRoot } from '../support/temp-repo.js';

const SLOW = { timeout: 600_000 };

const chart = {
  label: 'example.com/chart@v1.0.0 helm/',
  defaults: { image: { repository: 'r', tag: 't' }, serviceAccount: { create: true, annotations: {} }, config: { receivers: { a: {}, b: {} } }, region: null },
  schema: {
    $schema: 'https://json-schema.org/draft-07/schema#',
    properties: {
      image: { type: 'object', properties: { repository: { type: 'string' }, tag: { type: 'string' } }, required: ['repository', 'tag'] },
      serviceAccount: { $ref: '#/definitions/serviceAccount' },
      deletionPolicy: { type: 'string', enum: ['delete', 'retain'] },
    },
    definitions: { serviceAccount: { type: 'object', properties: { create: { type: 'boolean' }, name: { type: 'string' }, annotations: { type: 'object' } } } },
  },
};

describe('valuesProblems', () => {
  it('Pass when every key is a value of the chart (schema or defaults), free-form maps take any key, null removes a default', () => {
    expect(valuesProblems({ serviceAccount: { name: 'x', annotations: { 'eks.amazonaws.com/role-arn': 'arn' } }, deletionPolicy: 'retain', config: { receivers: { a: null } }, region: 'eu-west-1' }, chart)).toEqual([]);
  });

  it('Fail when a key is in neither the schema nor the defaults', () => {
    expect(valuesProblems({ serviceAccount: { annotationz: {} } }, chart)).toEqual(['values key serviceAccount.annotationz is not a value of the chart']);
  });

  it('Fail when a null removes a default the chart does not have', () => {
    expect(valuesProblems({ config: { receivers: { jaeger: null } } }, chart)).toEqual(['values key config.receivers.jaeger is not a value of the chart']);
    expect(valuesProblems({ deletionPolicy: null }, chart)).toEqual(['values key deletionPolicy: null removes a default, but the chart has none there']);
  });

  it('Fail when the merged values break the chart schema, as helm install would', () => {
    expect(valuesProblems({ deletionPolicy: 'keep' }, chart)).toEqual(['values.schema.json: deletionPolicy must be equal to one of the allowed values']);
    expect(valuesProblems({ image: { tag: null } }, chart)).toEqual(["values.schema.json: image must have required property 'tag'"]);
  });

  it('merges as Helm does: maps merge, null removes, anything else replaces', () => {
    expect(mergeValues({ a: { b: 1, c: 2 }, d: [1], e: 1 }, { a: { b: null, x: 3 }, d: [2] })).toEqual({ a: { c: 2, x: 3 }, d: [2], e: 1 });
  });
});

describe('checkChartValues on the rendered tree', () => {
  async function production(): Promise<RenderedDoc[]> {
    return (await loadRenderedDocs(repoRoot, 'production', path.join(repoRoot, 'clusters/production/rendered'))).docs;
  }

  it('Pass when the committed Applications give the ACK, External Secrets and Crossplane charts only their own values', SLOW, async () => {
    const { catalogue } = await readAddonCatalogue(repoRoot);
    const result = await checkChartValues({ cacheRoot: repoRoot, catalogue: catalogue!, docs: await production() });
    expect(result.findings).toEqual([]);
    expect(result.checked.sort()).toEqual(['ack-elasticache 1.8.0', 'ack-rds 1.10.1', 'ack-s3 1.3.2', 'crossplane 2.1.0', 'external-secrets 1.3.2'].sort());
    expect([...Object.keys(chartValuesSources), ...handCheckedCharts].sort()).toEqual(Object.keys(catalogue!.charts).sort());
  });

  it('Fail when an Application sets a key its chart does not have, naming file, Application, chart and key', SLOW, async () => {
    const { catalogue } = await readAddonCatalogue(repoRoot);
    const docs = (await production()).map((doc) => {
      if (doc.object.kind !== 'Application' || doc.object.metadata.name !== 'addon-ack') return doc;
      const object = structuredClone(doc.object) as RenderedDoc['object'] & { spec: { sources: { helm?: { valuesObject: Record<string, unknown> } }[] } };
      object.spec.sources[2]!.helm!.valuesObject['serviceAccount'] = { create: true, name: 'ack-s3-controller', annotationz: {} };
      return { ...doc, object };
    });
    const result = await checkChartValues({ cacheRoot: repoRoot, catalogue: catalogue!, docs });
    expect(result.findings).toEqual([
      expect.objectContaining({
        check: 'chart-values',
        file: 'clusters/production/rendered/argocd/application.addon-ack.yaml',
        resource: 'Application/addon-ack',
        message: 'chart ack-s3 1.3.2: values key serviceAccount.annotationz is not a value of the chart',
      }),
    ]);
    expect(result.findings[0]!.fix).toContain('github.com/aws-controllers-k8s/s3-controller@v1.3.2 helm/');
  });

  it('Fail when an Application installs another chart version than the pinned one', SLOW, async () => {
    const { catalogue } = await readAddonCatalogue(repoRoot);
    // The catalogue says 1.3.2 but the Application was rendered from another version.
    const docs = (await production()).map((doc) => {
      if (doc.object.kind !== 'Application' || doc.object.metadata.name !== 'addon-ack') return doc;
      const object = structuredClone(doc.object) as RenderedDoc['object'] & { spec: { sources: { targetRevision?: string }[] } };
      object.spec.sources[2]!.targetRevision = '1.10.0';
      return { ...doc, object };
    });
    const result = await checkChartValues({ cacheRoot: repoRoot, catalogue: catalogue!, docs });
    expect(result.findings.map((finding) => finding.message)).toEqual(['chart ack-s3 1.3.2: targetRevision is 1.10.0, not the pinned 1.3.2']);
  });
});

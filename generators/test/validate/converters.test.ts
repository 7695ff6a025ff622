import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { yamlChunks, splitYamlDocuments } from '../../src/validate/documents.js';
import { convertCrd, crdSchemaLocation } from '../../src/validate/schemas/crd.js';
import { kindSuffix, toKubernetesJsonSchema } from '../../src/validate/schemas/kubernetes.js';
import { convertSwagger, layoutOpenApiV3 } from '../../src/validate/schemas/native.js';

/** A tiny swagger in the shape of the Kubernetes one. */
function swagger(): Record<string, unknown> {
  const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
  return {
    definitions: {
      [meta]: { type: 'object', properties: { name: { type: 'string' }, labels: { type: 'object', additionalProperties: { type: 'string' } } } },
      'io.k8s.apimachinery.pkg.api.resource.Quantity': { type: 'string', description: 'Quantity is a fixed-point number.' },
      'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { type: 'string', format: 'int-or-string' },
      'io.k8s.api.apps.v1.DeploymentSpec': {
        type: 'object',
        required: ['selector'],
        properties: {
          replicas: { type: 'integer', format: 'int32' },
          selector: { type: 'object', properties: { matchLabels: { type: 'object', additionalProperties: { type: 'string' } } } },
          maxSurge: { $ref: '#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString' },
          cpu: { $ref: '#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity' },
        },
      },
      'io.k8s.api.apps.v1.Deployment': {
        type: 'object',
        properties: {
          apiVersion: { type: 'string' },
          kind: { type: 'string' },
          metadata: { $ref: `#/definitions/${meta}` },
          spec: { $ref: '#/definitions/io.k8s.api.apps.v1.DeploymentSpec' },
        },
        'x-kubernetes-group-version-kind': [{ group: 'apps', kind: 'Deployment', version: 'v1' }],
      },
      'io.k8s.api.core.v1.Service': {
        type: 'object',
        properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { $ref: `#/definitions/${meta}` } },
        'x-kubernetes-group-version-kind': [{ group: '', kind: 'Service', version: 'v1' }],
      },
      'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler': {
        type: 'object',
        properties: { apiVersion: { type: 'string' }, kind: { type: 'string' } },
        'x-kubernetes-group-version-kind': [{ group: 'autoscaling', kind: 'HorizontalPodAutoscaler', version: 'v2' }],
      },
      'io.k8s.example.v1.Props': {
        type: 'object',
        properties: { not: { $ref: '#/definitions/io.k8s.example.v1.Props' }, title: { type: 'string' } },
      },
      'io.k8s.example.v1.Recursive': {
        type: 'object',
        properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, schema: { $ref: '#/definitions/io.k8s.example.v1.Props' } },
        'x-kubernetes-group-version-kind': [{ group: 'example.k8s.io', kind: 'Recursive', version: 'v1' }],
      },
    },
  };
}

function at(schema: unknown, ...keys: string[]): Record<string, unknown> {
  let node = schema as Record<string, unknown>;
  for (const key of keys) node = node[key] as Record<string, unknown>;
  return node;
}

describe('native schemas (swagger → kubeconform)', () => {
  it('Pass when each kind becomes one file named like openapi2jsonschema and kubeconform look it up', async () => {
    const files = await convertSwagger(swagger());
    expect([...files.keys()].sort()).toEqual(['deployment-apps-v1.json', 'horizontalpodautoscaler-autoscaling-v2.json', 'recursive-example-v1.json', 'service-v1.json']);
    expect(kindSuffix('apps/v1')).toBe('-apps-v1');
    expect(kindSuffix('v1')).toBe('-v1');
    expect(kindSuffix('rds.services.k8s.aws/v1alpha1')).toBe('-rds-v1alpha1');
  });

  it('Pass when $refs are resolved so every file stands alone, and apiVersion/kind are pinned', async () => {
    const deployment = (await convertSwagger(swagger())).get('deployment-apps-v1.json')!;
    expect(JSON.stringify(deployment)).not.toContain('$ref');
    expect(at(deployment, 'properties', 'apiVersion', 'enum')).toEqual(['apps/v1']);
    expect(at(deployment, 'properties', 'kind', 'enum')).toEqual(['Deployment']);
    expect(at(deployment, 'properties', 'metadata', 'properties', 'name')).toBeDefined();
    expect(deployment['$schema']).toBe('http://json-schema.org/draft-04/schema#');
  });

  it('Fail when an object gets a field it does not list (strict: additionalProperties false), maps stay maps', async () => {
    const deployment = (await convertSwagger(swagger())).get('deployment-apps-v1.json')!;
    expect(deployment['additionalProperties']).toBe(false);
    expect(at(deployment, 'properties', 'spec', 'additionalProperties')).toBe(false);
    expect(at(deployment, 'properties', 'metadata', 'additionalProperties')).toBe(false);
    expect(at(deployment, 'properties', 'metadata', 'properties', 'labels', 'additionalProperties')).toMatchObject({ type: 'string' });
  });

  it('Pass when int-or-string accepts a string or an integer, and a quantity a string or a number', async () => {
    const spec = at((await convertSwagger(swagger())).get('deployment-apps-v1.json')!, 'properties', 'spec', 'properties');
    expect(at(spec, 'maxSurge', 'oneOf')).toEqual([{ type: 'string' }, { type: 'integer' }, { type: 'null' }]);
    expect(at(spec, 'maxSurge')['format']).toBeUndefined();
    expect(at(spec, 'cpu', 'oneOf')).toEqual([{ type: 'string' }, { type: 'number' }, { type: 'null' }]);
  });

  it('Pass when optional fields accept null and required ones do not; int32 keeps its range', async () => {
    const spec = at((await convertSwagger(swagger())).get('deployment-apps-v1.json')!, 'properties', 'spec');
    expect(at(spec, 'properties', 'replicas')).toMatchObject({ type: ['integer', 'null'], minimum: -2147483648, maximum: 2147483647 });
    expect(at(spec, 'properties', 'selector', 'type')).toBe('object');
  });

  it('Pass when a recursive type keeps its self-reference inside the same file', async () => {
    const recursive = (await convertSwagger(swagger())).get('recursive-example-v1.json')!;
    const definitions = recursive['definitions'] as Record<string, unknown>;
    expect(Object.keys(definitions)).toEqual(['io.k8s.example.v1.Props']);
    const refs = [...JSON.stringify(recursive).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(0);
    expect(new Set(refs)).toEqual(new Set(['#/definitions/io.k8s.example.v1.Props']));
    expect(at(definitions, 'io.k8s.example.v1.Props', 'properties', 'not', '$ref')).toBe('#/definitions/io.k8s.example.v1.Props');
    expect(at(definitions, 'io.k8s.example.v1.Props', 'additionalProperties')).toBe(false);
  });

  it('Pass when the OpenAPI v3 documents are renamed into the kubectl-validate --local-schemas layout', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'gitops-v3-'));
    try {
      await mkdir(path.join(dir, 'v3'));
      for (const name of ['api__v1_openapi.json', 'apis__apps__v1_openapi.json', 'apis__rbac.authorization.k8s.io__v1_openapi.json', 'apis__apps_openapi.json', 'api_openapi.json', 'version_openapi.json', 'openid__v1__jwks_openapi.json']) {
        await writeFile(path.join(dir, 'v3', name), '{}');
      }
      expect(await layoutOpenApiV3(path.join(dir, 'v3'), path.join(dir, 'out'))).toBe(3);
      expect((await readdir(path.join(dir, 'out'), { recursive: true })).sort()).toEqual(['api', 'api/v1.json', 'apis', 'apis/apps', 'apis/apps/v1.json', 'apis/rbac.authorization.k8s.io', 'apis/rbac.authorization.k8s.io/v1.json']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('CRD schemas (openAPIV3Schema → kubeconform)', () => {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.io' },
    spec: {
      group: 'example.io',
      names: { kind: 'Widget', plural: 'widgets' },
      scope: 'Namespaced',
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  required: ['size'],
                  properties: {
                    size: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
                    port: { 'x-kubernetes-int-or-string': true },
                    note: { type: 'string', nullable: true },
                    values: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'string' } } },
                    template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object' } } },
                  },
                },
              },
            },
          },
        },
        { name: 'v1beta1', served: false, storage: false, schema: { openAPIV3Schema: { type: 'object' } } },
      ],
    },
  };

  it('Pass when each served version becomes <group>/<kind>_<version>.json, and unserved ones are left out', () => {
    const files = convertCrd(crd);
    expect(files.map((f) => f.fileName)).toEqual(['example.io/widget_v1.json']);
    expect(crdSchemaLocation('/c')).toBe('/c/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json');
  });

  it('Fail when a custom resource has unknown fields, except under x-kubernetes-preserve-unknown-fields', () => {
    const schema = convertCrd(crd)[0]!.schema;
    expect(schema['additionalProperties']).toBe(false);
    expect(at(schema, 'properties', 'apiVersion', 'enum')).toEqual(['example.io/v1']);
    expect(at(schema, 'properties', 'kind', 'enum')).toEqual(['Widget']);
    expect(at(schema, 'properties', 'metadata')).toEqual({ type: 'object' });
    expect(at(schema, 'properties', 'spec', 'additionalProperties')).toBe(false);
    expect(at(schema, 'properties', 'spec', 'properties', 'values', 'additionalProperties')).toBeUndefined();
    expect(Object.keys(at(schema, 'properties', 'spec', 'properties', 'template', 'properties')).sort()).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
  });

  it('Pass when int-or-string and nullable are spelled the JSON-schema way', () => {
    const spec = at(convertCrd(crd)[0]!.schema, 'properties', 'spec', 'properties');
    expect(at(spec, 'size', 'anyOf')).toEqual([{ type: 'integer' }, { type: 'string' }]);
    expect(at(spec, 'port', 'oneOf')).toEqual([{ type: 'string' }, { type: 'integer' }]);
    expect(at(spec, 'note', 'type')).toEqual(['string', 'null']);
  });

  it('Pass when the input schema is left untouched by the conversion', () => {
    const before = JSON.stringify(crd);
    convertCrd(crd);
    expect(JSON.stringify(crd)).toBe(before);
    const object = { type: 'object', properties: { a: { type: 'string' } } };
    expect(toKubernetesJsonSchema(object, { nullableOptional: false })).toMatchObject({ additionalProperties: false });
    expect(object).toEqual({ type: 'object', properties: { a: { type: 'string' } } });
  });
});

describe('YAML documents', () => {
  it('Pass when documents are cut like the Kubernetes YAML reader (comments, empty documents, commented separators)', () => {
    const text = '# header\n---\na: 1\n--- # second\n\n---\n# only a comment\n---\nb: 2\n';
    expect(yamlChunks(text).map((c) => c.empty)).toEqual([true, false, true, true, false]);
    expect(splitYamlDocuments(text)).toEqual(['a: 1\n', 'b: 2\n']);
    expect(splitYamlDocuments('kind: A\nvalue: "---"\n')).toEqual(['kind: A\nvalue: "---"\n']);
  });
});

import { z } from 'zod';
import { addonCatalogueSchema } from './schemas/addons.js';
import { clusterSchema } from './schemas/cluster.js';
import { infraFileSchema } from './schemas/infra.js';
import { paramsFileSchema } from './params.js';
import { serviceSchema } from './schemas/service.js';

/**
 * JSON Schemas of the input files, generated from the zod schemas, for editors
 * (`# yaml-language-server: $schema=...` at the top of every input). Committed under
 * `generators/schemas/` and kept in sync by `gitops schemas` (a test fails on drift).
 */
export function inputJsonSchemas(): Record<string, object> {
  const service = toJsonSchema(serviceSchema, 'apps/<service>/service.yaml: a service of the Learning Platform.');
  return {
    'cluster.schema.json': toJsonSchema(clusterSchema, 'clusters/<cluster>/cluster.yaml: one cluster Argo CD syncs from this repository.'),
    'service.schema.json': service,
    'service-override.schema.json': {
      ...withoutRequired(service),
      description: 'apps/<service>/<cluster>.yaml: per-cluster overrides, deep-merged onto service.yaml (lists replace).',
    },
    'params.schema.json': toJsonSchema(paramsFileSchema, 'clusters/<cluster>/params.yaml: written by `gitops params pull` from SSM.'),
    'addons.schema.json': toJsonSchema(addonCatalogueSchema, 'clusters/addons.yaml: the pinned versions of Argo CD and every add-on chart, shared by all clusters.'),
    'infra.schema.json': toJsonSchema(infraFileSchema, 'infra/<name>.yaml: one AWS resource (postgres, redis, bucket or queue), with per-cluster settings under clusters.<cluster>.'),
  };
}

/** Every input schema, sorted by file name. */
export function allInputJsonSchemas(): Record<string, object> {
  return Object.fromEntries(Object.entries(inputJsonSchemas()).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function toJsonSchema(schema: z.ZodType, description: string): object {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-7' }) as Record<string, unknown>;
  return { ...json, description };
}

/** Drops every `required` list: an override may set any subset of fields. */
function withoutRequired(value: unknown): any {
  if (Array.isArray(value)) return value.map(withoutRequired);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'required').map(([key, item]) => [key, withoutRequired(item)]));
  }
  return value;
}

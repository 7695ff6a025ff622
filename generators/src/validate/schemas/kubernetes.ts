/**
 * The Kubernetes specifics of turning OpenAPI schemas into the JSON schemas kubeconform reads.
 * The generic part (OpenAPI → JSON Schema draft 4: `nullable`, numeric formats, dropping
 * OpenAPI-only keywords) is `@openapi-contrib/openapi-schema-to-json-schema`; `$ref`s are resolved
 * by `@apidevtools/json-schema-ref-parser` in `native.ts`. What stays here is small:
 * - int-or-string (`format: int-or-string`, `x-kubernetes-int-or-string`) → `oneOf` string|integer;
 * - strict objects: `additionalProperties: false` on every object that lists `properties`, except
 *   where `x-kubernetes-preserve-unknown-fields` keeps it open;
 * - optional native fields accept `null` (the apiserver treats null as unset);
 * - the root's `apiVersion` and `kind` pinned to the one group-version-kind of the file.
 */
import { openapiSchemaToJsonSchema } from '@openapi-contrib/openapi-schema-to-json-schema';

/** A JSON schema as plain data. */
export type JsonSchema = Record<string, unknown>;

/** Quantity (`resource.Quantity`) as openapi2jsonschema writes it: a string or a number. */
export const QUANTITY_SCHEMA: JsonSchema = { oneOf: [{ type: 'string' }, { type: 'number' }] };

/** int-or-string (`intstr.IntOrString`, `x-kubernetes-int-or-string`): a string or an integer. */
export const INT_OR_STRING_SCHEMA: JsonSchema = { oneOf: [{ type: 'string' }, { type: 'integer' }] };

export interface KubernetesConvertOptions {
  /**
   * Let every property that its object does not require also be `null` (native types: swagger
   * v2 cannot say `nullable`, but the apiserver accepts null for optional fields). CRD schemas
   * say `nullable` themselves, so leave this off for them.
   */
  readonly nullableOptional: boolean;
}

/**
 * Converts one OpenAPI schema object (a dereferenced native definition, or a CRD version's
 * `openAPIV3Schema`) into a strict JSON schema (draft 4). `definitions` inside it (kept for
 * recursive types) are converted too. The input is not modified.
 */
export function toKubernetesJsonSchema(schema: JsonSchema, options: KubernetesConvertOptions): JsonSchema {
  return openapiSchemaToJsonSchema(schema, {
    cloneSchema: true,
    definitionKeywords: ['definitions'],
    afterTransform: (node) => kubernetesSpecifics(node as JsonSchema, options),
  }) as JsonSchema;
}

function kubernetesSpecifics(node: JsonSchema, options: KubernetesConvertOptions): JsonSchema {
  if (node['format'] === 'int-or-string' || node['x-kubernetes-int-or-string'] === true) {
    // CRDs spell it `anyOf: [{type: integer}, {type: string}]` already; native types do not.
    if (!Array.isArray(node['anyOf']) && !Array.isArray(node['oneOf'])) {
      delete node['type'];
      delete node['format'];
      node['oneOf'] = structuredClone(INT_OR_STRING_SCHEMA['oneOf']);
    }
  }
  const properties = node['properties'];
  if (isObject(properties)) {
    if (node['x-kubernetes-embedded-resource'] === true) {
      // An embedded object always may carry its own apiVersion, kind and metadata.
      properties['apiVersion'] ??= { type: 'string' };
      properties['kind'] ??= { type: 'string' };
      properties['metadata'] ??= { type: 'object' };
    }
    if (node['additionalProperties'] === undefined && node['x-kubernetes-preserve-unknown-fields'] !== true) {
      node['additionalProperties'] = false;
    }
    if (options.nullableOptional) {
      const required = new Set(Array.isArray(node['required']) ? (node['required'] as unknown[]) : []);
      for (const [name, child] of Object.entries(properties)) {
        if (!required.has(name) && isObject(child)) allowNull(child);
      }
    }
  }
  return node;
}

/** Makes a schema also accept `null`; idempotent. */
export function allowNull(schema: JsonSchema): void {
  const type = schema['type'];
  if (typeof type === 'string') {
    schema['type'] = [type, 'null'];
  } else if (Array.isArray(type)) {
    if (!type.includes('null')) type.push('null');
  } else {
    for (const keyword of ['oneOf', 'anyOf'] as const) {
      const options = schema[keyword];
      if (Array.isArray(options)) {
        if (!options.some((o) => isObject(o) && o['type'] === 'null')) options.push({ type: 'null' });
        return;
      }
    }
    return; // No type: already accepts anything, null included.
  }
  const values = schema['enum'];
  if (Array.isArray(values) && !values.includes(null)) values.push(null);
}

/**
 * Pins the root of a converted schema to one group-version-kind: `apiVersion` and `kind` get a
 * one-value enum, and (for CRDs, whose schemas may leave them out) are added with `metadata` when
 * missing, so the strict root object still accepts them.
 */
export function pinGroupVersionKind(schema: JsonSchema, apiVersion: string, kind: string): JsonSchema {
  const properties = isObject(schema['properties']) ? schema['properties'] : (schema['properties'] = {});
  properties['apiVersion'] = { ...(isObject(properties['apiVersion']) ? properties['apiVersion'] : {}), type: 'string', enum: [apiVersion] };
  properties['kind'] = { ...(isObject(properties['kind']) ? properties['kind'] : {}), type: 'string', enum: [kind] };
  properties['metadata'] ??= { type: 'object' };
  if (schema['additionalProperties'] === undefined && schema['x-kubernetes-preserve-unknown-fields'] !== true) {
    schema['additionalProperties'] = false;
  }
  return schema;
}

/** `-<first label of the group>-<version>` or `-<version>` for the core group: kubeconform's `{{.KindSuffix}}`. */
export function kindSuffix(apiVersion: string): string {
  const [groupOrVersion, version] = apiVersion.split('/');
  const firstLabel = (groupOrVersion ?? '').split('.')[0]!.toLowerCase();
  return version === undefined ? `-${firstLabel}` : `-${firstLabel}-${version.toLowerCase()}`;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

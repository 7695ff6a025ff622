/**
 * CustomResourceDefinition → kubeconform JSON schemas: one strict schema per served version,
 * from `spec.versions[].schema.openAPIV3Schema`.
 *
 * File layout: `<group>/<kind>_<version>.json` (lower-case kind), found by the kubeconform
 * location template `{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json` (the CRDs-catalog
 * convention). Not `{{.ResourceKind}}{{.KindSuffix}}`: kubeconform's KindSuffix keeps only the
 * group's first label (`-rds-v1beta1`, see `schemaPath` in kubeconform's `pkg/registry`), so
 * `rds.aws.upbound.io` and `rds.aws.m.upbound.io`, or `ec2.aws.upbound.io` and an ACK group of
 * the same service, would collide; the full group cannot.
 */
import { parseAllDocuments } from 'yaml';
import { ToolError } from '../../errors.js';
import { isObject, pinGroupVersionKind, toKubernetesJsonSchema, type JsonSchema } from './kubernetes.js';

/** kubeconform `-schema-location` template for a folder of converted CRD schemas. */
export function crdSchemaLocation(dir: string): string {
  return `${dir}/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json`;
}

/** One converted schema: a group-version-kind and where its file goes. */
export interface CrdSchemaFile {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** Relative path inside the schema folder: `<group>/<kind>_<version>.json`. */
  readonly fileName: string;
  readonly schema: JsonSchema;
}

/** A CustomResourceDefinition as far as the converter reads it. */
export interface CrdSummary {
  readonly name: string;
  readonly group: string;
  readonly kind: string;
  readonly servedVersions: readonly string[];
  /** The version the CRD stores (absent in summaries cached before it was recorded). */
  readonly storageVersion?: string;
}

/** The CustomResourceDefinitions in a YAML text (other documents are ignored). */
export function parseCrds(yamlText: string, source: string): Record<string, unknown>[] {
  const crds: Record<string, unknown>[] = [];
  for (const doc of parseAllDocuments(yamlText)) {
    if (doc.errors.length > 0) throw new ToolError(`${source}: invalid YAML: ${doc.errors[0]!.message}`);
    const value = doc.toJS({ maxAliasCount: -1 }) as unknown;
    if (isObject(value) && value['kind'] === 'CustomResourceDefinition') crds.push(value);
  }
  return crds;
}

/** Group, kind and served versions of a CRD object. */
export function summarizeCrd(crd: Record<string, unknown>): CrdSummary {
  const spec = isObject(crd['spec']) ? crd['spec'] : {};
  const names = isObject(spec['names']) ? spec['names'] : {};
  const metadata = isObject(crd['metadata']) ? crd['metadata'] : {};
  const versions = Array.isArray(spec['versions']) ? spec['versions'].filter(isObject) : [];
  const served = versions.filter((v) => v['served'] !== false).map((v) => String(v['name']));
  if (served.length === 0 && typeof spec['version'] === 'string') served.push(spec['version']);
  const storage = versions.find((v) => v['storage'] === true)?.['name'];
  return { name: String(metadata['name'] ?? ''), group: String(spec['group'] ?? ''), kind: String(names['kind'] ?? ''), servedVersions: served, ...(typeof storage === 'string' ? { storageVersion: storage } : {}) };
}

/**
 * Converts one CRD object into a strict JSON schema per served version. Objects that list
 * `properties` reject unknown fields; `x-kubernetes-preserve-unknown-fields` objects stay open;
 * int-or-string becomes `oneOf`/`anyOf` string|integer; `nullable` becomes a `null` type; the
 * root's `apiVersion` and `kind` accept exactly this group-version-kind.
 */
export function convertCrd(crd: Record<string, unknown>, source = 'CRD'): CrdSchemaFile[] {
  const { name, group, kind } = summarizeCrd(crd);
  if (!group || !kind) throw new ToolError(`${source}: CustomResourceDefinition ${name || '(unnamed)'} has no spec.group or spec.names.kind`);
  const spec = crd['spec'] as Record<string, unknown>;
  const versions = Array.isArray(spec['versions']) ? spec['versions'].filter(isObject) : [];
  // apiextensions.k8s.io/v1beta1 allowed one schema for all versions.
  const shared = isObject(spec['validation']) ? spec['validation']['openAPIV3Schema'] : undefined;
  const files: CrdSchemaFile[] = [];
  for (const version of versions) {
    if (version['served'] === false) continue;
    const versionName = String(version['name']);
    const openApi = (isObject(version['schema']) ? version['schema']['openAPIV3Schema'] : undefined) ?? shared;
    if (!isObject(openApi)) throw new ToolError(`${source}: ${name} version ${versionName} has no openAPIV3Schema`);
    const schema = toKubernetesJsonSchema(openApi, { nullableOptional: false });
    const apiVersion = `${group}/${versionName}`;
    files.push({
      group,
      version: versionName,
      kind,
      fileName: `${group.toLowerCase()}/${kind.toLowerCase()}_${versionName.toLowerCase()}.json`,
      schema: pinGroupVersionKind(schema, apiVersion, kind),
    });
  }
  return files;
}

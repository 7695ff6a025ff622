/**
 * Schemas of the native Kubernetes kinds, from the pinned `k8s.io/kubernetes` module:
 * - for kubeconform: `api/openapi-spec/swagger.json` converted with openapi2jsonschema's
 *   conventions (one standalone, strict file per kind and version, `deployment-apps-v1.json`);
 * - for kubectl-validate: `api/openapi-spec/v3/*_openapi.json` renamed into its
 *   `--local-schemas` layout (`api/v1.json`, `apis/apps/v1.json`).
 * Both are built once into `<root>/.cache/schemas/` under a key naming the versions.
 */
import $RefParser from '@apidevtools/json-schema-ref-parser';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ToolError } from '../../errors.js';
import { downloadGoModule, type EnsureOptions } from '../../tools/go.js';
import { KUBERNETES_MODULE, KUBERNETES_RELEASES, SCHEMA_CONVERTER_VERSION } from '../../tools/versions.js';
import { cacheKeyPart, ensureCacheDir } from './cache.js';
import { isObject, kindSuffix, pinGroupVersionKind, QUANTITY_SCHEMA, toKubernetesJsonSchema, type JsonSchema } from './kubernetes.js';

const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/** The pinned `k8s.io/kubernetes` release for a Kubernetes minor (`"1.35"` → `"v1.35.4"`). */
export function kubernetesRelease(minor: string): string {
  const release = KUBERNETES_RELEASES[minor];
  if (!release) {
    const known = Object.keys(KUBERNETES_RELEASES).join(', ');
    throw new ToolError(`no pinned Kubernetes release for Kubernetes ${minor} (pinned minors: ${known})`, 'add the release to KUBERNETES_RELEASES in generators/src/tools/versions.ts');
  }
  return release;
}

/** Where a cluster's native schemas are, once built. */
export interface NativeSchemas {
  /** The full Kubernetes version the schemas come from, without `v` (`1.35.4`). */
  readonly kubernetesVersion: string;
  /** Flat folder of kubeconform schemas (`deployment-apps-v1.json`). */
  readonly kubeconformDir: string;
  /** kubectl-validate `--local-schemas` folder (`api/v1.json`, `apis/<group>/<version>.json`). */
  readonly openapiV3Dir: string;
}

/** Builds (once, cached) the native schemas for a Kubernetes minor such as `"1.35"`. */
export async function ensureNativeSchemas(root: string, minor: string, options: EnsureOptions = {}): Promise<NativeSchemas> {
  const release = kubernetesRelease(minor);
  let moduleDir: Promise<string> | undefined;
  const specDir = async (): Promise<string> => path.join(await (moduleDir ??= downloadGoModule(KUBERNETES_MODULE, release, options)), 'api', 'openapi-spec');
  const base = `${cacheKeyPart(KUBERNETES_MODULE)}@${release}`;
  const [kubeconformDir, openapiV3Dir] = await Promise.all([
    ensureCacheDir(root, `kubeconform-native-${base}-${SCHEMA_CONVERTER_VERSION}`, async (dir) => {
      const swagger = JSON.parse(await readFile(path.join(await specDir(), 'swagger.json'), 'utf8')) as unknown;
      const files = await convertSwagger(swagger);
      await Promise.all([...files].map(([name, schema]) => writeFile(path.join(dir, name), JSON.stringify(schema))));
    }),
    ensureCacheDir(root, `kubectl-validate-native-${base}-${SCHEMA_CONVERTER_VERSION}`, async (dir) => {
      await layoutOpenApiV3(path.join(await specDir(), 'v3'), dir);
    }),
  ]);
  return { kubernetesVersion: release.replace(/^v/, ''), kubeconformDir, openapiV3Dir };
}

/**
 * Converts a Kubernetes swagger (OpenAPI v2) document into kubeconform schemas, keyed by file
 * name (`deployment-apps-v1.json`). Only definitions carrying `x-kubernetes-group-version-kind`
 * become files, one per group-version-kind they list. `$ref`s are inlined; a recursive type
 * (JSONSchemaProps) keeps its self-references, pointing at a `definitions` section inside the
 * same file, so every file stands alone.
 */
export async function convertSwagger(swagger: unknown): Promise<Map<string, JsonSchema>> {
  if (!isObject(swagger) || !isObject(swagger['definitions'])) {
    throw new ToolError('the Kubernetes swagger.json has no definitions');
  }
  const definitions = structuredClone(swagger['definitions']) as Record<string, JsonSchema>;
  const quantity = definitions[QUANTITY];
  if (quantity) definitions[QUANTITY] = { description: quantity['description'], ...structuredClone(QUANTITY_SCHEMA) };

  const resolved = (await $RefParser.dereference(
    { definitions },
    { resolve: { external: false }, dereference: { circular: 'ignore' } },
  )) as { definitions: Record<string, JsonSchema> };

  const files = new Map<string, JsonSchema>();
  for (const [name, definition] of Object.entries(resolved.definitions)) {
    const gvks = definition['x-kubernetes-group-version-kind'];
    if (!Array.isArray(gvks) || gvks.length === 0) continue;
    // A JSON copy: shared (inlined) objects become independent trees; what is left of the
    // recursion is a `$ref` string, so the copy is finite.
    const standalone = JSON.parse(JSON.stringify(definition)) as JsonSchema;
    const local = localDefinitions(standalone, resolved.definitions);
    if (Object.keys(local).length > 0) standalone['definitions'] = local;
    const converted = toKubernetesJsonSchema(standalone, { nullableOptional: true });
    for (const gvk of gvks as GroupVersionKind[]) {
      const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
      const fileName = `${gvk.kind.toLowerCase()}${kindSuffix(apiVersion)}.json`;
      if (files.has(fileName)) throw new ToolError(`two Kubernetes definitions map to ${fileName} (one is ${name})`);
      const schema = gvks.length === 1 ? converted : structuredClone(converted);
      schema['x-kubernetes-group-version-kind'] = [gvk];
      files.set(fileName, pinGroupVersionKind(schema, apiVersion, gvk.kind));
    }
  }
  return files;
}

/** The definitions that `$ref`s left in `schema` (recursive types) need, transitively. */
function localDefinitions(schema: JsonSchema, all: Record<string, JsonSchema>): Record<string, JsonSchema> {
  const needed: Record<string, JsonSchema> = {};
  const queue = [schema];
  while (queue.length > 0) {
    for (const ref of refsIn(queue.pop())) {
      const name = ref.replace(/^#\/definitions\//, '');
      if (needed[name] || !all[name]) continue;
      needed[name] = JSON.parse(JSON.stringify(all[name])) as JsonSchema;
      queue.push(needed[name]);
    }
  }
  return needed;
}

function refsIn(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) {
    for (const item of node) refsIn(item, found);
  } else if (isObject(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.push(value);
      else refsIn(value, found);
    }
  }
  return found;
}

/**
 * Copies `api__v1_openapi.json` to `api/v1.json` and `apis__apps__v1_openapi.json` to
 * `apis/apps/v1.json`: the layout kubectl-validate's `--local-schemas` reads. Group discovery
 * documents and non-resource paths (`version`, `logs`, `openid`) are left out.
 */
export async function layoutOpenApiV3(v3Dir: string, outDir: string): Promise<number> {
  let count = 0;
  for (const file of (await readdir(v3Dir)).sort()) {
    const core = /^api__(v[0-9][a-z0-9]*)_openapi\.json$/.exec(file);
    const grouped = /^apis__(.+)__(v[0-9][a-z0-9]*)_openapi\.json$/.exec(file);
    let target: string | undefined;
    if (core) target = path.join(outDir, 'api', `${core[1]}.json`);
    else if (grouped) target = path.join(outDir, 'apis', grouped[1]!, `${grouped[2]}.json`);
    if (!target) continue;
    await mkdir(path.dirname(target), { recursive: true });
    await copyFile(path.join(v3Dir, file), target);
    count += 1;
  }
  if (count === 0) throw new ToolError(`no OpenAPI v3 documents found in ${v3Dir}`);
  return count;
}

/**
 * The Helm values the rendered Applications give their charts, checked against the charts
 * themselves at the pinned versions: every key the repository sets must be a value of the chart
 * (its `values.schema.json` or `values.yaml`), a `null` must remove a default the chart has, and
 * where the chart publishes a schema the values Helm would merge (chart defaults + ours) must
 * satisfy it, as `helm install` checks.
 *
 * Chart repositories are not reachable here; a chart can be checked only when a Go module the
 * proxy serves holds it, at the pinned release (`chartValuesSources`). Every other chart is
 * checked by hand (`handCheckedCharts`, listed with the date in docs/platform-owners.md).
 */
import { copyFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv, type AnySchemaObject, type ErrorObject } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import type { AddonCatalogue, ChartId } from '../inputs/schemas/addons.js';
import { chartIds } from '../inputs/schemas/addons.js';
import { downloadGoModule, type EnsureOptions } from '../tools/go.js';
import type { Finding, RenderedDoc } from './checks.js';
import { chartAppRelease } from '../inputs/releases.js';
import { chartCrds } from './crd-sources.js';
import { cacheKeyPart, ensureCacheDir } from './schemas/cache.js';

/** Where a chart lives inside the Go module of its application (module and release as its CRDs: `chartCrds`). */
export interface ChartValuesSource {
  /** The chart folder inside the module. */
  readonly dir: string;
  /**
   * Whether the folder's `Chart.yaml` names the pinned chart version, which is then checked; when
   * it cannot, why the folder is still that chart's (checked by hand, see docs/platform-owners.md).
   */
  readonly chartYaml: 'pinned-version' | { readonly unversioned: string };
}

/** The charts a served Go module holds at the pinned release. */
export const chartValuesSources: Partial<Record<ChartId, ChartValuesSource>> = {
  'external-secrets': {
    dir: 'deploy/charts/external-secrets',
    chartYaml: {
      unversioned:
        'the release tag vX.Y.Z holds the chart folder before its version bump (tag helm-chart-X.Y.Z follows it; for 1.3.2 the two differ only in Chart.yaml, README.md and test snapshots)',
    },
  },
  'ack-rds': { dir: 'helm', chartYaml: 'pinned-version' },
  'ack-elasticache': { dir: 'helm', chartYaml: 'pinned-version' },
  'ack-s3': { dir: 'helm', chartYaml: 'pinned-version' },
  crossplane: { dir: 'cluster/charts/crossplane', chartYaml: { unversioned: 'Chart.yaml says 0.0.1 in the source: the release build sets the chart version to the tag' } },
};

/** Charts no served Go module holds: their values are checked by hand against the chart's source (docs/platform-owners.md). */
export const handCheckedCharts: readonly ChartId[] = chartIds.filter((id) => !chartValuesSources[id]);

/** A chart's own files, read from its module. */
export interface ChartFiles {
  /** `github.com/aws-controllers-k8s/s3-controller@v1.3.2 helm/`, for messages. */
  readonly label: string;
  readonly defaults: Record<string, unknown>;
  readonly schema?: AnySchemaObject;
  readonly chartVersion?: string;
  /** `kubeVersion` of the folder's Chart.yaml (the Kubernetes versions the chart declares it supports), when it has one. */
  readonly kubeVersion?: string;
}

export interface ChartValuesOptions extends EnsureOptions {
  /** Folder whose `.cache/schemas/` keeps the charts' files once fetched (as the CRDs). */
  readonly cacheRoot: string;
  readonly catalogue: AddonCatalogue;
  /** Every document of one cluster's rendered tree. */
  readonly docs: readonly RenderedDoc[];
}

export interface ChartValuesResult {
  readonly findings: Finding[];
  /** `ack-s3 1.3.2` for every chart source checked against its chart. */
  readonly checked: string[];
}

const checkId = 'chart-values';

/** Checks the Helm values of every chart source of the rendered Applications that can be checked here. */
export async function checkChartValues(options: ChartValuesOptions): Promise<ChartValuesResult> {
  const findings: Finding[] = [];
  const checked: string[] = [];
  for (const doc of options.docs) {
    if (doc.object.apiVersion !== 'argoproj.io/v1alpha1' || doc.object.kind !== 'Application') continue;
    const resource = `Application/${doc.object.metadata.name}`;
    for (const source of helmSources(doc.object['spec'])) {
      const id = chartIds.find((chart) => sameChart(options.catalogue.charts[chart], source));
      if (!id) continue;
      const pinned = options.catalogue.charts[id];
      const finding = (message: string, fix: string): Finding => ({ check: checkId, file: doc.file, resource, message: `chart ${id} ${pinned.version}: ${message}`, fix });
      if (source.targetRevision !== pinned.version) {
        findings.push(finding(`targetRevision is ${String(source.targetRevision)}, not the pinned ${pinned.version}`, 'render again: versions come from clusters/addons.yaml only'));
        continue;
      }
      if (!chartValuesSources[id]) continue;
      const files = await chartFiles(options.cacheRoot, options.catalogue, id, options);
      checked.push(`${id} ${pinned.version}`);
      if (files.chartVersion !== undefined && files.chartVersion !== pinned.version) {
        findings.push(finding(`${files.label}Chart.yaml is chart ${files.chartVersion}, not ${pinned.version}`, 'pin the chart and its application release together (clusters/addons.yaml)'));
        continue;
      }
      for (const problem of valuesProblems(source.values, files)) findings.push(finding(problem, `set only values chart ${id} ${pinned.version} has (${files.label}${files.schema ? 'values.schema.json, ' : ''}values.yaml)`));
    }
  }
  return { findings, checked };
}

/** The problems of one values tree against a chart: unknown keys, nulls that remove nothing, schema violations. */
export function valuesProblems(values: Record<string, unknown>, files: Pick<ChartFiles, 'defaults' | 'schema' | 'label'>): string[] {
  const problems = unknownKeys(values, files.schema, files.defaults, []);
  if (files.schema) {
    const validate = schemaValidator(files.schema);
    if (!validate(mergeValues(files.defaults, values))) problems.push(...(validate.errors ?? []).map((error) => `values.schema.json: ${formatSchemaError(error)}`));
  }
  return problems;
}

/**
 * Keys the chart does not know. A map is open (any key) when neither the schema nor the
 * defaults list its keys (annotations, free-form config); otherwise each key must be listed by one of them.
 */
function unknownKeys(values: Record<string, unknown>, schema: AnySchemaObject | undefined, defaults: unknown, at: string[]): string[] {
  const properties = schemaProperties(schema);
  const defaultKeys = isMap(defaults) && Object.keys(defaults).length > 0 ? defaults : undefined;
  if (!properties && !defaultKeys) return [];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const keyPath = [...at, key];
    const inSchema = properties && Object.hasOwn(properties, key);
    const inDefaults = defaultKeys && Object.hasOwn(defaultKeys, key);
    if (!inSchema && !inDefaults) {
      problems.push(`values key ${keyPath.join('.')} is not a value of the chart`);
      continue;
    }
    if (value === null && !inDefaults) {
      problems.push(`values key ${keyPath.join('.')}: null removes a default, but the chart has none there`);
      continue;
    }
    if (isMap(value)) problems.push(...unknownKeys(value, inSchema ? resolveRefs(properties[key], schema) : undefined, inDefaults ? defaultKeys[key] : undefined, keyPath));
  }
  return problems;
}

/** Helm's merge of user values onto the chart's defaults: maps merge, null removes, anything else replaces. */
export function mergeValues(defaults: unknown, values: unknown): unknown {
  if (!isMap(values)) return values;
  const merged: Record<string, unknown> = isMap(defaults) ? { ...defaults } : {};
  for (const [key, value] of Object.entries(values)) {
    if (value === null) delete merged[key];
    else merged[key] = isMap(value) ? mergeValues(merged[key], value) : value;
  }
  return merged;
}

/** The charts of the pinned catalogue the rendered Applications install (by repository and chart name). */
export function renderedChartIds(docs: readonly RenderedDoc[], catalogue: AddonCatalogue): ChartId[] {
  const found = new Set<ChartId>();
  for (const doc of docs) {
    if (doc.object.apiVersion !== 'argoproj.io/v1alpha1' || doc.object.kind !== 'Application') continue;
    for (const source of helmSources(doc.object['spec'])) {
      const id = chartIds.find((chart) => sameChart(catalogue.charts[chart], source));
      if (id) found.add(id);
    }
  }
  return chartIds.filter((id) => found.has(id));
}

/** The pinned chart's own files, from the Go module that holds it (`chartValuesSources[id]` must exist). */
export async function chartFiles(cacheRoot: string, catalogue: AddonCatalogue, id: ChartId, options: EnsureOptions): Promise<ChartFiles> {
  const key = `${cacheRoot}\0${id}@${catalogue.charts[id].version}`;
  let loaded = chartFilesCache.get(key);
  if (!loaded) {
    loaded = loadChartFiles(cacheRoot, catalogue, id, options);
    chartFilesCache.set(key, loaded);
    loaded.catch(() => chartFilesCache.delete(key));
  }
  return loaded;
}
const chartFilesCache = new Map<string, Promise<ChartFiles>>();

/** The chart's values.yaml, values.schema.json (when it has one) and Chart.yaml, copied once into the cache. */
const chartFileNames = ['values.yaml', 'values.schema.json', 'Chart.yaml'];

async function loadChartFiles(cacheRoot: string, catalogue: AddonCatalogue, id: ChartId, options: EnsureOptions): Promise<ChartFiles> {
  const source = chartValuesSources[id]!;
  const module = chartCrds[id]!.module;
  const release = chartAppRelease(catalogue, id);
  const dir = await ensureCacheDir(cacheRoot, `chart-values-${id}-${cacheKeyPart(module)}@${release}-${cacheKeyPart(source.dir)}`, async (scratch) => {
    const moduleDir = await downloadGoModule(module, release, options);
    for (const name of chartFileNames) {
      await copyFile(path.join(moduleDir, source.dir, name), path.join(scratch, name)).catch((error: NodeJS.ErrnoException) => {
        if (!(error.code === 'ENOENT' && name === 'values.schema.json')) throw error;
      });
    }
  });
  const label = `${module}@${release} ${source.dir}/`;
  const defaults = (parse(await readFile(path.join(dir, 'values.yaml'), 'utf8')) ?? {}) as Record<string, unknown>;
  const schemaText = await readFile(path.join(dir, 'values.schema.json'), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  const chart = parse(await readFile(path.join(dir, 'Chart.yaml'), 'utf8')) as { version?: unknown; kubeVersion?: unknown };
  return {
    label,
    defaults,
    ...(schemaText ? { schema: JSON.parse(schemaText) as AnySchemaObject } : {}),
    ...(source.chartYaml === 'pinned-version' ? { chartVersion: String(chart.version) } : {}),
    ...(typeof chart.kubeVersion === 'string' && chart.kubeVersion.trim() ? { kubeVersion: chart.kubeVersion.trim() } : {}),
  };
}

/** The Helm sources of an Application spec, with the values as rendered. */
function helmSources(spec: unknown): { repoURL: unknown; chart: unknown; targetRevision: unknown; values: Record<string, unknown> }[] {
  if (!isMap(spec)) return [];
  const sources = Array.isArray(spec['sources']) ? (spec['sources'] as unknown[]) : spec['source'] ? [spec['source']] : [];
  return sources.filter(isMap).flatMap((source) => {
    const helm = source['helm'];
    if (!isMap(helm)) return [];
    return [{ repoURL: source['repoURL'], chart: source['chart'], targetRevision: source['targetRevision'], values: isMap(helm['valuesObject']) ? helm['valuesObject'] : {} }];
  });
}

function sameChart(pinned: AddonCatalogue['charts'][ChartId], source: { repoURL: unknown; chart: unknown }): boolean {
  return pinned.repoURL === source.repoURL && (pinned.chart ?? undefined) === (source.chart ?? undefined);
}

function schemaProperties(schema: AnySchemaObject | undefined): Record<string, AnySchemaObject> | undefined {
  const properties = schema?.['properties'] as unknown;
  return isMap(properties) && Object.keys(properties).length > 0 ? (properties as Record<string, AnySchemaObject>) : undefined;
}

/** Follows local `$ref`s (`#/definitions/x`, `#/$defs/x`) of a chart schema. */
function resolveRefs(node: AnySchemaObject | undefined, root: AnySchemaObject | undefined): AnySchemaObject | undefined {
  let current = node;
  for (let depth = 0; current && typeof current['$ref'] === 'string' && depth < 20; depth++) {
    const ref = current['$ref'] as string;
    if (!ref.startsWith('#/')) return undefined;
    let target: unknown = root;
    for (const part of ref.slice(2).split('/')) target = isMap(target) ? target[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
    current = isMap(target) ? (target as AnySchemaObject) : undefined;
  }
  return current;
}

function schemaValidator(schema: AnySchemaObject) {
  const draft2020 = typeof schema['$schema'] === 'string' && schema['$schema'].includes('2020-12');
  // Chart schemas use keywords and formats beyond the validator's strict vocabulary, and name their
  // draft loosely (ACK: https://json-schema.org/draft-07/schema#): check what it knows, as Helm does.
  const options = { strict: false, allErrors: true, validateFormats: false, validateSchema: false } as const;
  const ajv = draft2020 ? new Ajv2020(options) : new Ajv(options);
  return ajv.compile(schema);
}

function formatSchemaError(error: ErrorObject): string {
  const where = error.instancePath ? error.instancePath.slice(1).replace(/\//g, '.') : '(top)';
  return `${where} ${error.message ?? 'is invalid'}`;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Where the CustomResourceDefinitions the rendered YAML uses come from: the Go modules of the
 * components the clusters install, at exactly the installed versions, fetched with
 * `go mod download`, converted once into `<root>/.cache/schemas/crd-<source>-.../`:
 * - `schemas/<group>/<kind>_<version>.json`: kubeconform schemas (see `schemas/crd.ts`);
 * - `crds/*.yaml`: the CRD files themselves (kubectl-validate `--local-crds`, `cdk8s import`).
 *
 * One declaration per component: the versions are not pinned here but derived from what the
 * clusters install, so moving a pin moves its CRDs too:
 * - add-on charts and Crossplane packages: `clusters/addons.yaml` (a chart's appVersion where it
 *   is versioned apart from its application, else v<chart version>; the provider-aws package tag);
 * - Argo CD: the release the clusters run (`argoCdRelease`: `charts.argo-cd.image.tag`), whose CRDs
 *   they install in place of the chart's (`argocd/argocd-crds.ts`);
 * - the k3s HelmChart: `k3s.helmController` of the cluster (the helm-controller its k3s release embeds).
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { argocdCrdFiles, argocdCrdFolder } from '../argocd/argocd-crds.js';
import { InputError, ToolError } from '../errors.js';
import { readAddonCatalogue } from '../inputs/addons.js';
import { loadClusters, type Cluster } from '../inputs/clusters.js';
import { argoCdRelease, argoCdReleasePin, chartAppRelease } from '../inputs/releases.js';
import type { AddonCatalogue, ChartId } from '../inputs/schemas/addons.js';
import { downloadGoModule, type EnsureOptions } from '../tools/go.js';
import { SCHEMA_CONVERTER_VERSION } from '../tools/versions.js';
import { cacheKeyPart, ensureCacheDir } from './schemas/cache.js';
import { convertCrd, summarizeCrd, type CrdSummary } from './schemas/crd.js';
import { isObject } from './schemas/kubernetes.js';

/** A set of CRD files inside one pinned Go module. */
export interface CrdSource {
  /** Short stable name, used in cache folder names and messages. */
  readonly id: string;
  readonly module: string;
  readonly version: string;
  /** Paths inside the module; `*` may stand for any characters in the last segment. */
  readonly files: readonly string[];
  /** When set, only these kinds (spec.names.kind) are kept from the files. */
  readonly kinds?: readonly string[];
  /** Which pin the version comes from, for messages: `clusters/addons.yaml charts.argo-cd.appVersion`. */
  readonly pin: string;
}

const upboundCrds = (...names: string[]): string[] => names.map((name) => `package/crds/${name}.yaml`);

/** The CRD files of a component, without its version (that comes from the pin). */
type CrdLayout = Omit<CrdSource, 'version' | 'pin'>;

/** Add-on charts whose CRDs the rendered objects use, and where those CRDs live in the application's Go module. */
export const chartCrds: Partial<Record<ChartId, CrdLayout>> = {
  'external-secrets': {
    id: 'external-secrets',
    module: 'github.com/external-secrets/external-secrets',
    files: ['externalsecrets', 'clusterexternalsecrets', 'secretstores', 'clustersecretstores'].map((plural) => `config/crds/bases/external-secrets.io_${plural}.yaml`),
  },
  'ack-rds': { id: 'ack-rds', module: 'github.com/aws-controllers-k8s/rds-controller', files: ['helm/crds/*.yaml'] },
  'ack-elasticache': { id: 'ack-elasticache', module: 'github.com/aws-controllers-k8s/elasticache-controller', files: ['helm/crds/*.yaml'] },
  // Bucket only: the other files of helm/crds/ are the shared services.k8s.aws kinds
  // (FieldExport, AdoptedResource); FieldExport is taken from ack-rds.
  'ack-s3': { id: 'ack-s3', module: 'github.com/aws-controllers-k8s/s3-controller', files: ['helm/crds/s3.services.k8s.aws_buckets.yaml'] },
  crossplane: {
    id: 'crossplane',
    module: 'github.com/crossplane/crossplane/v2',
    files: ['providers', 'deploymentruntimeconfigs', 'functions', 'configurations'].map((plural) => `cluster/crds/pkg.crossplane.io_${plural}.yaml`),
  },
  // The files the clusters install from the argoproj/argo-cd repository at the same release.
  'argo-cd': { id: 'argo-cd', module: 'github.com/argoproj/argo-cd/v3', files: argocdCrdFiles.map((file) => `${argocdCrdFolder}/${file}`) },
  'argo-workflows': {
    id: 'argo-workflows',
    module: 'github.com/argoproj/argo-workflows/v3',
    files: ['workflowtemplates', 'clusterworkflowtemplates', 'cronworkflows', 'workflows', 'workfloweventbindings'].map((plural) => `manifests/base/crds/full/argoproj.io_${plural}.yaml`),
  },
  // The chart's templates/crds are these files (argo-helm argo-rollouts-2.41.0 = argo-rollouts v1.9.0).
  'argo-rollouts': {
    id: 'argo-rollouts',
    module: 'github.com/argoproj/argo-rollouts',
    files: ['rollout', 'analysis-template', 'cluster-analysis-template', 'analysis-run', 'experiment'].map((name) => `manifests/crds/${name}-crd.yaml`),
  },
};

/** Upbound provider-aws CRDs (cluster-scoped `*.aws.upbound.io` groups) of the kinds rendered here. */
export const providerAwsCrds: CrdLayout = {
  id: 'upbound-provider-aws',
  module: 'github.com/upbound/provider-aws',
  files: upboundCrds(
    'aws.upbound.io_providerconfigs',
    'rds.aws.upbound.io_instances',
    'rds.aws.upbound.io_subnetgroups',
    'elasticache.aws.upbound.io_replicationgroups',
    'elasticache.aws.upbound.io_subnetgroups',
    's3.aws.upbound.io_buckets',
    's3.aws.upbound.io_bucketversionings',
    's3.aws.upbound.io_bucketserversideencryptionconfigurations',
    's3.aws.upbound.io_bucketpublicaccessblocks',
    's3.aws.upbound.io_bucketlifecycleconfigurations',
    's3.aws.upbound.io_bucketreplicationconfigurations',
    'sqs.aws.upbound.io_queues',
    'sqs.aws.upbound.io_queueredrivepolicies',
    'eks.aws.upbound.io_podidentityassociations',
  ),
};

/** k3s HelmChart and HelmChartConfig, from the helm-controller a k3s release embeds. */
export const k3sHelmControllerCrds: CrdLayout = {
  id: 'k3s-helm-controller',
  module: 'github.com/k3s-io/helm-controller',
  files: ['pkg/crds/yaml/generated/helm.cattle.io_helmcharts.yaml', 'pkg/crds/yaml/generated/helm.cattle.io_helmchartconfigs.yaml'],
};

/**
 * The release whose CRDs the objects of a chart's kinds are validated against, and the pin it
 * follows: the release the chart runs (`chartAppRelease`); for Argo CD, the release the clusters
 * run (`argoCdRelease`), since they install its CRDs instead of the chart's.
 */
export function chartCrdRelease(catalogue: AddonCatalogue, chart: ChartId): { readonly version: string; readonly pin: string } {
  if (chart === 'argo-cd') return { version: argoCdRelease(catalogue), pin: argoCdReleasePin(catalogue) };
  return { version: chartAppRelease(catalogue, chart), pin: `clusters/addons.yaml charts.${chart}.${catalogue.charts[chart].appVersion ? 'appVersion' : 'version'}` };
}

/** The provider-aws release of the Crossplane packages (the schema keeps them on one tag). */
export function providerAwsRelease(catalogue: AddonCatalogue): string {
  return catalogue.crossplaneProviders.rds.split(':').pop()!;
}

/** The CRD sources every cluster shares: the add-ons' CRDs at the installed versions. */
export function addonCrdSources(catalogue: AddonCatalogue): CrdSource[] {
  const sources: CrdSource[] = Object.entries(chartCrds).map(([chart, layout]) => ({ ...layout, ...chartCrdRelease(catalogue, chart as ChartId) }));
  sources.push({ ...providerAwsCrds, version: providerAwsRelease(catalogue), pin: 'clusters/addons.yaml crossplaneProviders' });
  return sources;
}

/** The CRD sources of one cluster: the add-ons', plus the k3s HelmChart CRDs its k3s release embeds. */
export function clusterCrdSources(catalogue: AddonCatalogue, cluster: Pick<Cluster, 'flavor' | 'file'> & { readonly k3s?: { readonly helmController: string } }): CrdSource[] {
  const sources = addonCrdSources(catalogue);
  if (cluster.flavor === 'k3s' && cluster.k3s) sources.push({ ...k3sHelmControllerCrds, version: cluster.k3s.helmController, pin: `${cluster.file} k3s.helmController` });
  return sources;
}

/** Every CRD source of the repository at `root` (all clusters), each module and version once. */
export async function repositoryCrdSources(root: string): Promise<CrdSource[]> {
  const { catalogue, issues } = await readAddonCatalogue(root);
  if (!catalogue) throw new InputError(issues);
  return uniqueCrdSources((await loadClusters(root)).flatMap((cluster) => clusterCrdSources(catalogue, cluster)));
}

/** The sources with each id and version once, in first-seen order. */
export function uniqueCrdSources(sources: readonly CrdSource[]): CrdSource[] {
  const seen = new Map<string, CrdSource>();
  for (const source of sources) if (!seen.has(crdSourceKey(source))) seen.set(crdSourceKey(source), source);
  return [...seen.values()];
}

/** `id@version`: one source at one version. */
export function crdSourceKey(source: Pick<CrdSource, 'id' | 'version'>): string {
  return `${source.id}@${source.version}`;
}

/** A source after download and conversion: everything lives in the schema cache. */
export interface PreparedCrdSource {
  readonly source: CrdSource;
  /** Folder of kubeconform schemas (`<group>/<kind>_<version>.json`). */
  readonly schemaDir: string;
  /** Folder holding only this source's CRD YAML files. */
  readonly crdDir: string;
  /** Absolute paths of the CRD YAML files in `crdDir`. */
  readonly crdFiles: readonly string[];
  /** The CRDs, their served versions and the absolute path of the file holding each. */
  readonly crds: readonly (CrdSummary & { readonly file: string })[];
}

/** Cache folder name of a source: module, version, file selection and converter version. */
export function crdSourceCacheKey(source: CrdSource): string {
  const selection = createHash('sha256')
    .update(JSON.stringify([source.files, source.kinds ?? null]))
    .digest('hex')
    .slice(0, 10);
  return `crd-${source.id}-${cacheKeyPart(source.module)}@${source.version}-${selection}-${SCHEMA_CONVERTER_VERSION}`;
}

/**
 * Downloads (when not cached) and converts one CRD source. Throws a `ToolError` naming the
 * module and version when the source is marked unavailable, the download fails, a listed file
 * is missing, or a `kinds` entry matches nothing.
 */
export function ensureCrdSource(root: string, source: CrdSource, options: EnsureOptions = {}): Promise<PreparedCrdSource> {
  return (async () => {
    const dir = await ensureCacheDir(root, crdSourceCacheKey(source), async (scratch) => {
      const moduleDir = await downloadGoModule(source.module, source.version, options).catch((error: unknown) => {
        if (error instanceof ToolError) throw new ToolError(`${error.message} (the CRDs of ${source.pin})`, `the Go module proxy must serve ${source.module}@${source.version}: if it cannot, install a version it serves (${source.pin}), so what is installed and what is validated stay one version`);
        throw error;
      });
      await convertSource(source, moduleDir, scratch);
    });
    const manifest = JSON.parse(await readFile(path.join(dir, 'crds.json'), 'utf8')) as { files: string[]; crds: (CrdSummary & { file: string })[] };
    const crdDir = path.join(dir, 'crds');
    return {
      source,
      schemaDir: path.join(dir, 'schemas'),
      crdDir,
      crdFiles: manifest.files.map((file) => path.join(crdDir, file)),
      crds: manifest.crds.map((crd) => ({ ...crd, file: path.join(crdDir, crd.file) })),
    };
  })();
}

/** Prepares several sources, in the given order. */
export async function ensureCrdSources(root: string, sources: readonly CrdSource[], options: EnsureOptions = {}): Promise<PreparedCrdSource[]> {
  // One at a time: `go mod download` of large modules in parallel only competes for the disk.
  const prepared: PreparedCrdSource[] = [];
  for (const source of sources) prepared.push(await ensureCrdSource(root, source, options));
  return prepared;
}

/**
 * Absolute paths of the pinned CRD YAML files (downloaded and cached on demand), for tools such
 * as `cdk8s import` that must read the same files the validators use.
 */
export async function crdFilePaths(root: string, sources: readonly CrdSource[], options: EnsureOptions = {}): Promise<string[]> {
  const prepared = await ensureCrdSources(root, sources, options);
  return prepared.flatMap((p) => p.crdFiles);
}

async function convertSource(source: CrdSource, moduleDir: string, outDir: string): Promise<void> {
  const files = await expandFiles(source, moduleDir);
  const wanted = source.kinds ? new Set(source.kinds) : undefined;
  const foundKinds = new Set<string>();
  const summaries: (CrdSummary & { file: string })[] = [];
  const written: string[] = [];
  await mkdir(path.join(outDir, 'crds'), { recursive: true });
  for (const relative of files) {
    const text = await readFile(path.join(moduleDir, relative), 'utf8');
    const name = path.basename(relative).replace(/\.yml$/, '.yaml');
    const kept: string[] = [];
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) throw new ToolError(`${source.module}@${source.version}/${relative}: invalid YAML: ${doc.errors[0]!.message}`);
      const crd = doc.toJS({ maxAliasCount: -1 }) as unknown;
      if (!isObject(crd) || crd['kind'] !== 'CustomResourceDefinition') continue;
      const summary = summarizeCrd(crd);
      if (wanted && !wanted.has(summary.kind)) continue;
      foundKinds.add(summary.kind);
      summaries.push({ ...summary, file: name });
      for (const file of convertCrd(crd, `${source.module}@${source.version}/${relative}`)) {
        const target = path.join(outDir, 'schemas', file.fileName);
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, JSON.stringify(file.schema));
      }
      kept.push(doc.toString());
    }
    if (kept.length === 0) continue;
    if (written.includes(name)) throw new ToolError(`${source.id}: two CRD files are named ${name}`);
    // Unfiltered files are copied byte for byte; filtered ones keep only the wanted documents.
    await writeFile(path.join(outDir, 'crds', name), wanted ? kept.join('---\n') : text);
    written.push(name);
  }
  const missing = [...(wanted ?? [])].filter((kind) => !foundKinds.has(kind));
  if (missing.length > 0) throw new ToolError(`${source.module}@${source.version}: no CRD for kind ${missing.join(', ')} in ${source.files.join(', ')}`);
  if (summaries.length === 0) throw new ToolError(`${source.module}@${source.version}: no CustomResourceDefinition in ${source.files.join(', ')}`);
  await writeFile(path.join(outDir, 'crds.json'), `${JSON.stringify({ source: { module: source.module, version: source.version }, files: written, crds: summaries }, null, 2)}\n`);
}

/** Resolves the `files` patterns of a source against the module folder, sorted, no duplicates. */
async function expandFiles(source: CrdSource, moduleDir: string): Promise<string[]> {
  const result = new Set<string>();
  for (const pattern of source.files) {
    const dir = path.posix.dirname(pattern);
    const base = path.posix.basename(pattern);
    if (!base.includes('*')) {
      try {
        await readFile(path.join(moduleDir, pattern));
      } catch {
        throw new ToolError(`${source.module}@${source.version} has no file ${pattern}`, 'fix the file list in generators/src/validate/crd-sources.ts');
      }
      result.add(pattern);
      continue;
    }
    const matcher = new RegExp(`^${base.split('*').map(escapeRegExp).join('.*')}$`);
    let entries: string[];
    try {
      entries = await readdir(path.join(moduleDir, dir));
    } catch {
      throw new ToolError(`${source.module}@${source.version} has no folder ${dir}`, 'fix the file list in generators/src/validate/crd-sources.ts');
    }
    const matched = entries.filter((entry) => matcher.test(entry)).sort();
    if (matched.length === 0) throw new ToolError(`${source.module}@${source.version}: ${pattern} matches no file`);
    for (const entry of matched) result.add(`${dir}/${entry}`);
  }
  return [...result].sort();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

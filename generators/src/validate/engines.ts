/**
 * The three validation engines (kubeconform, kubectl-validate, a real kube-apiserver) over each cluster's rendered tree, at the cluster's Kubernetes
 * version, with the pinned native schemas and CRDs. Tools and schemas are prepared once (installed,
 * downloaded and converted on the first run, then read from `.tools/` and `.cache/schemas/`).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ensureGoTool, type EnsureOptions } from '../tools/go.js';
import { crdSourceKey, ensureCrdSources, uniqueCrdSources, type CrdSource, type PreparedCrdSource } from './crd-sources.js';
import { displayPath, splitYamlDocuments } from './documents.js';
import { runKubeconform } from './kubeconform.js';
import { runKubectlValidate } from './kubectl-validate.js';
import { ensureControlPlane, type ControlPlaneBinaries } from '../tools/control-plane-build.js';
import { mapLimit } from '../render/task-pool.js';
import { runApiserver } from './apiserver/apiserver-engine.js';
import { openFileVerdicts, runCachedByFile } from './file-verdicts.js';
import { VerdictCache } from './verdict-cache.js';
import { KUBECONFORM_VERSION, KUBECTL_VALIDATE_VERSION } from '../tools/versions.js';
import { ENGINE_NAMES, formatResult, hasFailures, type EngineName, type EngineReport } from './report.js';
import { ensureNativeSchemas, type NativeSchemas } from './schemas/native.js';

/** One cluster's rendered folder and the Kubernetes minor it runs. */
export interface ClusterTarget {
  readonly name: string;
  /** Kubernetes minor, `"1.35"`. */
  readonly kubernetesVersion: string;
  /** Absolute path of the rendered folder. */
  readonly dir: string;
  /** The CRDs its objects are validated against: those of the versions it installs (`clusterCrdSources`). */
  readonly crdSources: readonly CrdSource[];
}

export interface ValidateRenderedOptions {
  /** Repository root: files are reported relative to it. */
  readonly root: string;
  readonly clusters: readonly ClusterTarget[];
  /** Folder whose `.tools/` and `.cache/` hold the binaries and schemas (default: `root`). */
  readonly cacheRoot?: string;
  /** Engines to run (default: all three). */
  readonly engines?: readonly EngineName[];
  /** Reuse cached verdicts of unchanged resources (default true). */
  readonly cache?: boolean;
  readonly signal?: AbortSignal;
  /** Told about slow first-run work. */
  readonly log?: (line: string) => void;
  /**
   * Called once every cluster's engines are under way: each API server the run needs is starting
   * (the verdict caches told which clusters need one). A caller with other work for this process
   * starts it then, so that work does not delay the servers.
   */
  readonly onUnderway?: () => void;
  /** Reads a rendered file (default: from disk); a caller that reads the tree too shares one reader. */
  readonly readText?: (file: string) => Promise<string>;
}

/** The verdicts for one cluster. */
export interface ClusterReport {
  readonly cluster: ClusterTarget;
  /** Full Kubernetes version of the native schemas (`1.35.4`). */
  readonly kubernetesVersion: string;
  /** Repository-relative paths of the files validated. */
  readonly files: readonly string[];
  /** In `ENGINE_NAMES` order: kubeconform, kubectl-validate, kube-apiserver. */
  readonly engines: readonly EngineReport[];
  /** Problems with the cluster as a whole (no rendered files). */
  readonly problems: readonly string[];
}

export interface ValidationReport {
  readonly clusters: readonly ClusterReport[];
}

/** Binaries and schemas, ready to validate any of the given Kubernetes minors. */
export interface Toolchain {
  readonly kubeconform: string;
  readonly kubectlValidate: string;
  readonly native: ReadonlyMap<string, NativeSchemas>;
  readonly crds: readonly PreparedCrdSource[];
  /** kube-apiserver and etcd per Kubernetes minor (only when that engine runs). */
  readonly controlPlanes: ReadonlyMap<string, ControlPlaneBinaries>;
}

/** Installs the pinned validators and builds the schema caches (a no-op once cached). */
export async function ensureToolchain(cacheRoot: string, minors: readonly string[], crdSources: readonly CrdSource[], options: EnsureOptions & { apiserver?: boolean } = {}): Promise<Toolchain> {
  const unique = [...new Set(minors)];
  const [kubeconform, kubectlValidate, crds, natives, controlPlanes] = await Promise.all([
    ensureGoTool('kubeconform', cacheRoot, options),
    ensureGoTool('kubectl-validate', cacheRoot, options),
    ensureCrdSources(cacheRoot, crdSources, options),
    Promise.all(unique.map(async (minor) => [minor, await ensureNativeSchemas(cacheRoot, minor, options)] as const)),
    // One build at a time: each already uses every core.
    (async () => {
      const built: [string, ControlPlaneBinaries][] = [];
      if (options.apiserver === false) return built;
      for (const minor of unique) built.push([minor, await ensureControlPlane(cacheRoot, minor, options)]);
      return built;
    })(),
  ]);
  return { kubeconform, kubectlValidate, crds, native: new Map(natives), controlPlanes: new Map(controlPlanes) };
}

/**
 * Runs the engines (default: all three) on every `*.yaml` under each cluster's folder and returns
 * their reports. Resources that are invalid, could not be validated (no schema) or were skipped
 * all count as failures (`reportOk`).
 */
export async function validateRendered(options: ValidateRenderedOptions): Promise<ValidationReport> {
  const cacheRoot = options.cacheRoot ?? options.root;
  const ensureOptions = { signal: options.signal, log: options.log };
  const engines = new Set(options.engines ?? ENGINE_NAMES);
  const toolchain = await ensureToolchain(
    cacheRoot,
    options.clusters.map((c) => c.kubernetesVersion),
    uniqueCrdSources(options.clusters.flatMap((c) => c.crdSources)),
    { ...ensureOptions, apiserver: engines.has('kube-apiserver') },
  );
  // Verdicts cached by content, one store per engine, shared by the clusters of this run.
  const caching = options.cache !== false;
  const verdicts = engines.has('kube-apiserver') && caching ? await VerdictCache.open(cacheRoot, 'kube-apiserver') : undefined;
  const kubeconformVerdicts = engines.has('kubeconform') && caching ? await openFileVerdicts(cacheRoot, 'kubeconform') : undefined;
  const kubectlValidateVerdicts = engines.has('kubectl-validate') && caching ? await openFileVerdicts(cacheRoot, 'kubectl-validate') : undefined;
  let notUnderway = options.clusters.length;
  if (notUnderway === 0) options.onUnderway?.();
  // Clusters run side by side: an API server spends much of its start-up waiting.
  const reports = await mapLimit(options.clusters, 3, async (cluster): Promise<ClusterReport> => {
    let counted = false;
    const underway = () => {
      if (counted) return;
      counted = true;
      if (--notUnderway === 0) options.onUnderway?.();
    };
    const native = toolchain.native.get(cluster.kubernetesVersion)!;
    const own = new Set(cluster.crdSources.map(crdSourceKey));
    const crds = toolchain.crds.filter((prepared) => own.has(crdSourceKey(prepared.source)));
    const files = await listYamlFiles(cluster.dir);
    const relative = files.map((file) => displayPath(options.root, file));
    if (files.length === 0) {
      underway();
      return { cluster, kubernetesVersion: native.kubernetesVersion, files: [], engines: [], problems: [`no *.yaml files under ${displayPath(options.root, cluster.dir)} (run render first)`] };
    }
    // Read once, shared by the engines' caches.
    const read = options.readText ?? ((file: string) => readFile(file, 'utf8'));
    const texts = new Map(await mapLimit(files, 64, async (file) => [file, await read(file)] as const));
    // What a file's verdict depends on besides its bytes: engine, version, schemas (their cache
    // folders are named after the versions and the converter), Kubernetes release.
    const schemaSet = crds.map((c) => path.basename(c.schemaDir)).join(',');
    const runs: Record<EngineName, () => Promise<EngineReport>> = {
      kubeconform: () =>
        runCachedByFile(kubeconformVerdicts, { engine: 'kubeconform', engineVersion: KUBECONFORM_VERSION, kubernetesVersion: native.kubernetesVersion }, `kubeconform ${KUBECONFORM_VERSION} ${path.basename(native.kubeconformDir)} ${schemaSet}`, files, texts, options.root, (todo) => runKubeconform({
          binary: toolchain.kubeconform,
          files: todo,
          kubernetesVersion: native.kubernetesVersion,
          nativeSchemaDir: native.kubeconformDir,
          crdSchemaDirs: crds.map((c) => c.schemaDir),
          relativeTo: options.root,
          signal: options.signal,
        })),
      'kubectl-validate': () =>
        runCachedByFile(kubectlValidateVerdicts, { engine: 'kubectl-validate', engineVersion: KUBECTL_VALIDATE_VERSION, kubernetesVersion: native.kubernetesVersion }, `kubectl-validate ${KUBECTL_VALIDATE_VERSION} ${path.basename(native.openapiV3Dir)} ${schemaSet}`, files, texts, options.root, async (todo) => runKubectlValidate({
          binary: toolchain.kubectlValidate,
          files: todo,
          kubernetesVersion: native.kubernetesVersion,
          localSchemasDir: native.openapiV3Dir,
          crdFiles: await crdFilesFor(todo, crds, texts),
          relativeTo: options.root,
          texts,
          signal: options.signal,
        })),
      'kube-apiserver': () =>
        runApiserver({
          binaries: toolchain.controlPlanes.get(cluster.kubernetesVersion)!,
          files,
          texts,
          crdSources: crds,
          relativeTo: options.root,
          cacheRoot,
          verdicts,
          signal: options.signal,
          log: options.log,
          onStarting: underway,
        }),
    };
    // The API server first: its start-up is the longest wait, and it starts once its cache is read.
    const order: readonly EngineName[] = ['kube-apiserver', 'kubeconform', 'kubectl-validate'];
    const running = new Map(order.filter((name) => engines.has(name)).map((name) => [name, runs[name]()] as const));
    if (!engines.has('kube-apiserver')) underway();
    const engineReports = await Promise.all(ENGINE_NAMES.filter((name) => engines.has(name)).map((name) => running.get(name)!));
    return { cluster, kubernetesVersion: native.kubernetesVersion, files: relative, engines: engineReports, problems: [] };
  });
  await Promise.all([verdicts?.save(), kubeconformVerdicts?.save(), kubectlValidateVerdicts?.save()]);
  return { clusters: reports };
}

/** True when every resource of every cluster is valid for every engine (0 skipped). */
export function reportOk(report: ValidationReport): boolean {
  return report.clusters.every((c) => c.problems.length === 0 && c.engines.every((engine) => !hasFailures(engine)));
}

/** Every failure as `file: Kind/name: message`, per engine. */
export function reportFailures(report: ValidationReport): { cluster: string; engine: string; line: string }[] {
  return report.clusters.flatMap((c) => [
    ...c.problems.map((line) => ({ cluster: c.cluster.name, engine: 'validate', line })),
    ...c.engines.flatMap((engine) => engine.resources.filter((r) => r.status !== 'valid').map((r) => ({ cluster: c.cluster.name, engine: engine.engine, line: formatResult(r) }))),
  ]);
}

/**
 * Human-readable report, per cluster and engine: a summary line such as
 * `production: 123 resources, 123 valid, 0 invalid, 0 errors, 0 skipped (kubeconform v0.8.0, Kubernetes 1.35.4)`,
 * followed by one indented `file: Kind/name: message` line per failure.
 */
export function formatReport(report: ValidationReport): string[] {
  const lines: string[] = [];
  for (const c of report.clusters) {
    for (const problem of c.problems) lines.push(`${c.cluster.name}: ${problem}`);
    for (const engine of c.engines) {
      const n = engine.counts;
      lines.push(`${c.cluster.name}: ${n.resources} resources, ${n.valid} valid, ${n.invalid} invalid, ${n.errors} errors, ${n.skipped} skipped (${engine.engine} ${engine.engineVersion}, Kubernetes ${engine.kubernetesVersion})`);
      for (const result of engine.resources) {
        if (result.status !== 'valid') lines.push(`  ${formatResult(result)}`);
      }
    }
  }
  return lines;
}

/**
 * The CRD files (first source first) defining the group-kinds the files use: kubectl-validate
 * parses every CRD it is given on each run, and the Argo Workflows ones alone are 7 MB.
 * Kinds are read from the top-level `apiVersion:` and `kind:` lines of each document; `texts`
 * holds the files already read (a cold 500x3 tree spent ~10 s reading its files again, one at a
 * time, before kubectl-validate could start).
 */
export async function crdFilesFor(files: readonly string[], sources: readonly PreparedCrdSource[], texts: ReadonlyMap<string, string> = new Map()): Promise<string[]> {
  const used = new Set<string>();
  for (const file of files) {
    for (const doc of splitYamlDocuments(texts.get(file) ?? (await readFile(file, 'utf8')))) {
      const apiVersion = topLevelScalar(doc, TOP_LEVEL_API_VERSION);
      const kind = topLevelScalar(doc, TOP_LEVEL_KIND);
      if (apiVersion?.includes('/') && kind) used.add(`${apiVersion.split('/')[0]}/${kind}`);
    }
  }
  const chosen: string[] = [];
  for (const source of sources) {
    for (const crd of source.crds) {
      if (used.has(`${crd.group}/${crd.kind}`) && !chosen.includes(crd.file)) chosen.push(crd.file);
    }
  }
  return chosen;
}

const TOP_LEVEL_API_VERSION = /^apiVersion:[ \t]*(.+?)[ \t]*(?:#.*)?$/m;
const TOP_LEVEL_KIND = /^kind:[ \t]*(.+?)[ \t]*(?:#.*)?$/m;

function topLevelScalar(doc: string, pattern: RegExp): string | undefined {
  const match = pattern.exec(doc);
  return match?.[1]?.replace(/^(['"])(.*)\1$/, '$2');
}

/** Every `*.yaml` file under a folder, recursively, sorted; a missing folder has none. */
export async function listYamlFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const files: string[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listYamlFiles(full)));
    else if (entry.isFile() && entry.name.endsWith('.yaml')) files.push(full);
  }
  return files.sort();
}

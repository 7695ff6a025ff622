/**
 * Runs the pinned kubectl-validate binary offline: the apiserver's own validation (structural
 * schemas, formats, CEL `x-kubernetes-validations`) with native schemas from `--local-schemas`
 * and CRDs from `--local-crds`, `--output json`.
 *
 * The Kubernetes version comes from the local schemas (built from the pinned k8s.io/kubernetes
 * release of the cluster's minor), and `--version` is passed empty on purpose: kubectl-validate
 * v0.0.4 ships built-in schemas only up to 1.30 and, for any other `--version`, asks GitHub
 * (network) for them and fails the whole run when it cannot. The kubeconfig lookup is disabled
 * too, so no cluster is ever contacted.
 */
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ToolError } from '../errors.js';
import { argumentChunks, BATCH_NICENESS, lastLines, runProcess } from '../tools/process.js';
import { KUBECTL_VALIDATE_VERSION } from '../tools/versions.js';
import { mapLimit } from '../render/task-pool.js';
import { displayPath, identityOf, yamlChunks } from './documents.js';
import { countResults, sortResults, type EngineReport, type ResourceResult, type ResourceStatus } from './report.js';

export interface KubectlValidateRun {
  /** Path of the kubectl-validate binary (see `ensureGoTool`). */
  readonly binary: string;
  /** Absolute paths of the files to validate. */
  readonly files: readonly string[];
  /** Full Kubernetes version of the local schemas, `1.35.4` (reported, not passed). */
  readonly kubernetesVersion: string;
  /** `--local-schemas` folder (`api/v1.json`, `apis/<group>/<version>.json`). */
  readonly localSchemasDir: string;
  /**
   * CRD YAML files to load (`--local-crds`). kubectl-validate parses every CRD it is given on
   * each run, so pass those the files use (see `crdFilesFor`); for the same CRD in two files the
   * first one wins.
   */
  readonly crdFiles: readonly string[];
  /** Files are reported relative to this folder (the repository root). */
  readonly relativeTo: string;
  /** The files' texts when already read (else each is read again to pair its documents). */
  readonly texts?: ReadonlyMap<string, string>;
  readonly signal?: AbortSignal;
}

/** A `metav1.Status` as kubectl-validate prints it. */
interface Status {
  readonly status?: string;
  readonly message?: string;
  readonly reason?: string;
  readonly code?: number;
  readonly details?: { readonly causes?: readonly { readonly reason?: string; readonly message?: string; readonly field?: string }[] };
}


/** Validates the files and returns a typed report (every non-empty document). */
export async function runKubectlValidate(run: KubectlValidateRun): Promise<EngineReport> {
  // An empty kubeconfig and no in-cluster variables: kubectl-validate then never dials a cluster.
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'gitops-kubectl-validate-'));
  const env = { KUBECONFIG: path.join(scratch, 'no-kubeconfig'), KUBERNETES_SERVICE_HOST: '', KUBERNETES_SERVICE_PORT: '' };
  // --local-crds reads one folder: link the chosen files into a scratch one, numbered so that
  // later duplicates (read later, and so overriding) are never linked.
  const crdDir = path.join(scratch, 'crds');
  await mkdir(crdDir);
  const linked = new Set<string>();
  for (const [position, file] of run.crdFiles.entries()) {
    if (linked.has(path.basename(file))) continue;
    linked.add(path.basename(file));
    await symlink(file, path.join(crdDir, `${String(position).padStart(4, '0')}-${path.basename(file)}`));
  }
  const base = ['--output', 'json', '--version=', '--local-schemas', run.localSchemasDir, '--local-crds', crdDir];
  const results: ResourceResult[] = [];
  let exitCode = 0;
  try {
    // Chunks of at most a share of the files each, run side by side on every core.
    const parallel = Math.max(1, Math.min(os.availableParallelism(), Math.ceil(run.files.length / 200)));
    const chunks = [...argumentChunks(run.files, undefined, Math.ceil(run.files.length / parallel))];
    const perChunk = await mapLimit(chunks, parallel, async (chunk) => {
      const result = await runProcess(run.binary, [...chunk, ...base], { env, signal: run.signal, cwd: scratch, niceness: BATCH_NICENESS });
      let parsed: Record<string, Status[]>;
      try {
        parsed = JSON.parse(result.stdout) as Record<string, Status[]>;
      } catch {
        throw new ToolError(`kubectl-validate ${KUBECTL_VALIDATE_VERSION} failed (exit ${result.code}) without a JSON report:\n${lastLines(result.stderr || result.stdout, 10)}`);
      }
      if (result.code > 1) {
        throw new ToolError(`kubectl-validate ${KUBECTL_VALIDATE_VERSION} failed (exit ${result.code}):\n${lastLines(result.stderr, 10)}`);
      }
      const chunkResults: ResourceResult[] = [];
      for (const file of chunk) chunkResults.push(...fileResults(file, run.texts?.get(file) ?? (await readFile(file, 'utf8')), parsed[file] ?? [], run.relativeTo));
      return { code: result.code, results: chunkResults };
    });
    for (const { code, results: chunkResults } of perChunk) {
      exitCode = Math.max(exitCode, code);
      results.push(...chunkResults);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  sortResults(results);
  return { engine: 'kubectl-validate', engineVersion: KUBECTL_VALIDATE_VERSION, kubernetesVersion: run.kubernetesVersion, resources: results, counts: countResults(results), exitCode };
}

/** Pairs the statuses of one file with its documents (kubectl-validate names neither kind nor name). */
function fileResults(file: string, text: string, statuses: readonly Status[], relativeTo: string): ResourceResult[] {
  const chunksOfFile = yamlChunks(text);
  const shown = displayPath(relativeTo, file);
  const results: ResourceResult[] = [];
  if (statuses.length !== chunksOfFile.length) {
    // A file kubectl-validate could not split (YAML syntax): one status for the whole file.
    for (const status of statuses) {
      if (status.status === 'Success') continue;
      results.push({ file: shown, apiVersion: '', kind: '', name: '', status: 'error', msg: message(status) });
    }
    if (results.length === 0 && statuses.length > 0) {
      throw new ToolError(`kubectl-validate reported ${statuses.length} documents for ${shown}, which holds ${chunksOfFile.length}`);
    }
    return results;
  }
  let index = 0;
  chunksOfFile.forEach((chunk, position) => {
    if (chunk.empty) return;
    const status = statuses[position]!;
    const identity = identityOf(chunk.text);
    const verdict = classify(status);
    results.push({
      file: shown,
      index: index++,
      apiVersion: identity.apiVersion,
      kind: identity.kind,
      name: identity.name,
      status: verdict,
      msg: verdict === 'valid' ? '' : message(status),
    });
  });
  return results;
}

function classify(status: Status): ResourceStatus {
  if (status.status === 'Success') return 'valid';
  // 422 Invalid (schema, CEL) and 400 BadRequest (wrong YAML types) judge the document; anything
  // else (no schema for the kind, internal errors) means it could not be judged.
  if (status.code === 422 || status.code === 400 || status.reason === 'Invalid' || status.reason === 'BadRequest') return 'invalid';
  return 'error';
}

function message(status: Status): string {
  const causes = status.details?.causes ?? [];
  const text = causes.length > 0 ? causes.map((c) => (c.field ? `${c.field}: ${c.message ?? c.reason ?? ''}` : (c.message ?? c.reason ?? ''))).join('; ') : (status.message ?? status.reason ?? 'failed');
  return text.replace(/\s+/g, ' ').trim();
}

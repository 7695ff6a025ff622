/** What a validation engine says about each resource, in one shape for both engines. */

export type ResourceStatus = 'valid' | 'invalid' | 'error' | 'skipped';

/** One resource (one YAML document) as an engine judged it. */
export interface ResourceResult {
  /** Repository-relative path of the file (or the path given, when outside the repository). */
  readonly file: string;
  /** 0-based position of the document among the file's non-empty documents, when known. */
  readonly index?: number;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly status: ResourceStatus;
  /** Why, for anything but `valid`; one line. */
  readonly msg: string;
}

export interface ResourceCounts {
  readonly resources: number;
  readonly valid: number;
  readonly invalid: number;
  readonly errors: number;
  readonly skipped: number;
}

export type EngineName = 'kubeconform' | 'kubectl-validate' | 'kube-apiserver';

/** Every engine, in report order. */
export const ENGINE_NAMES: readonly EngineName[] = ['kubeconform', 'kubectl-validate', 'kube-apiserver'];

/** One engine's verdict over one set of files. */
export interface EngineReport {
  readonly engine: EngineName;
  /** Pinned version of the engine (`v0.8.0`). */
  readonly engineVersion: string;
  /** Kubernetes version the native schemas come from (`1.35.4`). */
  readonly kubernetesVersion: string;
  readonly resources: readonly ResourceResult[];
  readonly counts: ResourceCounts;
  /** The engine's exit code (0 when everything was valid). */
  readonly exitCode: number;
  /** How many verdicts came from the content cache instead of the engine (when it caches). */
  readonly cached?: number;
}

/** Counts the statuses of a list of results. */
export function countResults(results: readonly ResourceResult[]): ResourceCounts {
  const count = (status: ResourceStatus) => results.filter((r) => r.status === status).length;
  return { resources: results.length, valid: count('valid'), invalid: count('invalid'), errors: count('error'), skipped: count('skipped') };
}

/** True when an engine report holds anything but valid resources (skipped counts as failure). */
export function hasFailures(report: EngineReport): boolean {
  return report.counts.invalid + report.counts.errors + report.counts.skipped > 0;
}

/** `file: Kind/name: message` */
export function formatResult(result: ResourceResult): string {
  return `${result.file}: ${result.kind || '(no kind)'}/${result.name || '(no name)'}: ${result.status === 'skipped' ? 'skipped (every resource must be validated)' : result.msg}`;
}

/** Sorts results by file, document position, kind and name. */
export function sortResults(results: ResourceResult[]): ResourceResult[] {
  return results.sort((a, b) => a.file.localeCompare(b.file) || (a.index ?? 0) - (b.index ?? 0) || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
}

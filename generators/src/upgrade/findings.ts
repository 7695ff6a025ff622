/**
 * What an upgrade check found in one cluster's tree: the engines' verdicts at the target minor,
 * sorted into the kinds an upgrade cares about, each marked with whether the current minor says
 * the same (then `validate` fails on it today) or only the target does (then it must change
 * before the upgrade, in a way the current minor accepts too).
 */
import { splitProblems } from '../validate/apiserver/apiserver-engine.js';
import type { ClusterReport } from '../validate/engines.js';
import type { ResourceResult } from '../validate/report.js';

/**
 * - `rejected`: the target's API server refuses the object (its message);
 * - `not-served`: the target serves no such kind at that API version (a removed built-in version, or a CRD version not served);
 * - `schema`: kubeconform or kubectl-validate, with the target's schemas, finds it invalid or has no schema for it;
 * - `dropped`: the target's server drops fields on the way to storage;
 * - `second-apply`: a second apply of the same manifest changes the object (Argo CD would show it OutOfSync forever);
 * - `not-judged`: an engine could not judge it (never counted as passed);
 * - `deprecation`: a `Warning` the server returns that says something is deprecated, verbatim;
 * - `warning`: any other `Warning` the server returns, verbatim.
 */
export type FindingKind = 'rejected' | 'not-served' | 'schema' | 'dropped' | 'second-apply' | 'not-judged' | 'deprecation' | 'warning';

/** Kinds that block the upgrade, in report order; the warnings follow them. */
export const BLOCKING_KINDS: readonly FindingKind[] = ['rejected', 'not-served', 'schema', 'dropped', 'second-apply', 'not-judged'];
export const WARNING_KINDS: readonly FindingKind[] = ['deprecation', 'warning'];

export interface UpgradeFinding {
  readonly kind: FindingKind;
  /** Repository-relative file. */
  readonly file: string;
  readonly index?: number;
  /** `Kind/name` */
  readonly resource: string;
  readonly engine: string;
  /** The engine's or the server's words, verbatim (a warning's text as its header carries it). */
  readonly message: string;
  /** True when the current minor reports the same; false when only the target does. */
  readonly onCurrent: boolean;
}

export function blocks(finding: Pick<UpgradeFinding, 'kind'>): boolean {
  return BLOCKING_KINDS.includes(finding.kind);
}

/** Findings of one engine's result, without `onCurrent`. */
export function classify(engine: string, result: ResourceResult): Omit<UpgradeFinding, 'onCurrent'>[] {
  const base = { file: result.file, ...(result.index !== undefined ? { index: result.index } : {}), resource: `${result.kind || '(no kind)'}/${result.name || '(no name)'}`, engine };
  if (result.status === 'valid') return [];
  if (result.status === 'skipped') return [{ ...base, kind: 'not-judged', message: `skipped: ${result.msg || 'no verdict'}` }];
  if (engine !== 'kube-apiserver') return [{ ...base, kind: result.status === 'error' && !/schema/i.test(result.msg) ? 'not-judged' : 'schema', message: result.msg }];
  if (result.status === 'error') return [{ ...base, kind: result.msg.startsWith('the API server serves no ') ? 'not-served' : 'not-judged', message: result.msg }];
  const problems = splitProblems(result.msg);
  if (!problems) return [{ ...base, kind: 'rejected', message: result.msg }];
  return problems.map((problem) => ({
    ...base,
    kind: problem.kind === 'warning' ? (/\bdeprecated\b/i.test(problem.text) ? 'deprecation' : 'warning') : problem.kind === 'dropped' ? 'dropped' : 'second-apply',
    message: problem.text,
  }));
}

/** Every finding of a cluster at the target, each marked by whether the current minor's report has it too. */
export function upgradeFindings(target: ClusterReport, current: ClusterReport): UpgradeFinding[] {
  const key = (f: Omit<UpgradeFinding, 'onCurrent'>) => [f.engine, f.file, f.index ?? 0, f.resource, f.kind, f.message].join('\0');
  const today = new Set(current.engines.flatMap((engine) => engine.resources.flatMap((result) => classify(engine.engine, result))).map(key));
  const found: UpgradeFinding[] = target.problems.map((message) => ({ kind: 'not-judged', file: '', resource: '(cluster)', engine: 'validate', message, onCurrent: current.problems.includes(message) }));
  for (const engine of target.engines) {
    for (const result of engine.resources) for (const finding of classify(engine.engine, result)) found.push({ ...finding, onCurrent: today.has(key(finding)) });
  }
  const order = [...BLOCKING_KINDS, ...WARNING_KINDS];
  return found.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.file.localeCompare(b.file) || (a.index ?? 0) - (b.index ?? 0) || a.resource.localeCompare(b.resource) || a.engine.localeCompare(b.engine));
}

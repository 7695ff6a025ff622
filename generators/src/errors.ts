/**
 * Typed errors of the gitops CLI. Commands throw these; `cli/main.ts` is the only place that
 * turns them into messages and exit codes.
 *
 * Exit codes: 0 ok, 1 findings or invalid input, 2 usage or tool error, 3 data-loss risk (diff),
 * 130 interrupted (Ctrl-C).
 */

export const ExitCode = {
  ok: 0,
  findings: 1,
  usage: 2,
  dataLoss: 3,
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** One problem in one input file, located as precisely as the file allows. */
export interface InputIssue {
  /** Repository-relative path of the file to edit, e.g. `apps/user-service/production.yaml`. */
  readonly file: string;
  /** 1-based line, when the offending node could be located. */
  readonly line?: number;
  /** 1-based column, when the offending node could be located. */
  readonly column?: number;
  /** Dotted field path inside the file (`ports.0.port`), empty for the whole file. */
  readonly path: string;
  /** What is wrong and how to fix it, one sentence. */
  readonly message: string;
}

/**
 * Formats an issue as `file:line:col path: message`, the form editors and CI annotations link;
 * an issue of the whole file as `file: message`.
 */
export function formatIssue(issue: InputIssue): string {
  const where = issue.line ? `${issue.file}:${issue.line}:${issue.column ?? 1}` : issue.file;
  if (!issue.line && !issue.path) return `${where}: ${issue.message}`;
  const field = issue.path ? ` ${issue.path}:` : '';
  return `${where}${field} ${issue.message}`;
}

/** Base class: every error the CLI knows how to report. */
export abstract class GitopsError extends Error {
  abstract readonly exitCode: ExitCodeValue;
  /** Lines printed to stderr. */
  lines(): string[] {
    return [this.message];
  }
}

/** One or more input files are invalid. Carries every issue found in the run. */
export class InputError extends GitopsError {
  readonly exitCode = ExitCode.findings;
  constructor(readonly issues: readonly InputIssue[]) {
    super(`${issues.length} input error${issues.length === 1 ? '' : 's'}`);
    this.name = 'InputError';
  }
  override lines(): string[] {
    const sorted = [...this.issues].sort(compareIssues);
    return [...sorted.map(formatIssue), `${this.message}; nothing was written.`];
  }
}

function compareIssues(a: InputIssue, b: InputIssue): number {
  return a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0) || a.path.localeCompare(b.path) || a.message.localeCompare(b.message);
}

/** A check found problems in otherwise valid inputs (drift, invalid manifests, policy). */
export class FindingsError extends GitopsError {
  readonly exitCode = ExitCode.findings;
  constructor(summary: string, readonly details: readonly string[] = []) {
    super(summary);
    this.name = 'FindingsError';
  }
  override lines(): string[] {
    return [...this.details, this.message];
  }
}

/** The command line itself is wrong (unknown flag, missing argument, bad value). */
export class UsageError extends GitopsError {
  readonly exitCode = ExitCode.usage;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** An external tool or service failed (go, kubeconform, SSM, Argo Server, git). */
export class ToolError extends GitopsError {
  readonly exitCode = ExitCode.usage;
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'ToolError';
  }
  override lines(): string[] {
    return this.hint ? [this.message, `hint: ${this.hint}`] : [this.message];
  }
}

/** A command finished and wants a specific non-zero exit code without an error message. */
export class ExitWith extends GitopsError {
  constructor(readonly exitCode: ExitCodeValue, message = '') {
    super(message);
    this.name = 'ExitWith';
  }
  override lines(): string[] {
    return this.message ? [this.message] : [];
  }
}

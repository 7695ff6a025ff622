/**
 * `npm run lint:shell`: the real shellcheck over the shell scripts the repository renders: the EC2
 * user data of each k3s cluster (`clusters/<c>/rendered/**\/*.sh`).
 *
 * shellcheck is not a Go tool, so it cannot be pinned and installed like the validators: it comes
 * from the system (Debian package `shellcheck`; `.ci/run` installs it, GitHub's Ubuntu runners
 * have it). `npm test` does without it and parses the user data with shfmt's Go shell parser
 * instead; this lint is where shellcheck's judgement runs, and it fails clearly when shellcheck is
 * missing rather than skipping.
 *
 * Exit codes: 0 clean, 1 findings, 2 shellcheck missing or failing to run.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProcess } from './process.js';

/** Arguments every run uses: bash, every severity, one `file:line:col: level: message [SCxxxx]` line per finding. */
export const SHELLCHECK_ARGS = ['--shell=bash', '--severity=style', '--format=gcc'] as const;

/** Repository-relative paths of the rendered shell scripts, sorted. */
export async function shellScripts(root: string): Promise<string[]> {
  const scripts: string[] = [];
  const clusters = await readdir(path.join(root, 'clusters'), { withFileTypes: true }).catch(() => []);
  for (const cluster of clusters.filter((entry) => entry.isDirectory())) {
    const rendered = path.join(root, 'clusters', cluster.name, 'rendered');
    const files = await readdir(rendered, { recursive: true, encoding: 'utf8' }).catch(() => [] as string[]);
    for (const file of files.filter((f) => f.endsWith('.sh'))) scripts.push(path.posix.join('clusters', cluster.name, 'rendered', file.split(path.sep).join('/')));
  }
  return scripts.sort();
}

export interface LintShellResult {
  /** 0 clean, 1 findings, 2 shellcheck missing or broken. */
  readonly code: 0 | 1 | 2;
  /** What to print: findings, then one summary line (or why nothing could be checked). */
  readonly lines: readonly string[];
}

/** Runs shellcheck on the repository's shell scripts. `shellcheck` names the program (default: found on PATH). */
export async function lintShell(root: string, shellcheck = 'shellcheck'): Promise<LintShellResult> {
  const missing = {
    code: 2 as const,
    lines: [
      `lint:shell: ${shellcheck} is not on PATH, so the shell scripts were not checked.`,
      'Install it (Debian/Ubuntu: apt-get install -y shellcheck; macOS: brew install shellcheck); .ci/run installs it.',
    ],
  };
  const version = await runProcess(shellcheck, ['--version']).catch(() => undefined);
  if (!version || version.code !== 0) return missing;
  const scripts = await shellScripts(root);
  if (scripts.length === 0) return { code: 0, lines: ['lint:shell: no rendered shell scripts (no k3s cluster); nothing to check'] };
  const result = await runProcess(shellcheck, [...SHELLCHECK_ARGS, ...scripts], { cwd: root });
  const findings = `${result.stdout}${result.stderr}`.split('\n').filter((line) => line.trim() !== '');
  const shellcheckVersion = /^version: (.*)$/m.exec(version.stdout)?.[1] ?? 'unknown version';
  const summary = `lint:shell: shellcheck ${shellcheckVersion} on ${scripts.length} script${scripts.length === 1 ? '' : 's'} (${scripts.join(', ')})`;
  if (result.code === 0 && findings.length === 0) return { code: 0, lines: [`${summary}: clean`] };
  // shellcheck exits 1 with findings; anything else means it could not check (bad arguments, ...).
  if (result.code !== 1) return { code: 2, lines: [...findings, `${summary}: shellcheck failed (exit ${result.code})`] };
  return { code: 1, lines: [...findings, `${summary}: ${findings.length} finding${findings.length === 1 ? '' : 's'}`] };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // `npm run lint:shell` runs at the repository root; a root may also be given.
  const root = path.resolve(process.argv[2] ?? '.');
  const { code, lines } = await lintShell(root);
  for (const line of lines) (code === 0 ? console.log : console.error)(line);
  process.exitCode = code;
}

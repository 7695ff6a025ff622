import { run } from '../../src/cli/main.js';

/** What one CLI run printed, line by line, and its exit code. */
export interface CliResult {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
}

/** Runs the CLI in-process against a repository root and collects what it printed. */
export async function gitops(root: string, ...args: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(['--root', root, ...args], { out: (l) => out.push(l), err: (l) => err.push(l), isTTY: false, signal: new AbortController().signal });
  return { code, out, err };
}

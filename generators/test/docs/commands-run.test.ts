/**
 * Every command the documentation shows in a fenced `sh` block runs as written, against the built
 * CLI (generators/bin/gitops.js), offline, and exits 0. A block that cannot run here (it needs AWS,
 * a cluster, the network, or takes minutes) says so on the line before its fence:
 *   <!-- not run: needs AWS -->
 * A block that runs holds only `npx gitops ...` lines, without shell quoting or operators.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/temp-repo.js';
import { docPages, readPage, shellBlocks } from '../support/markdown.js';

const run = promisify(execFile);
const cli = path.join(repoRoot, 'generators/bin/gitops.js');

/** The arguments of a runnable line, or why it cannot be run here. */
function argumentsOf(command: string): string[] | string {
  if (!command.startsWith('npx gitops ')) return 'only `npx gitops ...` lines can be run; mark the block <!-- not run: why -->';
  if (/["'`$|&;<>()\\*?]/.test(command)) return 'shell quoting, operators or placeholders cannot be run as written; mark the block <!-- not run: why -->';
  return command.slice('npx gitops '.length).trim().split(/\s+/);
}

/** Every `sh` block of the pages, with where it is. */
async function blocks() {
  const found = [];
  for (const page of await docPages(repoRoot)) {
    const { blocks, misnamed } = shellBlocks(await readPage(repoRoot, page));
    for (const line of misnamed) found.push({ where: `${page}:${line}`, problem: 'write shell blocks as ```sh (so this test sees them)' });
    for (const block of blocks) found.push({ where: `${page}:${block.line}`, block });
  }
  return found;
}

describe('commands shown in the documentation', () => {
  it('reads blocks and their marks', () => {
    const text = ['```sh', 'npx gitops --help   # help', '# a comment', '```', '<!-- not run: needs AWS -->', '```sh', 'aws eks update-kubeconfig', '```', '```bash', 'ls', '```'].join('\n');
    expect(shellBlocks(text)).toEqual({
      blocks: [
        { line: 1, commands: ['npx gitops --help'] },
        { line: 6, commands: ['aws eks update-kubeconfig'], notRun: 'needs AWS' },
      ],
      misnamed: [9],
    });
    expect(argumentsOf('npx gitops validate --list-checks')).toEqual(['validate', '--list-checks']);
    expect(argumentsOf('kubectl get pods')).toMatch(/only `npx gitops/);
    expect(argumentsOf('npx gitops diff --base <ref>')).toMatch(/placeholders/);
  });

  it('Pass when every sh block is marked not run or runs offline and exits 0', { timeout: 120_000 }, async () => {
    const problems: string[] = [];
    let ran = 0;
    for (const found of await blocks()) {
      if ('problem' in found) {
        problems.push(`${found.where}: ${found.problem}`);
        continue;
      }
      if (found.block.notRun) continue;
      for (const command of found.block.commands) {
        const args = argumentsOf(command);
        if (typeof args === 'string') {
          problems.push(`${found.where} ${command}: ${args}`);
          continue;
        }
        const result = await run(process.execPath, [cli, ...args], { cwd: repoRoot, timeout: 60_000 }).then(
          () => 0,
          (error: { code?: number; stderr?: string }) => `exit ${error.code}: ${String(error.stderr ?? '').split('\n').slice(0, 5).join(' / ')}`,
        );
        ran++;
        if (result !== 0) problems.push(`${found.where} ${command}: ${result}`);
      }
    }
    expect(problems).toEqual([]);
    expect(ran).toBeGreaterThan(0);
  });
});

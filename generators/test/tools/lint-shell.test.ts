/**
 * `npm run lint:shell`: shellcheck over the rendered EC2 user data. shellcheck is a system package,
 * not something npm or Go installs, so `npm test` checks the lint's contract without it and runs
 * the real shellcheck only where it is installed (`.ci/run` installs it and also runs the lint).
 */
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { lintShell, shellScripts } from '../../src/tools/lint-shell.js';
import { runProcess } from '../../src/tools/process.js';
import { repoRoot, tempRepo, type TempRepo } from '../support/temp-repo.js';

const hasShellcheck = !spawnSync('shellcheck', ['--version']).error;

let repo: TempRepo | undefined;
afterEach(async () => {
  await repo?.cleanup();
  repo = undefined;
});

describe('npm run lint:shell', () => {
  it('checks the EC2 user data rendered for every k3s cluster', async () => {
    expect(await shellScripts(repoRoot)).toEqual(['clusters/staging/rendered/bootstrap/user-data.sh']);
  });

  it('Fail clearly when shellcheck is not on PATH: exit 2, nothing checked, how to install it', async () => {
    // The lint run by node, with a PATH (an empty folder) on which no shellcheck can be found.
    repo = await tempRepo();
    const result = await runProcess(process.execPath, ['--import', 'tsx', 'generators/src/tools/lint-shell.ts', repoRoot], {
      cwd: repoRoot,
      env: { PATH: repo.root },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('lint:shell: shellcheck is not on PATH, so the shell scripts were not checked.');
    expect(result.stderr).toContain('apt-get install -y shellcheck');
  });

  it.skipIf(!hasShellcheck)('with shellcheck installed: the rendered user data is clean, and a broken script fails with file:line:col (the check is real)', async () => {
    expect(await lintShell(repoRoot)).toMatchObject({ code: 0 });
    repo = await tempRepo();
    await repo.write('clusters/edge/rendered/bootstrap/user-data.sh', '#!/usr/bin/env bash\nfor f in $(ls /tmp); do echo $f; done\n');
    const result = await lintShell(repo.root);
    expect(result.code).toBe(1);
    expect(result.lines.join('\n')).toMatch(/^clusters\/edge\/rendered\/bootstrap\/user-data\.sh:2:\d+: \w+: .*\[SC(2045|2086)\]$/m);
  });
});

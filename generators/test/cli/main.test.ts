import { describe, expect, it } from 'vitest';
import { commandsFor, loadCommands } from '../../src/cli/commands.js';
import { run } from '../../src/cli/main.js';
import { gitops as runCli } from '../support/cli.js';
import { repoRoot, tempRepo } from '../support/temp-repo.js';

async function gitops(...args: string[]) {
  const result = await runCli(repoRoot, ...args);
  return { code: result.code, out: result.out.join('\n'), err: result.err.join('\n') };
}

const commands = await loadCommands();

describe('gitops CLI', () => {
  it('lists every command of the command table in --help', async () => {
    const result = await gitops('--help');
    expect(result.code).toBe(0);
    for (const spec of commands) expect(result.out).toContain(spec.name.split(' ')[0]);
  });

  for (const spec of commands) {
    it(`has --help on "${spec.name}"`, async () => {
      const result = await gitops(...spec.name.split(' '), '--help');
      expect(result.code).toBe(0);
      expect(result.out.replace(/\s+/g, ' ')).toContain(spec.summary.replace(/\s+/g, ' '));
    });
  }

  it('loads only the command that runs (start-up stays short), every command for help or an unknown one', async () => {
    expect((await commandsFor(['--root', '/x', 'diff', '--base', 'HEAD'])).map((spec) => spec.name)).toEqual(['diff']);
    expect((await commandsFor(['params', 'pull', '--cluster', 'staging'])).map((spec) => spec.name)).toEqual(['params pull']);
    expect(await commandsFor(['--help'])).toHaveLength(commands.length);
    expect(await commandsFor(['rendr'])).toHaveLength(commands.length);
  });

  it('takes the checkout lock each command needs: writers one at a time, readers of the rendered trees beside them', () => {
    const access = (name: string, options: Record<string, unknown> = {}) => {
      const { checkout } = commands.find((spec) => spec.name === name)!;
      return typeof checkout === 'function' ? checkout(options) : checkout;
    };
    for (const name of ['render', 'deploy', 'promote', 'params pull', 'schemas']) expect(access(name), name).toBe('writes');
    expect(access('render', { check: true })).toBe('reads');
    expect(access('schemas', { check: true })).toBe('none');
    for (const name of ['validate', 'diff']) expect(access(name), name).toBe('reads');
    for (const name of ['verify', 'rehearse']) expect(access(name), name).toBe('none');
  });

  it('exits 2 on an unknown command or option, with a usage hint', async () => {
    const unknownCommand = await gitops('rendr');
    expect(unknownCommand.code).toBe(2);
    expect(unknownCommand.err).toMatch(/unknown command 'rendr'/);
    const unknownOption = await gitops('render', '--chek');
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.err).toMatch(/unknown option '--chek'/);
    expect(unknownOption.err).toMatch(/--help/);
  });

  it('exits 1 with located errors on invalid input (one place turns errors into exit codes)', async () => {
    const repo = await tempRepo({ fromExample: true });
    try {
      // Line 5 of the override: the `replicas` field.
      await repo.write('apps/user-service/production.yaml', (await repo.read('apps/user-service/production.yaml')).replace('replicas: 3', 'replicas: 0'));
      const err: string[] = [];
      const out: string[] = [];
      const code = await run(['--root', repo.root, 'render'], { out: (l) => out.push(l), err: (l) => err.push(l), isTTY: false, signal: new AbortController().signal });
      expect(code).toBe(1);
      expect(out).toEqual([]);
      expect(err).toEqual(['apps/user-service/production.yaml:5:1 replicas: must be >= 1', '1 input error; nothing was written.']);
    } finally {
      await repo.cleanup();
    }
    const missing: string[] = [];
    expect(await run(['--root', '/nonexistent-gitops-root', 'render'], { out: () => undefined, err: (l) => missing.push(l), isTTY: false, signal: new AbortController().signal })).toBe(1);
    expect(missing).toEqual([
      'clusters/: no clusters: add clusters/<name>/cluster.yaml',
      expect.stringMatching(/^clusters\/addons\.yaml: missing: /),
      '2 input errors; nothing was written.',
    ]);
  });
});

/**
 * `gitops rehearse` without its one prerequisite beyond Node, npm and Go (redis-server): it fails
 * at once, naming the package, and starts nothing. Runs in `npm test` on a machine without Redis:
 * PATH is narrowed to a folder holding only what the CLI needs before it would start Argo CD.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArgoCdBuild } from '../../src/tools/argocd-build.js';
import type { ControlPlaneBinaries } from '../../src/tools/control-plane-build.js';
import { rehearse } from '../../src/rehearse/rehearsal.js';
import { runProcess } from '../../src/tools/process.js';
import { repoRoot } from '../support/temp-repo.js';

let bin: string;
beforeAll(async () => {
  bin = await mkdtemp(path.join(os.tmpdir(), 'gitops-no-redis-'));
  for (const tool of ['sh', 'git']) {
    const found = (await runProcess('sh', ['-c', `command -v ${tool}`])).stdout.trim();
    await symlink(found, path.join(bin, tool));
  }
});

afterAll(async () => {
  await rm(bin, { recursive: true, force: true });
});

describe('rehearse without redis-server', () => {
  it('Fail at once when the CLI runs without redis-server on PATH: exit 2, the package named, no process left', async () => {
    const started = Date.now();
    const cli = spawn(process.execPath, [path.join(repoRoot, 'generators/bin/gitops.js'), '--root', repoRoot, 'rehearse', '--cluster', 'staging'], {
      env: { ...process.env, PATH: bin },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    cli.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => cli.on('exit', resolve));
    expect(code, stderr).toBe(2);
    expect(stderr).toContain('redis-server is not installed');
    expect(stderr).toContain('apt-get install redis-server');
    expect(stderr).not.toMatch(/building|started|internal error/);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('Fail at once when rehearse() is called without redis-server: rejected before any server starts', async () => {
    const saved = process.env['PATH'];
    process.env['PATH'] = bin;
    const started: string[] = [];
    try {
      const unused = '/nonexistent/never-started';
      const binaries: ControlPlaneBinaries = { kubeApiserver: unused, kubernetesRelease: 'v1.35.4', etcd: unused, etcdVersion: 'v3.6.6' };
      const argocd: ArgoCdBuild = { binary: unused, release: 'v3.5.3', moduleDir: unused };
      await expect(rehearse({ repo: repoRoot, cluster: 'staging', commit: 'HEAD' }, { binaries, argocd, crdSources: [], cacheRoot: repoRoot, log: (line) => started.push(line) })).rejects.toThrow(/redis-server is not installed/);
    } finally {
      process.env['PATH'] = saved;
    }
    expect(started).toEqual([]);
  });
});

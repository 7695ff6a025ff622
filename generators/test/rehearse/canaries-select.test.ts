import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROLLOUTS_ADDON_FILE, touchedCanaries } from '../../src/rehearse/canaries.js';
import { runProcess } from '../../src/tools/process.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

const rendered = (file: string) => path.join(dir!, 'clusters', 'production', 'rendered', file);
const rollout = (name: string, image: string) => `apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: { name: ${name}, namespace: ${name} }\nspec:\n  strategy:\n    canary: { steps: [{ setWeight: 10 }] }\n  template: { spec: { containers: [{ name: main, image: "${image}" }] } }\n`;
async function write(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(rendered(file)), { recursive: true });
  await writeFile(rendered(file), text);
}
async function commit(): Promise<string> {
  for (const args of [['add', '-A'], ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'c']]) await runProcess('git', args, { cwd: dir });
  return (await runProcess('git', ['rev-parse', 'HEAD'], { cwd: dir })).stdout.trim();
}

describe('which canaries a change rehearses', () => {
  it('every canary without a base; with one, the services whose rendered folder changed; all when the Rollouts add-on changed', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'gitops-canaries-'));
    await runProcess('git', ['init', '-q', '-b', 'main'], { cwd: dir });
    await write('apps/api/rollout.api.yaml', rollout('api', 'r/api:1'));
    await write('apps/web/rollout.web.yaml', rollout('web', 'r/web:1'));
    await write('apps/jobs/deployment.jobs.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: jobs, namespace: jobs }\n');
    await write(ROLLOUTS_ADDON_FILE, 'kind: Application\nmetadata: { name: addon-argo-rollouts }\n');
    const base = await commit();
    expect((await touchedCanaries(dir, 'production', base)).services.map((s) => s.name)).toEqual(['api', 'web']);
    await write('apps/web/rollout.web.yaml', rollout('web', 'r/web:2'));
    await write('apps/jobs/deployment.jobs.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: jobs, namespace: jobs, labels: { a: b } }\n');
    const head = await commit();
    const touched = await touchedCanaries(dir, 'production', head, base);
    expect(touched.services.map((s) => s.name)).toEqual(['web']);
    expect(touched.why).toBe('services changed: jobs, web');
    await write(ROLLOUTS_ADDON_FILE, 'kind: Application\nmetadata: { name: addon-argo-rollouts, labels: { a: b } }\n');
    const addon = await commit();
    expect((await touchedCanaries(dir, 'production', addon, head)).services.map((s) => s.name)).toEqual(['api', 'web']);
    expect((await touchedCanaries(dir, 'production', addon, addon)).services).toEqual([]);
  });
});

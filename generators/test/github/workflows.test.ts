import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ensureGoTool } from '../../src/tools/go.js';
import { runProcess } from '../../src/tools/process.js';
import { repoRoot } from '../support/temp-repo.js';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/**
 * The GitHub Actions workflows, checked by the real actionlint (pinned in tools/versions.ts,
 * installed with `go install` on first use), plus the hardening rules actionlint does not know.
 */

const SLOW = { timeout: 600_000 };
const workflowsDir = path.join(repoRoot, '.github', 'workflows');
const brokenFixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'broken-workflow.yaml');

async function workflowFiles(): Promise<string[]> {
  return (await readdir(workflowsDir)).filter((name) => /\.ya?ml$/.test(name)).map((name) => path.join(workflowsDir, name));
}

async function actionlint(...files: string[]) {
  const binary = await ensureGoTool('actionlint', repoRoot);
  // -shellcheck= and -pyflakes= use the tools when they are on PATH (CI runners have shellcheck).
  return runProcess(binary, ['-no-color', '-oneline', ...files], { cwd: repoRoot });
}

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  on?: Record<string, unknown>;
  permissions?: unknown;
  concurrency?: { group?: string };
  jobs: Record<string, { permissions?: unknown; steps?: Step[]; needs?: string[]; if?: string }>;
}

describe('GitHub Actions workflows', () => {
  it('Pass when actionlint checks .github/workflows/*.yaml', SLOW, async () => {
    const files = await workflowFiles();
    expect(files.length).toBeGreaterThan(0);
    const result = await actionlint(...files);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('Fail when actionlint checks a broken workflow', SLOW, async () => {
    const result = await actionlint(brokenFixture);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('unknown Webhook event "pull_requests"');
    expect(result.stdout).toMatch(/job "build" needs job "lint" which does not exist/);
    expect(result.stdout).toContain('"github.event.pull_request.title" is potentially untrusted');
  });

  it('pins every action by full commit SHA with a version comment, and keeps credentials out of .git', async () => {
    for (const file of await workflowFiles()) {
      const text = await readFile(file, 'utf8');
      for (const line of text.split('\n').filter((l) => /^\s*(-\s+)?uses:/.test(l))) {
        expect(line, `${path.basename(file)}: ${line.trim()}`).toMatch(/uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
      }
      const workflow = parse(text) as Workflow;
      for (const [name, job] of Object.entries(workflow.jobs)) {
        for (const step of job.steps ?? []) {
          if (step.uses?.startsWith('actions/checkout@')) expect(step.with?.['persist-credentials'], `${name}: checkout`).toBe(false);
        }
      }
    }
  });

  it('pr.yaml: no default token permissions, each job its own minimal set, one concurrency group per PR, one final required job', async () => {
    const workflow = parse(await readFile(path.join(workflowsDir, 'pr.yaml'), 'utf8')) as Workflow;
    expect(workflow.permissions).toEqual({});
    expect(workflow.concurrency?.group).toContain('github.event.pull_request.number');
    const writers = Object.entries(workflow.jobs).filter(([, job]) => JSON.stringify(job.permissions ?? {}).includes('write'));
    expect(writers.map(([name]) => name)).toEqual(['comment']);
    // The job holding a write token runs no repository code: it never checks out or installs.
    for (const step of workflow.jobs['comment']!.steps ?? []) expect(step.uses ?? '').not.toMatch(/checkout|setup-node/);
    for (const job of Object.values(workflow.jobs)) expect(job.permissions, 'every job declares its permissions').toBeDefined();
    const final = workflow.jobs['pr-ok']!;
    expect(final.if).toBe('always()');
    expect([...(final.needs ?? [])].sort()).toEqual(Object.keys(workflow.jobs).filter((name) => name !== 'pr-ok').sort());
  });

  it('upgrade-check.yaml: weekly and on demand, no default token permissions, the only writer (issues) runs no repository code', async () => {
    const text = await readFile(path.join(workflowsDir, 'upgrade-check.yaml'), 'utf8');
    const workflow = parse(text) as Workflow;
    expect(Object.keys(workflow.on ?? {}).sort()).toEqual(['schedule', 'workflow_dispatch']);
    expect(workflow.permissions).toEqual({});
    for (const job of Object.values(workflow.jobs)) expect(job.permissions, 'every job declares its permissions').toBeDefined();
    expect(workflow.jobs['check']!.permissions).toEqual({ contents: 'read' });
    const writers = Object.entries(workflow.jobs).filter(([, job]) => JSON.stringify(job.permissions ?? {}).includes('write'));
    expect(writers.map(([name, job]) => [name, job.permissions])).toEqual([['issues', { issues: 'write' }]]);
    for (const step of workflow.jobs['issues']!.steps ?? []) expect(step.uses ?? '').not.toMatch(/checkout|setup-node/);
    expect(text).toContain('gitops.js upgrade-check --report-dir');
  });
});

/**
 * The rehearsal's copy of a commit: the AppProjects' sync windows set aside (so a rehearsal of
 * production passes at any hour), every other byte as committed. Real git, real commits.
 */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { commitWithoutSyncWindows, summarizeSetAside, withoutSyncWindows } from '../../src/rehearse/sync-windows-aside.js';
import { runProcess } from '../../src/tools/process.js';
import { repoRoot } from '../support/temp-repo.js';

async function git(cwd: string, ...args: string[]): Promise<string> {
  const result = await runProcess('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], { cwd });
  if (result.code !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

describe("the rehearsal's copy of a commit without sync windows", () => {
  let work: string;
  let bare: string;
  let commit: string;
  const rendered = 'clusters/production/rendered';

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'gitops-windows-test-'));
    const repo = path.join(work, 'repo');
    await cp(path.join(repoRoot, rendered), path.join(repo, rendered), { recursive: true });
    await git(repo, 'init', '-q', '-b', 'main');
    await git(repo, 'add', '-A');
    await git(repo, 'commit', '-q', '-m', 'production');
    commit = await git(repo, 'rev-parse', 'HEAD');
    bare = path.join(work, 'bare.git');
    await git(work, 'clone', '-q', '--bare', repo, bare);
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("Pass: production's projects lose their windows, reported; every other file keeps its blob", async () => {
    const copy = await commitWithoutSyncWindows(bare, commit, rendered);
    expect(copy.commit).not.toBe(commit);
    expect(await git(bare, 'rev-parse', `${copy.commit}^`)).toBe(commit);
    const projects = copy.setAside.map((s) => s.project).sort();
    expect(projects).toEqual(['app-course-service', 'app-frontend', 'app-notification-service', 'app-payment-service', 'app-user-service', 'infra']);
    expect(summarizeSetAside(copy.setAside)).toEqual([
      'allow "0 7 * * 1-5" for 11h (Europe/Dublin), manual sync allowed: projects app-course-service, app-frontend, app-notification-service, app-payment-service, app-user-service, infra',
    ]);
    const changed = (await git(bare, 'diff', '--name-only', commit, copy.commit)).split('\n').sort();
    expect(changed).toEqual(copy.setAside.map((s) => s.file).sort());
    for (const file of changed) {
      const before = parse(await git(bare, 'show', `${commit}:${file}`)) as { spec: Record<string, unknown> };
      const after = parse(await git(bare, 'show', `${copy.commit}:${file}`)) as { spec: Record<string, unknown> };
      expect(after.spec['syncWindows']).toBeUndefined();
      const { syncWindows, ...rest } = before.spec;
      expect(syncWindows).toBeDefined();
      expect(after).toEqual({ ...before, spec: rest });
    }
  });

  it('Pass: a commit without windows is synced as it is', async () => {
    const copy = await commitWithoutSyncWindows(bare, commit, `${rendered}/apps`);
    expect(copy).toEqual({ commit, setAside: [] });
  });

  it('Pass: a file of several documents loses only the AppProject windows', async () => {
    const text = await readFile(path.join(repoRoot, rendered, 'argocd/appproject.infra.yaml'), 'utf8');
    const other = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keep\ndata:\n  syncWindows: "not an AppProject"\n';
    const edited = withoutSyncWindows('x.yaml', `${text}---\n${other}`);
    expect(edited.setAside.map((s) => s.project)).toEqual(['infra']);
    expect(edited.text).toContain('syncWindows: "not an AppProject"');
    expect(edited.text.match(/syncWindows/g)).toHaveLength(1);
  });
});

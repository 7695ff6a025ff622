/**
 * The rehearsal against the real thing: Argo CD (the release the clusters install, built once into
 * .tools/), Redis, kube-apiserver and etcd. Each failure class is a small repository fixture
 * (fixtures/<class>/, laid over fixtures/common/ as clusters/fixture/rendered/) with its own
 * Applications; the four failure classes share one run (one Argo CD, ~1 min) and each asserts its
 * own verdict. The service removal fixture is rehearsed with a base commit.
 *
 * Part of `npm run test:rehearse` (not `npm test`): it needs redis-server, checked first, so a
 * machine without it fails at once with the package to install.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAddonCatalogue } from '../../src/inputs/addons.js';
import { argoCdRelease } from '../../src/inputs/releases.js';
import { ensureArgoCd, type ArgoCdBuild } from '../../src/tools/argocd-build.js';
import { ensureControlPlane, type ControlPlaneBinaries } from '../../src/tools/control-plane-build.js';
import { runProcess } from '../../src/tools/process.js';
import { findRedis } from '../../src/rehearse/argocd-processes.js';
import { rehearse, type RehearsalResult } from '../../src/rehearse/rehearsal.js';
import { formatRehearsal, rehearsalPasses } from '../../src/rehearse/report.js';
import { passes, type AppVerdict } from '../../src/rehearse/verdict.js';
import { addonCrdSources, ensureCrdSources, type PreparedCrdSource } from '../../src/validate/crd-sources.js';
import { repoRoot, tempRepo, type TempRepo } from '../support/temp-repo.js';

const SLOW = { timeout: 900_000 };
const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
let argocd: ArgoCdBuild;
let binaries: ControlPlaneBinaries;
let crdSources: PreparedCrdSource[];
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  await findRedis();
  const { catalogue } = await readAddonCatalogue(repoRoot);
  argocd = await ensureArgoCd(repoRoot, argoCdRelease(catalogue!));
  binaries = await ensureControlPlane(repoRoot, '1.35');
  crdSources = await ensureCrdSources(repoRoot, addonCrdSources(catalogue!));
}, 3_600_000);

afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

async function git(cwd: string, ...args: string[]): Promise<string> {
  const result = await runProcess('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], { cwd });
  if (result.code !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

/** A Git repository with fixtures/common and the given classes as clusters/fixture/rendered/, committed. */
async function fixtureRepo(classes: readonly string[]): Promise<{ dir: string; commit: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gitops-rehearse-fixture-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const rendered = path.join(dir, 'clusters', 'fixture', 'rendered');
  for (const name of ['common', ...classes]) await cp(path.join(fixtures, name), rendered, { recursive: true });
  await git(dir, 'init', '-q', '-b', 'main');
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', 'fixture');
  return { dir, commit: await git(dir, 'rev-parse', 'HEAD') };
}

function app(result: RehearsalResult, name: string): AppVerdict {
  const found = result.head.apps.find((a) => a.name === name);
  expect(found, `Application ${name} exists (${result.head.apps.map((a) => a.name).join(', ')})`).toBeDefined();
  return found!;
}

/** Everything Argo CD said about an Application, as one text. */
function said(verdict: AppVerdict): string {
  return [verdict.operationMessage, ...verdict.conditions.map((c) => `${c.type}: ${c.message}`), ...verdict.results.map((r) => `${r.status} ${r.resource}: ${r.message}`)].join('\n');
}

describe('the rehearsal: each failure class gets its verdict from the real Argo CD', () => {
  let result: RehearsalResult;
  let report: string;

  beforeAll(async () => {
    const repo = await fixtureRepo(['project-denies-kind', 'shared-resource', 'wave-blocked', 'perpetual-diff']);
    result = await rehearse({ repo: repo.dir, cluster: 'fixture', commit: repo.commit }, { binaries, crdSources, argocd, cacheRoot: repoRoot, settleSeconds: 240 });
    report = formatRehearsal(result).join('\n');
  }, 900_000);

  it('Fail when any class fails; the root app-of-apps itself syncs', () => {
    expect(rehearsalPasses(result), report).toBe(false);
    expect(passes(app(result, 'root')), report).toBe(true);
  });

  it("Pass when the API server keeps the status the running Argo CD writes: its CRDs are the release's own, so the root is marked an app of apps (a v3.4.4 CRD prunes status.summary.isAppOfApps)", () => {
    expect(app(result, 'root').appOfApps, report).toBe(true);
    expect(app(result, 'narrow').appOfApps).toBe(false);
  });

  it('Fail when a project does not permit a kind: the ServiceAccount is refused by project narrow', () => {
    const narrow = app(result, 'narrow');
    expect(passes(narrow), report).toBe(false);
    expect(said(narrow)).toMatch(/ServiceAccount.*not permitted in project narrow|not permitted in project narrow/);
    expect(report).toContain('narrow (project narrow)');
  });

  it('Fail when two Applications own one object (FailOnSharedResource)', () => {
    const failing = [app(result, 'shared-one'), app(result, 'shared-two')].filter((a) => !passes(a));
    expect(failing.length, report).toBeGreaterThanOrEqual(1);
    expect(failing.map(said).join('\n')).toMatch(/ConfigMap\/common is part of applications? argocd\/shared-(one|two)/);
  });

  it('Fail when a wave waits for a predecessor that never gets healthy: the later wave is never applied', () => {
    const waves = app(result, 'waves');
    expect(passes(waves), report).toBe(false);
    expect(waves.blocked).toBe(true);
    expect(waves.operationMessage).toContain('waiting for healthy state of /PersistentVolumeClaim/data');
    expect(waves.resources.find((r) => r.name === 'after')?.status).toBe('OutOfSync');
  });

  it('Fail when a field the API server drops keeps the Application OutOfSync (perpetual diff)', () => {
    const drift = app(result, 'drift');
    expect(drift.perpetualDiff, report).toBe(true);
    expect(passes(drift)).toBe(false);
    expect(report).toMatch(/drift \(project drift\): .*perpetual diff/);
  });
});

describe('the rehearsal with a base commit', () => {
  it('Pass with the base, then report the removed service as the deletion Argo CD does', SLOW, async () => {
    const repo = await fixtureRepo(['service-removal']);
    await rm(path.join(repo.dir, 'clusters/fixture/rendered/apps/beta'), { recursive: true });
    await git(repo.dir, 'add', '-A');
    await git(repo.dir, 'commit', '-q', '-m', 'remove beta');
    const head = await git(repo.dir, 'rev-parse', 'HEAD');
    const result = await rehearse({ repo: repo.dir, cluster: 'fixture', commit: head, baseCommit: repo.commit }, { binaries, crdSources, argocd, cacheRoot: repoRoot, settleSeconds: 240 });
    const report = formatRehearsal(result).join('\n');
    expect(result.base!.apps.map((a) => a.name)).toEqual(['app-alpha', 'app-beta', 'root']);
    expect(result.base!.apps.every(passes), report).toBe(true);
    expect(rehearsalPasses(result), report).toBe(true);
    const beta = result.move!.deletedApps.find((d) => d.app === 'app-beta');
    expect(beta, report).toBeDefined();
    expect(beta!.cascade).toBe(true);
    expect(beta!.gone).toContain('ConfigMap beta/settings');
    expect(report).toContain('app-beta: Application deleted (its folder is gone); Argo CD deletes its 2 resources');
  });
});

/** Processes whose command line mentions `text`. */
function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

/** True while the process runs (a zombie waiting to be reaped has ended). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Descendants of a process (children, their children, ...). */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) for (const child of parents.get(queue.shift()!) ?? []) found.push(child), queue.push(child);
  return found;
}

async function eventually(check: () => boolean, seconds: number): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (check()) return true;
    await sleep(250);
  }
  return check();
}

describe('gitops rehearse stops every process it started', () => {
  let repo: TempRepo;
  beforeAll(async () => {
    repo = await tempRepo({ fromExample: true, withRendered: true });
    cleanups.push(() => repo.cleanup());
    await git(repo.root, 'init', '-q', '-b', 'main');
    await git(repo.root, 'add', '-A');
    await git(repo.root, 'commit', '-q', '-m', 'example');
  }, 120_000);

  /** Starts the CLI and waits until Argo CD's controller runs under it; returns its process tree. */
  async function startRehearsal(stdio: 'ignore' | 'pipe') {
    const cli = spawn(process.execPath, [path.join(repoRoot, 'generators/bin/gitops.js'), '--root', repo.root, 'rehearse', '--cluster', 'staging'], {
      env: { ...process.env, GITOPS_CACHE_ROOT: repoRoot },
      stdio: ['ignore', 'ignore', stdio],
    });
    let stderr = '';
    cli.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let exitCode: number | null | undefined;
    const exited = new Promise<number | null>((resolve) => cli.on('exit', (code) => resolve((exitCode = code))));
    // Stop waiting as soon as the CLI ends (a missing prerequisite, a failed start).
    const running = await eventually(() => exitCode !== undefined || descendants(cli.pid!).some((pid) => readCmdline(pid).includes('guard-application-controller')), 240);
    expect(running && exitCode === undefined, `the CLI started Argo CD (it exited ${exitCode}: ${stderr})`).toBe(true);
    const tree = descendants(cli.pid!);
    const workDirs = processesMentioning('gitops-argocd-').flatMap((pid) => /(\S*gitops-argocd-[^/\s]+)/.exec(readCmdline(pid))?.[1] ?? []);
    return { cli, exited, tree, workDirs, stderr: () => stderr };
  }

  it('Pass when the CLI is killed (SIGKILL): Argo CD, Redis, the API server and their folders go', SLOW, async () => {
    const run = await startRehearsal('ignore');
    run.cli.kill('SIGKILL');
    await run.exited;
    expect(await eventually(() => run.tree.every((pid) => !alive(pid)), 30)).toBe(true);
    expect(await eventually(() => run.workDirs.every((dir) => !existsSync(dir)), 10)).toBe(true);
  });

  it('Pass when the CLI is interrupted (SIGINT): exit 130, every process stopped', SLOW, async () => {
    const run = await startRehearsal('pipe');
    run.cli.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.stderr()).toContain('interrupted');
    expect(run.tree.filter(alive)).toEqual([]);
    expect(run.workDirs.filter((dir) => existsSync(dir))).toEqual([]);
  });
});

function readCmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

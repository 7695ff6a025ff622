/**
 * The pull-request loop of `npm run bench`: on a synthetic platform, one service's image tag
 * changes and each step a developer (and CI) runs then is timed as a fresh `gitops` process, from
 * spawn to exit (wall time; and the process's own CPU time, which other work on a shared machine
 * disturbs far less). Steps run in order on the same working tree; each repetition changes another
 * service, and its result is committed before the next, so every `diff --base HEAD` sees one
 * service's change. A step is one entry of `prLoopSteps`: add one there to measure it too.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exampleRoot } from './synthetic-repo.js';

/** One step of the loop: the CLI arguments, and a check of what it printed (throws when the step did not do its job). */
export interface PrLoopStep {
  readonly name: string;
  readonly args: readonly string[];
  /** Exit codes that mean the step worked. */
  readonly okCodes?: readonly number[];
  /** What the step reported, for the bench line (e.g. `2 charts synthesized`); throws on a wrong result. */
  readonly summarize: (stdout: string) => string;
}

export const prLoopSteps: readonly PrLoopStep[] = [
  {
    name: 'render',
    args: ['render'],
    summarize: (stdout) => {
      const match = /: (\d+) written, \d+ unchanged, (\d+) removed; (\d+) charts? synthesized, (\d+) from the render cache/.exec(stdout);
      if (!match) throw new Error(`render printed: ${stdout}`);
      return `${match[3]} charts synthesized, ${match[4]} from the render cache, ${match[1]} files written`;
    },
  },
  {
    name: 'render --check',
    args: ['render', '--check'],
    summarize: (stdout) => {
      if (!/rendered tree is up to date/.test(stdout)) throw new Error(`render --check printed: ${stdout}`);
      return 'up to date';
    },
  },
  {
    name: 'validate',
    args: ['validate'],
    summarize: (stdout) => {
      const ok = /^validate ok: .*$/m.exec(stdout)?.[0];
      if (!ok) throw new Error(`validate printed: ${stdout.slice(-2000)}`);
      return 'kubeconform, kubectl-validate, kube-apiserver, policies: ok';
    },
  },
  {
    name: 'diff --base HEAD',
    args: ['diff', '--base', 'HEAD'],
    summarize: (stdout) => {
      const plan = /Plan: .*/.exec(stdout)?.[0];
      if (!plan || !/ 0 to add, [1-9]\d* to change, 0 to destroy/.test(plan)) throw new Error(`diff printed: ${stdout.slice(0, 2000)}`);
      return plan;
    },
  },
];

const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cli-worker.js');

function git(root: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

interface Run {
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly rssMb: number;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `gitops` in a fresh process (`cli-worker`); its wall time from spawn to exit, its CPU time and what it printed. */
function timed(root: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Run {
  const start = performance.now();
  const result = spawnSync(process.execPath, [worker, root, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env });
  const seconds = (performance.now() - start) / 1000;
  const last = result.stdout.trim().split('\n').pop() ?? '';
  if (result.status !== 0 || !last.startsWith('{')) throw new Error(`gitops ${args.join(' ')}: worker failed: ${result.stderr}`);
  return { seconds, ...(JSON.parse(last) as Omit<Run, 'seconds'>) };
}

/**
 * Measures the loop on a synthetic repository at `root` (inputs written, nothing rendered yet):
 * renders and commits it, then changes one service at a time. Returns one line per step
 * (median of `repeats`).
 */
export async function measurePrLoop(root: string, label: string, repeats: number, steps: readonly PrLoopStep[] = prLoopSteps): Promise<string[]> {
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'config', 'user.email', 'bench@example.com');
  git(root, 'config', 'user.name', 'bench');
  git(root, 'config', 'commit.gpgsign', 'false');
  const first = timed(root, ['render']);
  if (first.code !== 0) throw new Error(`render failed: ${first.stderr}`);
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'base');
  // validate's binaries, schemas and pre-loaded server states are this repository's (built once per
  // machine); its verdict caches start empty here, so the first validate is cold.
  const cacheRoot = path.join(root, '.bench-cache');
  await mkdir(path.join(cacheRoot, '.cache'), { recursive: true });
  await symlink(path.join(exampleRoot(), '.tools'), path.join(cacheRoot, '.tools'));
  await symlink(path.join(exampleRoot(), '.cache', 'schemas'), path.join(cacheRoot, '.cache', 'schemas'));
  await writeFile(path.join(root, '.gitignore'), '.bench-cache/\n');
  const env = { ...process.env, GITOPS_CACHE_ROOT: cacheRoot };
  const cold: string[] = [];
  for (const [what, args] of [
    ['kubeconform + kubectl-validate, no cache', ['validate', '--no-cache', '--engine', 'kubeconform', '--engine', 'kubectl-validate']],
    ['all three engines, empty verdict caches', ['validate']],
  ] as const) {
    const states = await preloadedStates();
    const result = timed(root, args, env);
    if (result.code !== 0) throw new Error(`validate (${what}) exited ${result.code}: ${result.stderr.slice(-2000)}`);
    const built = (await preloadedStates()) > states ? '; a pre-loaded API server state was built in this run' : '';
    cold.push(`pr-loop ${label} validate, cold (${what}): ${result.seconds.toFixed(2)} s (peak RSS ${result.rssMb.toFixed(0)} MB of the CLI process${built})`);
  }
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'bench cache ignored');
  const samples = new Map<string, { seconds: number[]; cpu: number[]; rss: number[]; summary: string }>(steps.map((step) => [step.name, { seconds: [], cpu: [], rss: [], summary: '' }]));
  for (let i = 0; i < repeats; i++) {
    const file = path.join(root, 'apps', `service-${String(7 + i).padStart(4, '0')}`, 'service.yaml');
    const text = await readFile(file, 'utf8');
    const changed = text.replace(/^( {2}tag: )(.+)$/m, (_line, key: string, tag: string) => `${key}${tag.replace(/^"|"$/g, '')}-pr${i}`);
    if (changed === text) throw new Error(`${file}: no image tag to change`);
    await writeFile(file, changed);
    for (const step of steps) {
      const result = timed(root, step.args, env);
      if (!(step.okCodes ?? [0]).includes(result.code)) throw new Error(`${step.name} exited ${result.code}: ${result.stderr}`);
      const sample = samples.get(step.name)!;
      sample.seconds.push(result.seconds);
      sample.cpu.push(result.cpuSeconds);
      sample.rss.push(result.rssMb);
      sample.summary = step.summarize(result.stdout);
    }
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', `pr ${i}`);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return [...cold, ...steps.map((step) => {
    const { seconds, cpu, rss, summary } = samples.get(step.name)!;
    return (
      `pr-loop ${label} ${step.name}: ${median(seconds).toFixed(2)} s (CPU ${median(cpu).toFixed(2)} s, peak RSS ${Math.max(...rss).toFixed(0)} MB; ` +
      `${summary}; wall min ${Math.min(...seconds).toFixed(2)} s, max ${Math.max(...seconds).toFixed(2)} s)`
    );
  })];
}

/** How many pre-loaded API server states this repository's schema cache holds. */
async function preloadedStates(): Promise<number> {
  try {
    return (await readdir(path.join(exampleRoot(), '.cache', 'schemas'))).filter((name) => name.startsWith('apiserver-')).length;
  } catch {
    return 0;
  }
}

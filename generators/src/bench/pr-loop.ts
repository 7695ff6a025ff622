/**
 * The pull-request loop of `npm run bench`: on a synthetic platform, one service's image tag
 * changes and each step a developer (and CI) runs then is timed as a fresh `gitops` process, from
 * spawn to exit (wall time; and CPU time, which other work on a shared machine disturbs far less).
 * Steps run in order on the same working tree; each repetition changes another service, and its
 * result is committed before the next, so every `diff --base HEAD` sees one service's change.
 *
 * The first change after the full runs (a render with no cache and no tree, a validate with empty
 * verdict caches) is reported on its own, beside the median of the changes after it: caches that
 * only a change fills, or a full run leaves incomplete, show as a first change dearer than the
 * repeated ones. Each is also given as a share of the full run of its step.
 * A step is one entry of `prLoopSteps`: add one there to measure it too.
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
  /** The full run this step is a share of (the bench line gives the ratio). */
  readonly fullRun?: 'render' | 'validate';
}

export const prLoopSteps: readonly PrLoopStep[] = [
  {
    name: 'render',
    args: ['render'],
    fullRun: 'render',
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
    fullRun: 'validate',
    summarize: (stdout) => {
      const ok = /^validate ok: .*$/m.exec(stdout)?.[0];
      if (!ok) throw new Error(`validate printed: ${stdout.slice(-2000)}`);
      return 'kubeconform, kubectl-validate, kube-apiserver, policies: ok';
    },
  },
  {
    name: 'diff --base HEAD --format markdown',
    args: ['diff', '--base', 'HEAD', '--format', 'markdown'],
    summarize: (stdout) => {
      const plan = /Plan: [^*\n]*/.exec(stdout)?.[0];
      if (!plan || !/ 0 to add, [1-9]\d* to change, 0 to destroy/.test(plan)) throw new Error(`diff printed: ${stdout.slice(0, 2000)}`);
      return `${plan} ${/\d+ resources unchanged/.exec(stdout)?.[0] ?? ''}`.trim();
    },
  },
];

const here = fileURLToPath(import.meta.url);
/** How to start the worker: compiled, or from its TypeScript source through tsx when this module runs from source (the tests). */
const worker = here.endsWith('.ts') ? ['--import', 'tsx', path.join(path.dirname(here), 'cli-worker.ts')] : [path.join(path.dirname(here), 'cli-worker.js')];

function git(root: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

interface Run {
  readonly seconds: number;
  /** CPU time of the CLI process, and of the child processes it waited for (validators, servers, Git). */
  readonly cpuSeconds: number;
  readonly childCpuSeconds?: number;
  readonly rssMb: number;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `gitops` in a fresh process (`cli-worker`); its wall time from spawn to exit, its CPU time and what it printed. */
function timed(root: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Run {
  const start = performance.now();
  const result = spawnSync(process.execPath, [...worker, root, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env });
  const seconds = (performance.now() - start) / 1000;
  const last = result.stdout.trim().split('\n').pop() ?? '';
  if (result.status !== 0 || !last.startsWith('{')) throw new Error(`gitops ${args.join(' ')}: worker failed: ${result.stderr}`);
  return { seconds, ...(JSON.parse(last) as Omit<Run, 'seconds'>) };
}

/** `12.3 s CPU (45.6 s with its child processes)`, or without the second part when unknown. */
function cpuOf(run: Pick<Run, 'cpuSeconds' | 'childCpuSeconds'>): string {
  const children = run.childCpuSeconds ? ` (${(run.cpuSeconds + run.childCpuSeconds).toFixed(2)} s with its child processes)` : '';
  return `CPU ${run.cpuSeconds.toFixed(2)} s${children}`;
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const percent = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)}%`;

/**
 * Measures the loop on a synthetic repository at `root` (inputs written, nothing rendered yet):
 * renders it (the full render) and commits it, validates it with empty verdict caches (the full
 * validate; only when a step validates), then changes one service at a time, `repeats` + 1 times.
 * Returns the lines of the full runs, then per step one line for the first change and one for
 * the repeated changes (median of `repeats`), each with its share of the step's full run.
 */
export async function measurePrLoop(root: string, label: string, repeats: number, steps: readonly PrLoopStep[] = prLoopSteps): Promise<string[]> {
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'config', 'user.email', 'bench@example.com');
  git(root, 'config', 'user.name', 'bench');
  git(root, 'config', 'commit.gpgsign', 'false');
  const lines: string[] = [];
  const full: Partial<Record<NonNullable<PrLoopStep['fullRun']>, Run>> = {};
  full.render = timed(root, ['render']);
  if (full.render.code !== 0) throw new Error(`render failed: ${full.render.stderr}`);
  lines.push(`pr-loop ${label} render, full (no cache, no rendered tree): ${full.render.seconds.toFixed(2)} s (${cpuOf(full.render)}, peak RSS ${full.render.rssMb.toFixed(0)} MB)`);
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
  if (steps.some((step) => step.fullRun === 'validate')) {
    for (const [what, args] of [
      ['kubeconform + kubectl-validate, no cache', ['validate', '--no-cache', '--engine', 'kubeconform', '--engine', 'kubectl-validate']],
      ['all three engines, empty verdict caches', ['validate']],
    ] as const) {
      const states = await preloadedStates();
      const result = timed(root, args, env);
      if (result.code !== 0) throw new Error(`validate (${what}) exited ${result.code}: ${result.stderr.slice(-2000)}`);
      const built = (await preloadedStates()) > states ? '; a pre-loaded API server state was built in this run' : '';
      lines.push(`pr-loop ${label} validate, full (${what}): ${result.seconds.toFixed(2)} s (${cpuOf(result)}, peak RSS ${result.rssMb.toFixed(0)} MB of the CLI process${built})`);
      // The full validate a change is measured against: the one that fills the verdict caches.
      full.validate = result;
    }
  }
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'bench cache ignored');
  const samples = new Map(steps.map((step) => [step.name, { runs: [] as Run[], summary: '' }]));
  for (let i = 0; i <= repeats; i++) {
    const file = path.join(root, 'apps', `service-${String(7 + i).padStart(4, '0')}`, 'service.yaml');
    const text = await readFile(file, 'utf8');
    const changed = text.replace(/^( {2}tag: )(.+)$/m, (_line, key: string, tag: string) => `${key}${tag.replace(/^"|"$/g, '')}-pr${i}`);
    if (changed === text) throw new Error(`${file}: no image tag to change`);
    await writeFile(file, changed);
    for (const step of steps) {
      const result = timed(root, step.args, env);
      if (!(step.okCodes ?? [0]).includes(result.code)) throw new Error(`${step.name} exited ${result.code}: ${result.stderr}`);
      const sample = samples.get(step.name)!;
      sample.runs.push(result);
      sample.summary = step.summarize(result.stdout);
    }
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', `pr ${i}`);
  }
  for (const step of steps) {
    const { runs, summary } = samples.get(step.name)!;
    const [first, ...repeated] = runs as [Run, ...Run[]];
    const whole = step.fullRun ? full[step.fullRun] : undefined;
    const share = (seconds: number, cpu: number, childCpu = 0) => {
      if (!whole) return '';
      const fullCpu = whole.cpuSeconds + (whole.childCpuSeconds ?? 0);
      return `; ${percent(seconds, whole.seconds)} of the full ${step.fullRun}, ${percent(cpu + childCpu, fullCpu)} of its CPU`;
    };
    lines.push(`pr-loop ${label} ${step.name}, first change: ${first.seconds.toFixed(2)} s (${cpuOf(first)}, peak RSS ${first.rssMb.toFixed(0)} MB${share(first.seconds, first.cpuSeconds, first.childCpuSeconds)})`);
    if (repeated.length === 0) continue;
    const seconds = median(repeated.map((run) => run.seconds));
    const cpu = median(repeated.map((run) => run.cpuSeconds));
    const childCpu = repeated.every((run) => run.childCpuSeconds !== undefined) ? median(repeated.map((run) => run.childCpuSeconds!)) : undefined;
    lines.push(
      `pr-loop ${label} ${step.name}, repeated change: ${seconds.toFixed(2)} s (${cpuOf({ cpuSeconds: cpu, childCpuSeconds: childCpu })}, peak RSS ${Math.max(...repeated.map((run) => run.rssMb)).toFixed(0)} MB${share(seconds, cpu, childCpu)}; ` +
        `${summary}; median of ${repeated.length}, wall min ${Math.min(...repeated.map((run) => run.seconds)).toFixed(2)} s, max ${Math.max(...repeated.map((run) => run.seconds)).toFixed(2)} s)`,
    );
  }
  return lines;
}

/** How many pre-loaded API server states this repository's schema cache holds. */
async function preloadedStates(): Promise<number> {
  try {
    return (await readdir(path.join(exampleRoot(), '.cache', 'schemas'))).filter((name) => name.startsWith('apiserver-')).length;
  } catch {
    return 0;
  }
}

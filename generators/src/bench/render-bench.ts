/**
 * `npm run bench`: render time of synthetic platforms (50, 200, 500 services x 3 clusters)
 * against the plain-YAML lower bound measured in the same run: the same objects built as plain
 * data, stringified with `yaml` and written as the same files. Each measurement runs in a child
 * process of its own so peak RSS is per measurement. Then the pull-request loop on the
 * `BENCH_PR_SIZE` platform (default 500; 0 skips it): one service's image tag changed, each step
 * (`render`, `render --check`, `validate`, `diff --base HEAD`; see `pr-loop.ts`) timed as a fresh
 * process, the first change after the full runs apart from the repeated changes.
 * Last line: `render 500x3: <s> s, lower bound <s> s, ratio <r>, peak RSS <mb> MB`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measurePrLoop } from './pr-loop.js';
import { writeSyntheticRepo } from './synthetic-repo.js';

const sizes = (process.env['BENCH_SIZES'] ?? '50,200,500').split(',').map(Number).filter((size) => size > 0);
/**
 * Where the synthetic repositories live: the system temp folder (on disk, like a real checkout),
 * or `BENCH_DIR`, e.g. `/dev/shm` to take the disk out of the figures (on this machine the same
 * 15,000-file write varied 6-10 s from run to run on disk).
 */
const benchDir = process.env['BENCH_DIR'] ?? tmpdir();
const repeats = Number(process.env['BENCH_REPEATS'] ?? 3);
const prSize = Number(process.env['BENCH_PR_SIZE'] ?? 500);
const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bench-worker.js');

interface Sample {
  readonly seconds: number;
  readonly rssMb: number;
  readonly files: number;
}

function measure(mode: 'render' | 'lower-bound', root: string): Sample {
  const output = execFileSync(process.execPath, [worker, mode, root], { encoding: 'utf8' });
  return JSON.parse(output.trim().split('\n').pop()!) as Sample;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const load = () => `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`;
console.log(`synthetic repositories in ${benchDir}; ${load()}`);
const lines: string[] = [];
let last = '';
for (const size of sizes) {
  const root = await mkdtemp(path.join(benchDir, `gitops-bench-${size}-`));
  try {
    await writeSyntheticRepo(root, size);
    const render: Sample[] = [];
    const bound: Sample[] = [];
    for (let i = 0; i < repeats; i++) {
      // Alternate, so neither side profits from a warmer cache.
      render.push(measure('render', root));
      bound.push(measure('lower-bound', root));
    }
    const renderSeconds = median(render.map((s) => s.seconds));
    const boundSeconds = median(bound.map((s) => s.seconds));
    const rss = Math.max(...render.map((s) => s.rssMb));
    const line = `render ${size}x3: ${renderSeconds.toFixed(2)} s, lower bound ${boundSeconds.toFixed(2)} s, ratio ${(renderSeconds / boundSeconds).toFixed(2)}, peak RSS ${rss.toFixed(0)} MB`;
    lines.push(`${line} (${render[0]!.files} files, median of ${repeats}; lower bound peak RSS ${Math.max(...bound.map((s) => s.rssMb)).toFixed(0)} MB)`);
    last = line;
    console.log(lines.at(-1));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
if (prSize > 0) {
  const root = await mkdtemp(path.join(benchDir, `gitops-bench-pr-${prSize}-`));
  try {
    await writeSyntheticRepo(root, prSize);
    console.log(`pull-request loop, ${prSize}x3, one service's image tag changed (each step a fresh process; the first change after the full runs, then the median of ${repeats} repeated changes; ${load()}):`);
    for (const line of await measurePrLoop(root, `${prSize}x3`, repeats)) console.log(line);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
console.log(load());
if (sizes.length > 1) {
  const perService = sizes.map((size, i) => `${size}: ${((Number(/render \S+: ([0-9.]+) s/.exec(lines[i]!)![1]) / size) * 1000).toFixed(2)} ms`);
  console.log(`render time per service (linear growth keeps this flat): ${perService.join(', ')}`);
}
if (last) console.log(last);

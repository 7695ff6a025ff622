import { describe, expect, it } from 'vitest';
import { measurePrLoop, prLoopSteps } from '../../src/bench/pr-loop.js';
import { writeSyntheticRepo } from '../../src/bench/synthetic-repo.js';
import { tempReposOfEachTest } from '../support/temp-repo.js';

const newRepo = tempReposOfEachTest();

describe('the pull-request loop of the bench', () => {
  it('reports the full render, then per step the first change and the repeated changes apart, with their share of the full run', { timeout: 300_000 }, async () => {
    const repo = await newRepo();
    // The loop changes service-0007 and the ones after it.
    await writeSyntheticRepo(repo.root, 10);
    // Without validate (its full run needs the built API server).
    const steps = prLoopSteps.filter((step) => step.name !== 'validate');
    const lines = await measurePrLoop(repo.root, '10x3', 2, steps);
    expect(lines[0]).toMatch(/^pr-loop 10x3 render, full \(no cache, no rendered tree\): [\d.]+ s \(CPU [\d.]+ s/);
    expect(lines.slice(1).map((line) => /^pr-loop 10x3 (.+?): /.exec(line)?.[1])).toEqual([
      'render, first change',
      'render, repeated change',
      'render --check, first change',
      'render --check, repeated change',
      'diff --base HEAD --format markdown, first change',
      'diff --base HEAD --format markdown, repeated change',
    ]);
    expect(lines[1]).toMatch(/ s \(CPU [\d.]+ s.*, peak RSS \d+ MB; [\d.]+% of the full render, [\d.]+% of its CPU\)$/);
    expect(lines[2]).toMatch(/; [\d.]+% of the full render, [\d.]+% of its CPU; \d charts synthesized, \d+ from the render cache, \d files written; median of 2, wall min/);
    expect(lines[6]).toMatch(/Plan: 0 to add, [1-9]\d* to change, 0 to destroy\. \d+ resources unchanged; median of 2/);
  });
});

/**
 * The reference tables list exactly what the code has: docs/reference/policies.md every check of
 * `renderedChecks` (generators/src/validate/checks.ts), docs/reference/risk-flags.md every rule of
 * `RISK_RULES` (generators/src/diff/risk.ts) at its level, and every rule the diff code raises
 * (risk.ts, rollout-risk.ts, update-check.ts) is one of those.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RISK_RULES } from '../../src/diff/risk.js';
import { renderedChecks } from '../../src/validate/checks.js';
import { repoRoot } from '../support/temp-repo.js';

/** The rows of the first table of a page whose first cell is a code span: [id, other cells...]. */
function tableRows(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => /^\| `[^`]+` \|/.test(line))
    .map((line) => line.replace(/^\|\s*|\s*\|$/g, '').split(/\s+\|\s+/).map((cell, i) => (i === 0 ? cell.replace(/`/g, '') : cell)));
}

const page = (file: string) => readFile(path.join(repoRoot, 'docs/reference', file), 'utf8');

describe('the reference tables', () => {
  it('Pass when policies.md lists every policy check of renderedChecks, in order, and nothing else', async () => {
    expect(tableRows(await page('policies.md')).map((row) => row[0])).toEqual(renderedChecks.map((check) => check.id));
  });

  it('Pass when risk-flags.md lists every rule of RISK_RULES with its level, in order, and nothing else', async () => {
    expect(tableRows(await page('risk-flags.md')).map((row) => `${row[0]} ${row[1]}`)).toEqual(RISK_RULES.map((rule) => `${rule.id} ${rule.level}`));
  });

  it('Pass when every rule the diff code raises is a rule of RISK_RULES', async () => {
    const ids = new Set(RISK_RULES.map((rule) => rule.id));
    const raised: string[] = [];
    for (const file of ['risk.ts', 'rollout-risk.ts', 'update-check.ts']) {
      const source = await readFile(path.join(repoRoot, 'generators/src/diff', file), 'utf8');
      // The rule of a flag: the first argument of flag()/ruleFlag() (a literal, or a choice of literals), or a `rule:` field.
      const expressions = [...source.matchAll(/\b(?:flag|ruleFlag)\(\s*([^,()]+),/g), ...source.matchAll(/\brule: ('[a-z-]+')/g)].map((m) => m[1]!);
      for (const expression of expressions) raised.push(...[...expression.matchAll(/'([a-z-]+)'/g)].map((m) => m[1]!));
    }
    expect(raised.length).toBeGreaterThanOrEqual(14);
    expect(raised.filter((id) => !ids.has(id))).toEqual([]);
  });

  it('reads a table row by its id cell', () => {
    expect(tableRows('| id | what |\n| --- | --- |\n| `probes` | every container ... |\n| `x-y` | data-loss | why |\n')).toEqual([
      ['probes', 'every container ...'],
      ['x-y', 'data-loss', 'why'],
    ]);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderedChecks, runChecks, type RenderedCheck } from '../../src/validate/checks.js';
import { flavorConsistency } from '../../src/validate/policies/flavor-consistency.js';
import { ownership } from '../../src/validate/policies/ownership.js';
import { projectPermissions } from '../../src/validate/policies/project-permissions.js';
import { syncWindows } from '../../src/validate/policies/sync-windows.js';
import { repoRoot, type TempRepo } from '../support/temp-repo.js';
import { checkContext, renderedRepo } from './support.js';

/**
 * Fixtures in generators/test/fixtures/argocd/{pass,fail}/: each names the check(s), the cluster,
 * files to remove from and write into its rendered tree, and (fail) the start of the expected
 * message. The rendered example itself is the first passing fixture.
 */

const checks: Record<string, RenderedCheck> = { ownership, 'project-permissions': projectPermissions, 'flavor-consistency': flavorConsistency, 'sync-windows': syncWindows };
const fixtureDir = path.join(repoRoot, 'generators/test/fixtures/argocd');

interface Fixture {
  readonly name: string;
  readonly checks: string[];
  readonly cluster: string;
  readonly rule: string;
  readonly expect?: string;
  readonly remove: string[];
  readonly write: { file: string; content: string }[];
}

function readFixtures(kind: 'pass' | 'fail'): Fixture[] {
  return readdirSync(path.join(fixtureDir, kind))
    .sort()
    .map((name) => {
      const text = readFileSync(path.join(fixtureDir, kind, name), 'utf8');
      const [head, ...sections] = text.split(/^# write: /m);
      const directive = (key: string) => [...head!.matchAll(new RegExp(`^# ${key}: (.*)$`, 'gm'))].map((m) => m[1]!.trim());
      return {
        name,
        checks: directive('check').flatMap((value) => value.split(',').map((id) => id.trim())),
        cluster: directive('cluster')[0]!,
        rule: directive('rule')[0] ?? '',
        expect: directive('expect')[0],
        remove: directive('remove'),
        write: sections.map((section) => {
          const newline = section.indexOf('\n');
          return { file: section.slice(0, newline).trim(), content: section.slice(newline + 1) };
        }),
      };
    });
}

async function applyFixture(repo: TempRepo, fixture: Fixture): Promise<void> {
  for (const file of fixture.remove) await repo.remove(`clusters/${fixture.cluster}/rendered/${file}`);
  for (const { file, content } of fixture.write) await repo.write(`clusters/${fixture.cluster}/rendered/${file}`, content);
}

let repo: TempRepo | undefined;
afterEach(async () => {
  await repo?.cleanup();
  repo = undefined;
});

describe('the rendered example passes every Argo CD check', () => {
  for (const cluster of ['production', 'staging']) {
    it(`Pass when ${cluster} is rendered from the example inputs`, async () => {
      repo = await renderedRepo();
      const { findings } = runChecks(await checkContext(repo.root, cluster), Object.values(checks));
      expect(findings.map((f) => `${f.check} ${f.file} ${f.resource}: ${f.message}`)).toEqual([]);
    });
  }

  it('the three checks are registered for `gitops validate`', () => {
    for (const check of Object.values(checks)) expect(renderedChecks).toContain(check);
  });
});

describe('pass fixtures', () => {
  for (const fixture of readFixtures('pass')) {
    it(`Pass when ${fixture.rule} (${fixture.name})`, async () => {
      repo = await renderedRepo();
      await applyFixture(repo, fixture);
      const { findings } = runChecks(await checkContext(repo.root, fixture.cluster), fixture.checks.map((id) => checks[id]!));
      expect(findings.map((f) => `${f.check}: ${f.message}`)).toEqual([]);
    });
  }
});

describe('fail fixtures: each names the error', () => {
  for (const fixture of readFixtures('fail')) {
    it(`Fail when ${fixture.rule} (${fixture.name})`, async () => {
      expect(fixture.expect, 'a fail fixture names the expected message').toBeTruthy();
      expect(fixture.checks, 'a fail fixture names one check').toHaveLength(1);
      repo = await renderedRepo();
      await applyFixture(repo, fixture);
      const { findings } = runChecks(await checkContext(repo.root, fixture.cluster), [checks[fixture.checks[0]!]!]);
      const messages = findings.map((f) => f.message);
      expect(messages.some((message) => message.startsWith(fixture.expect!)), `expected "${fixture.expect}" in:\n${messages.join('\n')}`).toBe(true);
      for (const finding of findings) expect(finding.fix, finding.message).toBeTruthy();
    });
  }

  it('every check has pass and fail fixtures', () => {
    const pass = new Set(readFixtures('pass').flatMap((f) => f.checks));
    const fail = new Set(readFixtures('fail').flatMap((f) => f.checks));
    for (const id of Object.keys(checks)) {
      expect(pass, id).toContain(id);
      expect(fail, id).toContain(id);
    }
  });
});

describe('the ownership check reads the tree on disk', () => {
  it('Fail when a service folder exists on disk with no project: its generated Application names an unknown project', async () => {
    repo = await renderedRepo();
    await repo.write('clusters/staging/rendered/apps/reports/namespace.reports.yaml', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'reports' } });
    const { findings } = runChecks(await checkContext(repo.root, 'staging'), [ownership]);
    expect(findings.map((f) => f.message)).toContain('unknown project: Application app-reports (from ApplicationSet apps) uses project "app-reports", which is not rendered');
  });

  it('Fail when a Namespace is rendered by two folders (a service named like an add-on namespace)', async () => {
    repo = await renderedRepo();
    await repo.write('clusters/staging/rendered/apps/argo/namespace.argo.yaml', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argo' } });
    const { findings } = runChecks(await checkContext(repo.root, 'staging'), [ownership]);
    expect(findings.some((f) => f.message.startsWith('overlap: Namespace argo is rendered 2 times'))).toBe(true);
  });
});

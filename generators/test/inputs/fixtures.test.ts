import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { loadPlatform } from '../../src/inputs/platform.js';
import { loadIssues, readInputFixtures } from '../support/input-fixtures.js';
import { repoRoot, tempRepo, type TempRepo } from '../support/temp-repo.js';

let repo: TempRepo | undefined;
afterEach(async () => {
  await repo?.cleanup();
  repo = undefined;
});

describe('invalid inputs: one file per rule, each located', () => {
  for (const fixture of readInputFixtures('inputs', 'invalid')) {
    it(`${fixture.name}: ${fixture.header['rule']}`, async () => {
      expect(fixture.header['target'], 'fixture names its target').toBeTruthy();
      expect(fixture.header['expect'], 'fixture names the expected message').toBeTruthy();
      repo = await tempRepo({ fromExample: true });
      await repo.write(fixture.header['target']!, fixture.text);
      const issues = await loadIssues(repo.root);
      expect(issues.some((issue) => issue.startsWith(fixture.header['expect']!)), `expected "${fixture.header['expect']}" in:\n${issues.join('\n')}`).toBe(true);
      // `# issues: N`: the run reports exactly N issues (no consequence of the bad input reported as its own error).
      if (fixture.header['issues'] !== undefined) expect(issues, 'every issue of the run').toHaveLength(Number(fixture.header['issues']));
    });
  }
});

describe('valid inputs', () => {
  for (const fixture of readInputFixtures('inputs', 'valid')) {
    it(`${fixture.name}: ${fixture.header['case']}`, async () => {
      repo = await tempRepo({ fromExample: true });
      await repo.write(fixture.header['target']!, fixture.text);
      expect(await loadIssues(repo.root)).toEqual([]);
    });
  }

  it('the example platform loads without issues', async () => {
    const platform = await loadPlatform(repoRoot);
    expect(platform.clusters.map((c) => c.cluster.name)).toEqual(['production', 'staging']);
    for (const { services } of platform.clusters) {
      expect(services.map((s) => s.name)).toEqual(['course-service', 'frontend', 'notification-service', 'payment-service', 'user-service']);
    }
  });
});

describe('every error of a run is reported together', () => {
  it('lists issues from several files, sorted by file and line, and says nothing was written', async () => {
    repo = await tempRepo({ fromExample: true });
    const invalid = readInputFixtures('inputs', 'invalid');
    for (const name of ['replicas-at-least-one.yaml', 'latest-tag.yaml', 'unknown-caller.yaml']) {
      const fixture = invalid.find((f) => f.name === name)!;
      await repo.write(fixture.header['target']!, fixture.text);
    }
    const error = await loadPlatform(repo.root).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    const lines = (error as InputError).lines();
    expect(lines.filter((line) => /^(apps|clusters)\//.test(line))).toHaveLength(3);
    expect(lines.at(-1)).toBe('3 input errors; nothing was written.');
    expect(lines[0]).toMatch(/^apps\/frontend\/staging\.yaml/);
  });

  it('a problem of service.yaml is reported once, not once per cluster', async () => {
    repo = await tempRepo({ fromExample: true });
    const base = await repo.read('apps/notification-service/service.yaml');
    await repo.write('apps/notification-service/service.yaml', base.replace('replicas: 2', 'replicas: -1'));
    const issues = await loadIssues(repo.root);
    expect(issues).toEqual([expect.stringMatching(/^apps\/notification-service\/service\.yaml:\d+:\d+ replicas: must be >= 1$/)]);
  });

  it('a problem only one cluster sees names that cluster', async () => {
    repo = await tempRepo({ fromExample: true });
    // production overrides replicas; staging inherits the broken value.
    const base = await repo.read('apps/user-service/service.yaml');
    await repo.write('apps/user-service/service.yaml', base.replace('replicas: 2', 'replicas: 0'));
    expect(await loadIssues(repo.root)).toEqual([expect.stringMatching(/replicas: must be >= 1 \(in cluster staging\)$/)]);
  });
});

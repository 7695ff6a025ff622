import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EnvironmentComparison } from '../../src/compare/environments.js';
import { allFiles, gitops } from '../delivery/support/cli.js';
import { tempRepo, type TempRepo } from '../support/temp-repo.js';

/** `gitops compare` on a copy of the example platform. */

let repo: TempRepo;
beforeEach(async () => {
  repo = await tempRepo({ fromExample: true });
});
afterEach(async () => {
  await repo.cleanup();
});

async function json(...args: string[]): Promise<EnvironmentComparison> {
  const result = await gitops(repo.root, 'compare', '--from', 'staging', '--to', 'production', '--format', 'json', ...args);
  expect(result.err).toEqual([]);
  expect(result.code).toBe(0);
  return JSON.parse(result.out.join('\n')) as EnvironmentComparison;
}

describe('compare', () => {
  it('Pass when staging and production are compared: images apart, production-only settings expected, staging-only settings drift, exit 0, nothing written', async () => {
    const before = await allFiles(repo.root);
    const comparison = await json();
    expect(comparison.services).toEqual(['course-service', 'frontend', 'notification-service', 'payment-service', 'user-service']);
    const find = (service: string, setting: string) => comparison.differences.find((difference) => difference.service === service && difference.setting === setting);
    expect(find('user-service', 'image.tag')).toMatchObject({ from: '2.15.0-rc.1', to: '2.14.0', class: 'image' });
    expect(find('user-service', 'image.digest')).toMatchObject({ to: 'sha256:48088d5d743286ed2689098e2be26f564c7d26b059a7e57d98ce14c10a62242d', class: 'image' });
    expect(find('user-service', 'replicas')).toMatchObject({ aspect: 'scaling', from: '2', to: '3', class: 'declared', reason: 'apps/user-service/production.yaml' });
    expect(find('user-service', 'env.LOG_LEVEL')).toMatchObject({ aspect: 'env', from: 'debug', to: 'info', class: 'drift', reason: 'set for staging only (apps/user-service/staging.yaml)' });
    expect(find('user-service', 'rollout.strategy')).toMatchObject({ from: 'rolling', to: 'canary', class: 'cluster' });
    // A cloud resource is compared once, its per-cluster sizing expected.
    expect(comparison.differences.filter((difference) => difference.setting === 'instanceClass')).toEqual([
      expect.objectContaining({ service: 'infra/platform-db', aspect: 'cloud resources', from: 'db.t4g.medium', to: 'db.r6g.large', class: 'declared' }),
    ]);
    // Add-ons follow from flavor and provider.
    expect(find('(add-ons)', 'aws-load-balancer-controller')).toMatchObject({ to: expect.stringMatching(/^aws-load-balancer-controller \d/), class: 'cluster' });
    const total = Object.values(comparison.counts).reduce((sum, count) => sum + count, 0);
    expect(total).toBe(comparison.differences.length);
    expect(await allFiles(repo.root)).toEqual(before);
  });

  it('Pass when secret values are redacted and flags are told apart from other variables', async () => {
    const staging = await repo.read('apps/user-service/staging.yaml');
    await repo.write('apps/user-service/staging.yaml', staging.replace('  LOG_LEVEL: debug', '  LOG_LEVEL: debug\n  DATABASE_URL: "postgres://app:Sup3rSecretPassw0rd@db:5432/app"\n  FEATURE_NEW_CHECKOUT: "true"'));
    const comparison = await json('--service', 'user-service');
    const url = comparison.differences.find((difference) => difference.setting === 'env.DATABASE_URL');
    expect(url).toMatchObject({ aspect: 'env', from: 'postgres://app:<redacted>@db:5432/app', class: 'drift' });
    expect(url).not.toHaveProperty('to'); // not set in production (JSON leaves the key out)
    expect(JSON.stringify(comparison)).not.toContain('Sup3rSecretPassw0rd');
    expect(comparison.differences.find((difference) => difference.setting === 'env.FEATURE_NEW_CHECKOUT')).toMatchObject({ aspect: 'feature flags', from: 'true', class: 'drift' });
    // --service leaves out the other services and the add-ons.
    expect(new Set(comparison.differences.map((difference) => difference.service))).toEqual(new Set(['user-service', 'infra/platform-db', 'infra/sessions-cache']));
  });

  it('Pass when printed as text and as Markdown: the summary line and the three tables', async () => {
    const text = await gitops(repo.root, 'compare', '--from', 'staging', '--to', 'production', '--service', 'user-service');
    expect(text.code).toBe(0);
    const lines = text.out.join('\n').split('\n');
    expect(lines[0]).toBe('staging → production: 1 service compared; 2 image differences, 1 drift, 31 expected');
    expect(lines).toContain('Images: 2');
    expect(lines).toContain('Drift (nothing declares it for the target cluster): 1');
    expect(lines.find((line) => line.includes('env.LOG_LEVEL'))).toMatch(/^ {2}user-service\s+env\s+env\.LOG_LEVEL\s+debug\s+info\s+set for staging only/);
    const markdown = await gitops(repo.root, 'compare', '--from', 'staging', '--to', 'production', '--service', 'user-service', '--format', 'markdown');
    expect(markdown.code).toBe(0);
    const md = markdown.out.join('\n');
    expect(md).toContain('| service | aspect | setting | staging | production | why |');
    expect(md).toContain('| user-service | env | env.LOG_LEVEL | debug | info | set for staging only (apps/user-service/staging.yaml) |');
  });

  it('Fail when a cluster or service is unknown, or the format is not one of text, markdown, json', async () => {
    const unknown = await gitops(repo.root, 'compare', '--from', 'staging', '--to', 'prod', '--service', 'user-servic');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toEqual([
      expect.stringMatching(/^--to "prod": unknown cluster \(no clusters\/prod\/cluster\.yaml\); clusters: production, staging$/),
      expect.stringMatching(/^--service "user-servic": unknown service .*did you mean "user-service"\?/),
      'compare refused (2 problems); nothing was changed',
    ]);
    const format = await gitops(repo.root, 'compare', '--from', 'staging', '--to', 'production', '--format', 'html');
    expect(format.code).toBe(2);
  });
});

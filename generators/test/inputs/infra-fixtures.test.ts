import { afterEach, describe, expect, it } from 'vitest';
import { awsNameProblem, bucketNameProblem, type InfraResource } from '../../src/inputs/infra.js';
import { loadPlatform } from '../../src/inputs/platform.js';
import { loadIssues, readInputFixtures } from '../support/input-fixtures.js';
import { repoRoot, tempRepo, type TempRepo } from '../support/temp-repo.js';

let repo: TempRepo | undefined;
afterEach(async () => {
  await repo?.cleanup();
  repo = undefined;
});

describe('invalid infra inputs: one file per rule, each located at file:line:col', () => {
  for (const fixture of readInputFixtures('infra', 'invalid')) {
    it(`${fixture.name}: ${fixture.header['rule']}`, async () => {
      expect(fixture.header['target'], 'fixture names its target').toBeTruthy();
      expect(fixture.header['expect'], 'fixture names the expected message').toMatch(/^[\w./-]+:\d+:\d+ /);
      repo = await tempRepo({ fromExample: true });
      await repo.write(fixture.header['target']!, fixture.text);
      const issues = await loadIssues(repo.root);
      expect(issues.some((issue) => issue.startsWith(fixture.header['expect']!)), `expected "${fixture.header['expect']}" in:\n${issues.join('\n')}`).toBe(true);
    });
  }
});

describe('valid infra inputs', () => {
  for (const fixture of readInputFixtures('infra', 'valid')) {
    it(`${fixture.name}: ${fixture.header['case']}`, async () => {
      repo = await tempRepo({ fromExample: true });
      await repo.write(fixture.header['target']!, fixture.text);
      expect(await loadIssues(repo.root)).toEqual([]);
    });
  }
});

describe('the example infrastructure', () => {
  const byName = async (cluster: string) => {
    const platform = await loadPlatform(repoRoot);
    const found = platform.clusters.find((c) => c.cluster.name === cluster)!;
    return new Map(found.infra.map((resource) => [resource.name, resource] as [string, InfraResource]));
  };

  it('declares the four kinds, in both clusters', async () => {
    for (const cluster of ['production', 'staging']) {
      const infra = await byName(cluster);
      expect([...infra.values()].map((r) => `${r.name}:${r.kind}`)).toEqual(['assets-bucket:bucket', 'course-events:queue', 'platform-db:postgres', 'sessions-cache:redis']);
    }
  });

  it('resolves defaults once: AWS names from inputs, backups longer in production, env prefixes', async () => {
    const production = await byName('production');
    const staging = await byName('staging');
    const db = production.get('platform-db')!;
    expect(db).toMatchObject({ awsName: 'production-platform-db', backupRetentionDays: 30, multiAZ: true, deletionProtection: true, finalSnapshot: true, envPrefix: 'PLATFORM_DB', provider: 'ack' });
    expect(staging.get('platform-db')).toMatchObject({ awsName: 'staging-platform-db', backupRetentionDays: 7, multiAZ: false, finalSnapshot: false, provider: 'crossplane', instanceClass: 'db.t4g.medium' });
    expect(production.get('sessions-cache')).toMatchObject({ shards: 3, replicasPerShard: 2, snapshotRetentionDays: 7, envPrefix: 'SESSIONS_REDIS' });
    expect(staging.get('sessions-cache')).toMatchObject({ shards: 1, replicasPerShard: 1, snapshotRetentionDays: 1 });
    expect(production.get('course-events')).toMatchObject({
      awsName: 'production-course-events',
      deadLetter: { awsName: 'production-course-events-dlq', arn: 'arn:aws:sqs:eu-west-1:123456789012:production-course-events-dlq', maxReceiveCount: 5 },
    });
  });

  it('resolves network facts from each cluster\'s params.yaml', async () => {
    const db = (await byName('staging')).get('platform-db')!;
    expect(db.kind === 'postgres' && db.network).toEqual({
      subnetIds: ['subnet-0b1c2d3e4f5a60011', 'subnet-0b1c2d3e4f5a60012'],
      securityGroupIds: ['sg-0b1c2d3e4f5a60010'],
      cidrs: ['10.30.64.0/24', '10.30.65.0/24'],
    });
  });

  it('replicates the production bucket to another region', async () => {
    const bucket = (await byName('production')).get('assets-bucket')!;
    expect(bucket.kind === 'bucket' && bucket.replication).toMatchObject({ destinationBucketArn: 'arn:aws:s3:::learning-platform-production-assets-replica', storageClass: 'STANDARD_IA' });
  });
});

describe('AWS name rules', () => {
  it.each([
    ['ab', '3 to 63 characters'],
    ['a'.repeat(64), '3 to 63 characters'],
    ['Assets', 'only lower-case letters'],
    ['-assets', 'begin and end with a letter or digit'],
    ['192.168.1.1', 'IP address'],
    ['xn--assets', 'must not start with "xn--"'],
    ['assets-s3alias', 'must not end with "-s3alias"'],
    ['assets.example', 'no "."'],
  ])('bucket name %s is rejected (%s)', (name, reason) => {
    expect(bucketNameProblem(name)).toContain(reason);
  });

  it('accepts plain bucket names and rejects long replication group ids', () => {
    expect(bucketNameProblem('learning-platform-production-assets')).toBeUndefined();
    expect(awsNameProblem('redis', 'learning-platform-production-sessions-cache')).toContain('at most 40');
    expect(awsNameProblem('postgres', 'production-platform-db')).toBeUndefined();
    expect(awsNameProblem('postgres', 'double--hyphen')).toContain('no "--"');
  });
});

import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OVERRIDE_SCHEMA_LINE } from '../../src/delivery/image-update.js';
import { tempRepo, type TempRepo } from '../support/temp-repo.js';
import { allFiles, DIGEST_A, DIGEST_B, gitops, REGISTRY, renderedImages } from './support/cli.js';

let repo: TempRepo;
beforeEach(async () => {
  repo = await tempRepo({ fromExample: true, withRendered: true });
});
afterEach(async () => {
  await repo.cleanup();
});

/** An override with comments, a blank line, flow collections and a trailing blank line. */
const COMMENTED = [
  OVERRIDE_SCHEMA_LINE,
  '# Staging overrides of apps/user-service/service.yaml.',
  '',
  '# The release candidate under test.',
  'image:',
  '  tag: "2.15.0-rc.1"   # bumped by CI',
  'env: { LOG_LEVEL: debug }',
  '',
  '# Callers allowed in staging only.',
  'allowFrom: [frontend, course-service]',
  '',
].join('\n');

/** Runs a refused deploy and checks that every file of the repository is byte-identical afterwards. */
async function refusedDeploy(...args: string[]) {
  const before = await allFiles(repo.root);
  const result = await gitops(repo.root, 'deploy', ...args);
  expect(result.code).toBe(1);
  expect(await allFiles(repo.root)).toEqual(before);
  expect(result.err.at(-1)).toMatch(/^deploy refused \(\d+ problems?\); nothing was changed$/);
  expect(result.out).toEqual([]);
  return result;
}

describe('deploy', () => {
  it('Pass when a tag is deployed to staging: only the image line changes, comments and formatting stay byte for byte', async () => {
    await repo.write('apps/user-service/staging.yaml', COMMENTED);
    const result = await gitops(repo.root, 'deploy', '--cluster', 'staging', '--services', 'user-service', '--tag', '2.15.0');
    expect(result.err).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.out[0]).toBe('user-service: 2.15.0-rc.1 → 2.15.0');
    expect(result.out[1]).toBe('wrote apps/user-service/staging.yaml');
    expect(result.out[2]).toMatch(/^rendered \d+ files for production, staging: \d+ written, \d+ unchanged, 0 removed$/);

    const after = (await repo.read('apps/user-service/staging.yaml')).split('\n');
    const before = COMMENTED.split('\n');
    expect(after).toHaveLength(before.length);
    const changed = before.flatMap((line, index) => (line === after[index] ? [] : [index]));
    expect(changed).toEqual([5]);
    expect(after[5]).toBe('  tag: "2.15.0"   # bumped by CI');
    expect(await renderedImages(repo.root, 'staging', 'user-service')).toEqual([`${REGISTRY}/learning-platform/user-service:2.15.0`]);
    // Production is not touched.
    expect(await renderedImages(repo.root, 'production', 'user-service')).toEqual([`${REGISTRY}/learning-platform/user-service:2.14.0@sha256:48088d5d743286ed2689098e2be26f564c7d26b059a7e57d98ce14c10a62242d`]);
  });

  it('Pass when keys are removed or added around lines the yaml library would re-format: those lines stay byte for byte', async () => {
    const text = [
      OVERRIDE_SCHEMA_LINE,
      'image:',
      '  tag: "2.15.0-rc.1"     # the candidate',
      `  digest: ${DIGEST_A}   # pinned by CI`,
      'allowFrom: [frontend, course-service]',
      '',
      '',
    ].join('\n');
    await repo.write('apps/user-service/staging.yaml', text);
    expect((await gitops(repo.root, 'deploy', '--cluster', 'staging', '--services', 'user-service', '--tag', '2.15.0')).code).toBe(0);
    const lines = text.split('\n');
    expect(await repo.read('apps/user-service/staging.yaml')).toBe([lines[0], lines[1], '  tag: "2.15.0"     # the candidate', ...lines.slice(4)].join('\n'));

    await repo.write('apps/course-service/staging.yaml', `${OVERRIDE_SCHEMA_LINE}\nimage: {tag: "2.15.0-rc.1"}   # flow\nallowFrom: [frontend]\n`);
    expect((await gitops(repo.root, 'deploy', '--cluster', 'staging', '--services', 'course-service', '--tag', '2.15.0', '--digest', DIGEST_B)).code).toBe(0);
    const flow = (await repo.read('apps/course-service/staging.yaml')).split('\n');
    expect(flow[0]).toBe(OVERRIDE_SCHEMA_LINE);
    expect(flow[1]).toMatch(/^image: \{ ?tag: "2\.15\.0", digest: sha256:(b2){32} ?\}/);
    expect(flow.slice(2)).toEqual(['allowFrom: [frontend]', '']);
    expect(await renderedImages(repo.root, 'staging', 'course-service')).toEqual([`${REGISTRY}/learning-platform/course-service:2.15.0@${DIGEST_B}`]);
  });

  it('Pass when a digest is deployed to production: the stale tag goes with the old digest, every other line stays', async () => {
    const before = await repo.read('apps/user-service/production.yaml');
    const result = await gitops(repo.root, 'deploy', '--cluster', 'production', '--services', 'user-service', '--digest', DIGEST_A);
    expect(result.code).toBe(0);
    expect(result.out[0]).toBe('user-service: 2.14.0@sha256:48088d5d7432… → sha256:a1a1a1a1a1a1…');
    const expected = before
      .replace('  tag: "2.14.0"\n', '')
      .replace('sha256:48088d5d743286ed2689098e2be26f564c7d26b059a7e57d98ce14c10a62242d', DIGEST_A);
    // The example ends with a blank line, which the yaml library alone would drop.
    expect(before.endsWith('\n\n')).toBe(true);
    expect(await repo.read('apps/user-service/production.yaml')).toBe(expected);
    expect(await renderedImages(repo.root, 'production', 'user-service')).toEqual([`${REGISTRY}/learning-platform/user-service@${DIGEST_A}`]);
  });

  it('Pass when a tag replaces a digest (they are one pair), and when both are given together', async () => {
    await repo.write('apps/course-service/staging.yaml', `${OVERRIDE_SCHEMA_LINE}\nimage:\n  digest: ${DIGEST_A}\n`);
    expect((await gitops(repo.root, 'deploy', '--cluster', 'staging', '--services', 'course-service', '--tag', '2.16.0')).code).toBe(0);
    expect(await repo.read('apps/course-service/staging.yaml')).toBe(`${OVERRIDE_SCHEMA_LINE}\nimage:\n  tag: "2.16.0"\n`);

    const both = await gitops(repo.root, 'deploy', '--cluster', 'staging', '--services', 'course-service', '--tag', '2.16.1', '--digest', DIGEST_B);
    expect(both.code).toBe(0);
    expect(both.out[0]).toBe('course-service: 2.16.0 → 2.16.1@sha256:b2b2b2b2b2b2…');
    expect(await repo.read('apps/course-service/staging.yaml')).toBe(`${OVERRIDE_SCHEMA_LINE}\nimage:\n  tag: "2.16.1"\n  digest: ${DIGEST_B}\n`);
    expect(await renderedImages(repo.root, 'staging', 'course-service')).toEqual([`${REGISTRY}/learning-platform/course-service:2.16.1@${DIGEST_B}`]);
  });

  it('Pass when the override file is missing: it is created with its $schema line (--frontend and --services together)', async () => {
    await rm(path.join(repo.root, 'apps/frontend/staging.yaml'));
    const result = await gitops(repo.root, 'deploy', '--cluster', 'staging', '--services', 'payment-service', '--frontend', '--tag', '9.9.9');
    expect(result.code).toBe(0);
    expect(result.out.slice(0, 3)).toEqual(['payment-service: 1.6.3 → 9.9.9', 'frontend: 3.8.1 → 9.9.9', 'wrote apps/payment-service/staging.yaml (new), apps/frontend/staging.yaml (new)']);
    for (const service of ['payment-service', 'frontend']) {
      expect(await repo.read(`apps/${service}/staging.yaml`)).toBe(`${OVERRIDE_SCHEMA_LINE}\nimage:\n  tag: "9.9.9"\n`);
      expect(await renderedImages(repo.root, 'staging', service)).toEqual([`${REGISTRY}/learning-platform/${service}:9.9.9`]);
    }
  });

  it('Pass when --registry differs from the cluster registry (repository written) or equals it (nothing written)', async () => {
    const other = '210987654321.dkr.ecr.eu-central-1.amazonaws.com';
    const same = await gitops(repo.root, 'deploy', '--cluster', 'staging', '--services', 'user-service', '--tag', '2.15.0', '--registry', REGISTRY);
    expect(same.code).toBe(0);
    expect(await repo.read('apps/user-service/staging.yaml')).not.toContain('repository');

    const moved = await gitops(repo.root, 'deploy', '--cluster', 'staging', '--services', 'user-service', '--tag', '2.15.1', '--registry', other);
    expect(moved.code).toBe(0);
    expect(moved.out[0]).toBe(`user-service: ${REGISTRY}/learning-platform/user-service:2.15.0 → ${other}/learning-platform/user-service:2.15.1`);
    expect(await repo.read('apps/user-service/staging.yaml')).toContain(`image:\n  tag: "2.15.1"\n  repository: ${other}/learning-platform/user-service\n`);
    expect(await renderedImages(repo.root, 'staging', 'user-service')).toEqual([`${other}/learning-platform/user-service:2.15.1`]);

    // Back to the cluster's registry: written relative to it again.
    expect((await gitops(repo.root, 'deploy', '--cluster', 'staging', '--services', 'user-service', '--tag', '2.15.1', '--registry', REGISTRY)).code).toBe(0);
    expect(await renderedImages(repo.root, 'staging', 'user-service')).toEqual([`${REGISTRY}/learning-platform/user-service:2.15.1`]);
  });

  it('Pass when the image is already set: nothing is written', async () => {
    const before = await allFiles(repo.root);
    const result = await gitops(repo.root, 'deploy', '--cluster', 'staging', '--services', 'user-service', '--tag', '2.15.0-rc.1');
    expect(result.code).toBe(0);
    expect(result.out).toEqual(['user-service: 2.15.0-rc.1 (unchanged)', 'nothing to change: every image is already set as asked']);
    expect(await allFiles(repo.root)).toEqual(before);
  });

  it('Fail when production is given a tag: production takes digests only', async () => {
    const { err } = await refusedDeploy('--cluster', 'production', '--services', 'user-service', '--tag', '2.15.0');
    expect(err[0]).toMatch(/^--cluster production: a production cluster \(flavor eks in clusters\/production\/cluster\.yaml\) takes images pinned by digest only; pass --digest/);
  });

  it('Pass when an EKS cluster says production: false: the cluster input, not the flavor, decides', async () => {
    const cluster = await repo.read('clusters/production/cluster.yaml');
    await repo.write('clusters/production/cluster.yaml', `${cluster}production: false\n`);
    const result = await gitops(repo.root, 'deploy', '--cluster', 'production', '--services', 'user-service', '--tag', '2.15.0');
    expect(result.err).toEqual([]);
    expect(result.code).toBe(0);
    expect(await renderedImages(repo.root, 'production', 'user-service')).toEqual([`${REGISTRY}/learning-platform/user-service:2.15.0`]);
  });

  it('Fail when a service is unknown: exit 1, every file byte-identical, the close name suggested', async () => {
    const { err } = await refusedDeploy('--cluster', 'staging', '--services', 'user-service,user-servce', '--tag', '2.15.0');
    expect(err).toHaveLength(2);
    expect(err[0]).toBe(
      '--services "user-servce": unknown service (no apps/user-servce/service.yaml); did you mean "user-service"?; services: course-service, frontend, notification-service, payment-service, user-service',
    );
  });

  it('Fail when the cluster is unknown', async () => {
    const { err } = await refusedDeploy('--cluster', 'qa', '--services', 'user-service', '--tag', '2.15.0');
    expect(err[0]).toBe('--cluster "qa": unknown cluster (no clusters/qa/cluster.yaml); clusters: production, staging');
  });

  it('Fail when the digest is malformed, the tag is "latest" or malformed, or the registry has a scheme; all reported together', async () => {
    const { err } = await refusedDeploy('--cluster', 'staging', '--services', 'user-service', '--digest', 'sha256:abc', '--tag', 'latest', '--registry', `https://${REGISTRY}`);
    expect(err.slice(0, -1)).toEqual([
      '--tag "latest": must not be "latest": pin a version tag or a digest so every render means one image',
      '--digest "sha256:abc": must be a digest such as "sha256:" followed by 64 hex digits',
      `--registry "https://${REGISTRY}": must be a registry host without scheme or path, e.g. "123456789012.dkr.ecr.eu-west-1.amazonaws.com"`,
    ]);
    const malformedTag = await refusedDeploy('--cluster', 'staging', '--services', 'user-service', '--tag', '2.15.0;rm -rf /');
    expect(malformedTag.err[0]).toMatch(/^--tag "2\.15\.0;rm -rf \/": must be an image tag/);
    const upperDigest = await refusedDeploy('--cluster', 'production', '--services', 'user-service', '--digest', DIGEST_A.toUpperCase().replace('SHA256', 'sha256'));
    expect(upperDigest.err[0]).toMatch(/^--digest .*must be a digest/);
  });

  it('exits 2 when there is nothing to deploy or no image given', async () => {
    const before = await allFiles(repo.root);
    const noServices = await gitops(repo.root, 'deploy', '--cluster', 'staging', '--tag', '1.0.0');
    expect(noServices.code).toBe(2);
    expect(noServices.err).toEqual(['name what to deploy: --services a,b and/or --frontend']);
    const noImage = await gitops(repo.root, 'deploy', '--cluster', 'staging', '--frontend');
    expect(noImage.code).toBe(2);
    expect(noImage.err).toEqual(['give the image: --tag <tag> or --digest sha256:<64 hex digits>']);
    expect(await allFiles(repo.root)).toEqual(before);
  });

  it('Fail when the render fails after the edit: the edited and created inputs are restored exactly', async () => {
    await rm(path.join(repo.root, 'apps/payment-service/staging.yaml'), { force: true });
    // A regular file where the staging tree should be: the render's write fails.
    await rm(path.join(repo.root, 'clusters/staging/rendered'), { recursive: true });
    await writeFile(path.join(repo.root, 'clusters/staging/rendered'), 'not a folder\n');
    const before = await allFiles(repo.root);
    const result = await gitops(repo.root, 'deploy', '--cluster', 'staging', '--services', 'user-service,payment-service', '--tag', '3.0.0');
    expect(result.code).not.toBe(0);
    expect(result.err[0]).toBe('render failed; restored apps/user-service/staging.yaml, apps/payment-service/staging.yaml as they were');
    expect(await allFiles(repo.root)).toEqual(before);
  });
});

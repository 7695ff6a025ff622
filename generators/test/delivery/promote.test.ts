import { execFileSync } from 'node:child_process';
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

/** Deploys digests to staging the way CI does, so staging holds something promotable. */
async function stagingRunsDigests(): Promise<void> {
  const user = await gitops(repo.root, 'deploy', '--cluster', 'staging', '--services', 'user-service', '--tag', '2.15.0', '--digest', DIGEST_A);
  const frontend = await gitops(repo.root, 'deploy', '--cluster', 'staging', '--frontend', '--digest', DIGEST_B);
  expect([user.code, frontend.code]).toEqual([0, 0]);
}

/** Makes the temporary repository a Git checkout with everything committed (the base of the rendered diff). */
function commitAll(): void {
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], { cwd: repo.root, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-q', '-m', 'base');
}

describe('promote', () => {
  it("Pass when staging's digests are copied to production: inputs, rendered workloads, the canary steps and the rendered-diff summary", async () => {
    await stagingRunsDigests();
    commitAll();
    const productionBefore = await repo.read('apps/user-service/production.yaml');
    const result = await gitops(repo.root, 'promote', '--from', 'staging', '--to', 'production', '--services', 'user-service,frontend');
    expect(result.err).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.out.slice(0, 4)).toEqual([
      'user-service: 2.14.0@sha256:48088d5d7432… → 2.15.0@sha256:a1a1a1a1a1a1…',
      'frontend: 3.8.1@sha256:cc042c656ffc… → sha256:b2b2b2b2b2b2…',
      'wrote apps/user-service/production.yaml, apps/frontend/production.yaml',
      expect.stringMatching(/^rendered \d+ files for production, staging: \d+ written, \d+ unchanged, 0 removed$/),
    ]);
    // How each image reaches production's users: both are canary services there.
    expect(result.out.slice(4, 7)).toEqual([
      '',
      'user-service: rolls out in production as a canary: 10% (5m, analysis) → 25% (5m, analysis) → 50% (5m, analysis) → 100%; a failed analysis (5xx ratio over 1% or p95 over 500 ms) aborts it and returns all traffic to the stable version; under 100 requests in a 5-minute window pauses it for a person',
      'frontend: rolls out in production as a canary: 10% (5m, analysis) → 25% (5m, analysis) → 50% (5m, analysis) → 100%; a failed analysis (5xx ratio over 1% or p95 over 500 ms) aborts it and returns all traffic to the stable version; under 100 requests in a 5-minute window pauses it for a person',
    ]);
    // The rendered diff against HEAD follows: both production Rollouts change image, nothing in staging does.
    const diff = result.out.slice(7).join('\n').split('\n');
    expect(diff.join('\n')).toMatch(/Rendered diff against HEAD/);
    const imageLines = diff.filter((line) => / Rollout .* -> /.test(line));
    expect(imageLines).toEqual([expect.stringMatching(/^\s*production\/frontend\s/), expect.stringMatching(/^\s*production\/user-service\s/)]);
    expect(imageLines[1]).toContain(`user-service:2.15.0@${DIGEST_A}`);

    expect(await repo.read('apps/user-service/production.yaml')).toBe(
      productionBefore.replace('"2.14.0"', '"2.15.0"').replace('sha256:48088d5d743286ed2689098e2be26f564c7d26b059a7e57d98ce14c10a62242d', DIGEST_A),
    );
    expect(await repo.read('apps/frontend/production.yaml')).toBe(
      [
        OVERRIDE_SCHEMA_LINE,
        '# Production overrides of apps/frontend/service.yaml.',
        'image:',
        `  digest: ${DIGEST_B}`,
        'autoscaling:',
        '  minReplicas: 3',
        '  maxReplicas: 12',
        '',
      ].join('\n'),
    );
    expect(await renderedImages(repo.root, 'production', 'user-service')).toEqual([`${REGISTRY}/learning-platform/user-service:2.15.0@${DIGEST_A}`]);
    expect(await renderedImages(repo.root, 'production', 'frontend')).toEqual([`${REGISTRY}/learning-platform/frontend@${DIGEST_B}`]);
    // Services not named stay as they were.
    expect(await renderedImages(repo.root, 'production', 'course-service')).toEqual([
      `${REGISTRY}/learning-platform/course-service:2.14.0@sha256:cdd36b74f9ccffd66d7dabb027174487b946a1dcf79b6599e6439d9346a4a928`,
    ]);
  });

  it('Fail when staging runs a service by tag only: every such service named, told to deploy a digest first, nothing changed', async () => {
    await stagingRunsDigests();
    const before = await allFiles(repo.root);
    const result = await gitops(repo.root, 'promote', '--from', 'staging', '--to', 'production');
    expect(result.code).toBe(1);
    expect(result.out).toEqual([]);
    expect(result.err).toEqual([
      'course-service: staging runs 2.15.0-rc.1 (a tag only), which cannot be promoted; deploy a digest to staging first: gitops deploy --cluster staging --services course-service --digest sha256:<64 hex digits>',
      'notification-service: staging runs 0.9.4 (a tag only), which cannot be promoted; deploy a digest to staging first: gitops deploy --cluster staging --services notification-service --digest sha256:<64 hex digits>',
      'payment-service: staging runs 1.6.3 (a tag only), which cannot be promoted; deploy a digest to staging first: gitops deploy --cluster staging --services payment-service --digest sha256:<64 hex digits>',
      'promote refused (3 problems); nothing was changed',
    ]);
    expect(await allFiles(repo.root)).toEqual(before);
  });

  it('Fail when a cluster or service is unknown, or both clusters are one', async () => {
    const before = await allFiles(repo.root);
    const unknown = await gitops(repo.root, 'promote', '--from', 'staging', '--to', 'prodution', '--services', 'user-service,billing');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toEqual([
      '--to "prodution": unknown cluster (no clusters/prodution/cluster.yaml); did you mean "production"?; clusters: production, staging',
      '--services "billing": unknown service (no apps/billing/service.yaml); services: course-service, frontend, notification-service, payment-service, user-service',
      expect.stringMatching(/^user-service: staging runs 2\.15\.0-rc\.1 \(a tag only\)/),
      'promote refused (3 problems); nothing was changed',
    ]);
    const same = await gitops(repo.root, 'promote', '--from', 'staging', '--to', 'staging', '--services', 'user-service');
    expect(same.code).toBe(1);
    expect(same.err[0]).toBe('--to staging: the same cluster as --from; promote copies images from one cluster to another');
    expect(await allFiles(repo.root)).toEqual(before);
  });

  it('Pass when production already runs what staging runs: nothing is written; outside Git the diff is skipped with a note', async () => {
    await stagingRunsDigests();
    const first = await gitops(repo.root, 'promote', '--from', 'staging', '--to', 'production', '--services', 'user-service');
    expect(first.code).toBe(0);
    expect(first.err).toEqual([expect.stringMatching(/^rendered diff not shown: .* is not inside a Git repository/)]);
    const before = await allFiles(repo.root);
    const again = await gitops(repo.root, 'promote', '--from', 'staging', '--to', 'production', '--services', 'user-service');
    expect(again.code).toBe(0);
    expect(again.out).toEqual(['user-service: 2.15.0@sha256:a1a1a1a1a1a1… (unchanged)', 'nothing to change: every image is already set as asked']);
    expect(await allFiles(repo.root)).toEqual(before);
  });
});

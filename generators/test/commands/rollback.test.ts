import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allFiles, DIGEST_A, DIGEST_B, gitops, REGISTRY, renderedImages } from '../delivery/support/cli.js';
import { tempRepo, type TempRepo } from '../support/temp-repo.js';

/**
 * `gitops rollback` against temporary Git checkouts of the example platform whose history holds
 * several images of user-service in production: deployed one after the other, each committed by a
 * different author, one of them with the promote workflow's verification trailer.
 */

const ORIGINAL = 'sha256:48088d5d743286ed2689098e2be26f564c7d26b059a7e57d98ce14c10a62242d';
const DIGEST_C = `sha256:${'c3'.repeat(32)}`;
const NEVER = `sha256:${'d4'.repeat(32)}`;

let repo: TempRepo;
beforeEach(async () => {
  repo = await tempRepo({ fromExample: true, withRendered: true });
});
afterEach(async () => {
  await repo.cleanup();
});

function git(...args: string[]): string {
  return execFileSync('git', args, {
    cwd: repo.root,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 'Ada', GIT_AUTHOR_EMAIL: 'ada@example.com', GIT_COMMITTER_NAME: 'Ada', GIT_COMMITTER_EMAIL: 'ada@example.com' },
  }).trim();
}

function commit(message: string, author = 'Ada <ada@example.com>', date = '2026-11-01T10:00:00Z'): string {
  git('add', '.');
  git('commit', '-q', '--author', author, '--date', date, '-m', message);
  return git('rev-parse', 'HEAD');
}

/** Deploys a digest of user-service to production and commits it. */
async function deployed(digest: string, message: string, author?: string, date?: string): Promise<string> {
  const result = await gitops(repo.root, 'deploy', '--cluster', 'production', '--services', 'user-service', '--tag', '2.15.0', '--digest', digest);
  expect(result.code).toBe(0);
  return commit(message, author, date);
}

/** base (original digest) → A (verified promotion, by Grace) → B (by Linus) → C: production runs C. */
async function history(): Promise<{ base: string; a: string; b: string; c: string }> {
  git('init', '-q', '-b', 'main');
  const base = commit('base', 'Ada <ada@example.com>', '2026-10-01T10:00:00Z');
  const a = await deployed(DIGEST_A, 'promote staging to production\n\nGitops-Verified: integration-tests on staging at 1234 (run 1)', 'Grace <grace@example.com>', '2026-10-02T10:00:00Z');
  // A change beside the image: the same image, not a new entry.
  await repo.write('apps/user-service/production.yaml', (await repo.read('apps/user-service/production.yaml')).replace('replicas: 3', 'replicas: 4'));
  expect((await gitops(repo.root, 'render')).code).toBe(0);
  commit('user-service: 4 replicas', 'Ada <ada@example.com>', '2026-10-03T10:00:00Z');
  const b = await deployed(DIGEST_B, 'deploy to production: user-service', 'Linus <linus@example.com>', '2026-10-04T10:00:00Z');
  const c = await deployed(DIGEST_C, 'deploy to production: user-service (C)', 'Linus <linus@example.com>', '2026-10-05T10:00:00Z');
  return { base, a, b, c };
}

const image = (digest: string) => `${REGISTRY}/learning-platform/user-service:2.15.0@${digest}`;

describe('rollback', () => {
  it('Pass when --list prints each image production ran, newest first, with commit, date, author and verification, and changes nothing', async () => {
    const commits = await history();
    const before = await allFiles(repo.root);
    const result = await gitops(repo.root, 'rollback', '--cluster', 'production', '--services', 'user-service', '--list');
    expect(result.err).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.out[0]).toBe('user-service in production: runs 2.15.0@sha256:c3c3c3c3c3c3…');
    const rows = result.out.slice(1);
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatch(new RegExp(`^  now\\s+2\\.15\\.0@sha256:c3c3c3c3c3c3…\\s+${commits.c.slice(0, 12)}  2026-10-05\\s+Linus: deploy to production: user-service \\(C\\)$`));
    expect(rows[1]).toMatch(new RegExp(`^  previous\\s+2\\.15\\.0@sha256:b2b2b2b2b2b2…\\s+${commits.b.slice(0, 12)}  2026-10-04\\s+Linus:`));
    // A's run spans two commits (the replicas change kept the image): the entry is the commit that set it.
    expect(rows[2]).toMatch(new RegExp(`^\\s+2\\.15\\.0@sha256:a1a1a1a1a1a1…\\s+${commits.a.slice(0, 12)}  2026-10-02  verified  Grace: promote staging to production$`));
    expect(rows[3]).toMatch(new RegExp(`^\\s+2\\.14\\.0@sha256:48088d5d7432…\\s+${commits.base.slice(0, 12)}  2026-10-01\\s+Ada: base$`));
    expect(await allFiles(repo.root)).toEqual(before);
  });

  it('Pass when no --to is given: the previous image, written and rendered, with its commit, the canary steps again and the rendered diff', async () => {
    const commits = await history();
    const result = await gitops(repo.root, 'rollback', '--cluster', 'production', '--services', 'user-service');
    expect(result.err).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.out[0]).toBe('user-service: 2.15.0@sha256:c3c3c3c3c3c3… → 2.15.0@sha256:b2b2b2b2b2b2…');
    expect(result.out[1]).toBe(`  set by ${commits.b.slice(0, 12)} on 2026-10-04 by Linus: deploy to production: user-service`);
    expect(result.out[2]).toBe('wrote apps/user-service/production.yaml');
    const text = result.out.join('\n');
    expect(text).toContain('user-service: rolls out in production as a canary: 10% (5m, analysis)');
    expect(text).toContain('A rollback runs these steps and the analysis again; in an incident, once Argo CD has synced, skip them with: kubectl argo rollouts promote user-service -n user-service --full');
    expect(text).toMatch(/Rendered diff against HEAD/);
    expect(await renderedImages(repo.root, 'production', 'user-service')).toEqual([image(DIGEST_B)]);
    expect(await repo.read('apps/user-service/production.yaml')).toContain(`digest: ${DIGEST_B}`);
  });

  it('Pass when --verified skips the images whose promotion recorded no verification', async () => {
    await history();
    const result = await gitops(repo.root, 'rollback', '--cluster', 'production', '--services', 'user-service', '--verified');
    expect(result.code).toBe(0);
    expect(result.out[0]).toBe('user-service: 2.15.0@sha256:c3c3c3c3c3c3… → 2.15.0@sha256:a1a1a1a1a1a1…');
    expect(result.out[1]).toContain('(verified: integration-tests on staging at 1234 (run 1))');
    expect(await renderedImages(repo.root, 'production', 'user-service')).toEqual([image(DIGEST_A)]);
  });

  it('Pass when --to names a digest production ran, or a commit (the image it had there)', async () => {
    const commits = await history();
    const byDigest = await gitops(repo.root, 'rollback', '--cluster', 'production', '--services', 'user-service', '--to', DIGEST_A);
    expect(byDigest.code).toBe(0);
    expect(await renderedImages(repo.root, 'production', 'user-service')).toEqual([image(DIGEST_A)]);
    git('checkout', '-q', '--', '.');
    const byCommit = await gitops(repo.root, 'rollback', '--cluster', 'production', '--services', 'user-service', '--to', commits.base.slice(0, 10));
    expect(byCommit.err).toEqual([]);
    expect(byCommit.code).toBe(0);
    expect(byCommit.out[0]).toBe('user-service: 2.15.0@sha256:c3c3c3c3c3c3… → 2.14.0@sha256:48088d5d7432…');
    expect(await renderedImages(repo.root, 'production', 'user-service')).toEqual([`${REGISTRY}/learning-platform/user-service:2.14.0@${ORIGINAL}`]);
  });

  it('Fail when --to names a digest production never ran: refused, nothing changed; --force accepts it', async () => {
    await history();
    const before = await allFiles(repo.root);
    const refused = await gitops(repo.root, 'rollback', '--cluster', 'production', '--services', 'user-service', '--to', NEVER);
    expect(refused.code).toBe(1);
    expect(refused.err).toEqual([
      `--to ${NEVER}: user-service in production never ran this digest (digests it ran: 2.15.0@sha256:c3c3c3c3c3c3…, 2.15.0@sha256:b2b2b2b2b2b2…, 2.15.0@sha256:a1a1a1a1a1a1…, 2.14.0@sha256:48088d5d7432…); check the digest, or pass --force to roll back to it anyway`,
      'rollback refused (1 problem); nothing was changed',
    ]);
    expect(await allFiles(repo.root)).toEqual(before);

    const forced = await gitops(repo.root, 'rollback', '--cluster', 'production', '--services', 'user-service', '--to', NEVER, '--force');
    expect(forced.code).toBe(0);
    expect(forced.out[1]).toBe('  forced: production never ran this digest (--force)');
    expect(await renderedImages(repo.root, 'production', 'user-service')).toEqual([`${REGISTRY}/learning-platform/user-service@${NEVER}`]);
  });

  it('Fail when there is nothing to go back to, --verified finds no verified image, --to is neither a digest nor a commit, or a digest is given for two services', async () => {
    git('init', '-q', '-b', 'main');
    commit('base');
    const before = await allFiles(repo.root);
    const cases: [string[], RegExp][] = [
      [['--services', 'user-service'], /^user-service in production: no image before 2\.14\.0@sha256:48088d5d7432… in the history of apps\/user-service\/service\.yaml and apps\/user-service\/production\.yaml$/],
      [['--services', 'user-service', '--verified'], /no verified image before .*; leave out --verified, or name one with --to$/],
      [['--services', 'user-service', '--to', 'no-such-ref'], /^--to "no-such-ref": neither a digest \(sha256:<64 hex digits>\) nor a commit of this repository$/],
      [['--services', 'user-service,frontend', '--to', DIGEST_A], /a digest names the image of one service/],
      [['--services', 'user-service', '--to', 'sha256:abc'], /^--to "sha256:abc": /],
    ];
    for (const [args, message] of cases) {
      const result = await gitops(repo.root, 'rollback', '--cluster', 'production', ...args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.err[0]).toMatch(message);
    }
    expect(await allFiles(repo.root)).toEqual(before);
  });

  it('Fail when a commit off HEAD\'s history holds an image the cluster never ran, unless --force', async () => {
    await history();
    git('switch', '-q', '-c', 'experiment');
    const experiment = await deployed(NEVER, 'try a build production never ran');
    git('switch', '-q', 'main');
    const refused = await gitops(repo.root, 'rollback', '--cluster', 'production', '--services', 'user-service', '--to', experiment);
    expect(refused.code).toBe(1);
    expect(refused.err[0]).toMatch(/is not in the history of HEAD and user-service in production never ran its image 2\.15\.0@sha256:d4d4d4d4d4d4…; pass --force/);
    const forced = await gitops(repo.root, 'rollback', '--cluster', 'production', '--services', 'user-service', '--to', experiment, '--force');
    expect(forced.code).toBe(0);
    expect(await renderedImages(repo.root, 'production', 'user-service')).toEqual([image(NEVER)]);
  });

  it('Pass when several services of staging go back by tag (a staging cluster takes tags)', async () => {
    git('init', '-q', '-b', 'main');
    commit('base');
    for (const args of [['--services', 'user-service', '--tag', '2.15.0'], ['--services', 'course-service', '--tag', '9.9.9']]) {
      expect((await gitops(repo.root, 'deploy', '--cluster', 'staging', ...args)).code).toBe(0);
    }
    commit('deploy to staging');
    const result = await gitops(repo.root, 'rollback', '--cluster', 'staging', '--services', 'user-service,course-service');
    expect(result.err).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.out.filter((line) => line.includes('→'))).toEqual([
      'user-service: 2.15.0 → 2.15.0-rc.1',
      expect.stringMatching(/^course-service: 9\.9\.9 → /),
    ]);
    expect(await repo.read('apps/user-service/staging.yaml')).toContain('tag: "2.15.0-rc.1"');
  });

  it('Fail when the root is not a Git checkout (usage error, exit 2)', async () => {
    const result = await gitops(repo.root, 'rollback', '--cluster', 'production', '--services', 'user-service');
    expect(result.code).toBe(2);
    expect(result.err[0]).toMatch(/is not inside a Git repository/);
  });
});

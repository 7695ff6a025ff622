/**
 * `gitops diff --apiserver`: the base object of every changed resource is applied to a real
 * kube-apiserver and the head object over it. What the server refuses as an update (and would
 * accept as a new object) is flagged: danger, or data-loss for a stateful resource.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureControlPlane } from '../../src/tools/control-plane-build.js';
import { repoRoot } from '../support/temp-repo.js';
import { parse, stringify } from 'yaml';
import { gitRepo, type GitRepo } from './support/git-repo.js';

const SLOW = { timeout: 600_000 };
const P = 'clusters/production/rendered';
const previousCacheRoot = process.env['GITOPS_CACHE_ROOT'];
let repo: GitRepo;

interface Flag {
  level: string;
  rule: string;
  resource: string;
  message: string;
}

let result: { code: number; flags: Flag[] };

/** Edits one rendered object of the example tree in place. */
async function edit(file: string, change: (object: Record<string, any>) => void): Promise<void> {
  const text = await repo.read(file);
  const header = text.split('\n')[0]!;
  const object = parse(text) as Record<string, any>;
  change(object);
  await repo.write(file, `${header}\n${stringify(object)}`);
}

beforeAll(async () => {
  process.env['GITOPS_CACHE_ROOT'] = repoRoot;
  await ensureControlPlane(repoRoot, '1.35');
  // The base: the example platform as committed. The head: a new selector, a new image, a head
  // object invalid on its own, and a renamed ACK bucket.
  repo = await gitRepo({ fromExample: true });
  // notification-service has no ingress, so production keeps it a Deployment (the others are canary Rollouts).
  await edit(`${P}/apps/notification-service/deployment.notification-service.yaml`, (o) => {
    o['spec'].selector.matchLabels.tier = 'api';
    o['spec'].template.metadata.labels.tier = 'api';
  });
  await edit(`${P}/apps/frontend/rollout.frontend.yaml`, (o) => {
    o['spec'].template.spec.containers[0].image = o['spec'].template.spec.containers[0].image.replace(/@sha256:[0-9a-f]{8}/, '@sha256:00000000');
  });
  await edit(`clusters/staging/rendered/apps/course-service/deployment.course-service.yaml`, (o) => {
    o['spec'].minReadySeconds = -1;
  });
  await edit(`${P}/infra/assets-bucket/bucket.assets-bucket.yaml`, (o) => {
    o['spec'].name = `${o['spec'].name}-v2`;
  });
  const run = await repo.gitops('diff', '--base', 'HEAD', '--format', 'json', '--apiserver');
  result = { code: run.code, flags: (JSON.parse(run.out) as { flags: Flag[] }).flags };
}, 1_800_000);

afterAll(async () => {
  await repo?.cleanup();
  if (previousCacheRoot === undefined) delete process.env['GITOPS_CACHE_ROOT'];
  else process.env['GITOPS_CACHE_ROOT'] = previousCacheRoot;
});

const updateFlags = () => result.flags.filter((flag) => flag.rule === 'update-refused' || flag.rule === 'stateful-update-refused');

describe('gitops diff --apiserver', () => {
  it('Fail when a Deployment selector changes: the server refuses the update, a danger flag names the object and the message', SLOW, () => {
    const flag = updateFlags().find((f) => f.resource === 'Deployment notification-service/notification-service');
    expect(flag).toMatchObject({ level: 'danger', rule: 'update-refused' });
    expect(flag!.message).toContain('field is immutable');
  });

  it('Fail when an ACK Bucket is renamed: its oldSelf rule refuses the update, a data-loss flag (exit 3)', SLOW, () => {
    const flag = updateFlags().find((f) => f.resource === 'Bucket infra/assets-bucket');
    expect(flag).toMatchObject({ level: 'data-loss', rule: 'stateful-update-refused' });
    expect(flag!.message).toMatch(/immutable|oldSelf/i);
    expect(result.code).toBe(3);
  });

  it('Pass when a change is a valid update (new image digest): no update flag', SLOW, () => {
    expect(updateFlags().map((f) => f.resource)).not.toContain('Rollout frontend/frontend');
  });

  it('Pass when the head object is invalid on its own: that is validate\'s finding, not an update flag', SLOW, () => {
    expect(updateFlags().map((f) => f.resource)).not.toContain('Deployment course-service/course-service');
    expect(updateFlags()).toHaveLength(2);
  });
});

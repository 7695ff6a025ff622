/**
 * `gitops diff --apiserver`: the base object of every changed resource is applied to a real
 * kube-apiserver and the head object over it. What the server refuses as an update (and would
 * accept as a new object) is flagged: danger, or data-loss for a stateful resource.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureControlPlane } from '../../src/tools/control-plane-build.js';
import { repoRoot } from '../support/temp-repo.js';
import { gitRepo, object, type GitRepo } from './support/git-repo.js';

const SLOW = { timeout: 600_000 };
const P = 'clusters/production/rendered';
const previousCacheRoot = process.env['GITOPS_CACHE_ROOT'];
let repo: GitRepo;

function deployment(name: string, image: string, selector: Record<string, string>) {
  return object('apps/v1', 'Deployment', name, 'shop', {
    spec: {
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: { ...selector, 'app.kubernetes.io/name': name } },
        spec: {
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{ name: 'main', image, securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
        },
      },
    },
  });
}

const bucket = (bucketName: string) => object('s3.services.k8s.aws/v1alpha1', 'Bucket', 'assets', 'shop', { spec: { name: bucketName } });

interface Flag {
  level: string;
  rule: string;
  resource: string;
  message: string;
}

let result: { code: number; flags: Flag[] };

beforeAll(async () => {
  process.env['GITOPS_CACHE_ROOT'] = repoRoot;
  await ensureControlPlane(repoRoot, '1.35');
  repo = await gitRepo({
    files: {
      'clusters/production/cluster.yaml': { flavor: 'eks', kubernetesVersion: '1.35' },
      'clusters/staging/cluster.yaml': { flavor: 'k3s', kubernetesVersion: '1.35' },
      [`${P}/apps/web/namespace.shop.yaml`]: object('v1', 'Namespace', 'shop', undefined),
      [`${P}/apps/web/deployment.selector.yaml`]: deployment('selector', 'nginx:1.27', { 'app.kubernetes.io/name': 'selector' }),
      [`${P}/apps/web/deployment.image.yaml`]: deployment('image', 'nginx:1.27', { 'app.kubernetes.io/name': 'image' }),
      [`${P}/apps/web/deployment.broken.yaml`]: deployment('broken', 'nginx:1.27', { 'app.kubernetes.io/name': 'broken' }),
      [`${P}/infra/bucket.assets.yaml`]: bucket('learning-assets'),
    },
  });
  // The head: a new selector, a new image, a head object invalid on its own, a renamed bucket.
  await repo.write(`${P}/apps/web/deployment.selector.yaml`, deployment('selector', 'nginx:1.27', { 'app.kubernetes.io/name': 'selector', tier: 'web' }));
  await repo.write(`${P}/apps/web/deployment.image.yaml`, deployment('image', 'nginx:1.28', { 'app.kubernetes.io/name': 'image' }));
  const broken = deployment('broken', 'nginx:1.28', { 'app.kubernetes.io/name': 'broken' }) as { spec: { replicas?: number } };
  broken.spec.replicas = -1;
  await repo.write(`${P}/apps/web/deployment.broken.yaml`, broken);
  await repo.write(`${P}/infra/bucket.assets.yaml`, bucket('learning-assets-v2'));
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
    const flag = updateFlags().find((f) => f.resource === 'Deployment shop/selector');
    expect(flag).toMatchObject({ level: 'danger', rule: 'update-refused' });
    expect(flag!.message).toContain('field is immutable');
  });

  it('Fail when an ACK Bucket is renamed: its oldSelf rule refuses the update, a data-loss flag (exit 3)', SLOW, () => {
    const flag = updateFlags().find((f) => f.resource === 'Bucket shop/assets');
    expect(flag).toMatchObject({ level: 'data-loss', rule: 'stateful-update-refused' });
    expect(flag!.message).toMatch(/immutable|oldSelf/i);
    expect(result.code).toBe(3);
  });

  it('Pass when a change is a valid update (new image): no update flag', SLOW, () => {
    expect(updateFlags().map((f) => f.resource)).not.toContain('Deployment shop/image');
  });

  it('Pass when the head object is invalid on its own: that is validate\'s finding, not an update flag', SLOW, () => {
    expect(updateFlags().map((f) => f.resource)).not.toContain('Deployment shop/broken');
    expect(updateFlags()).toHaveLength(2);
  });
});

import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { run } from '../../src/cli/main.js';
import { COMMENT_LIMIT, PART_MARKER_PATTERN } from '../../src/diff/format/markdown.js';
import { CLUSTERS, gitRepo, object, type GitRepo } from './support/git-repo.js';

const repos: GitRepo[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((repo) => repo.cleanup()));
});

async function repoWith(files: Record<string, string | object>): Promise<GitRepo> {
  const repo = await gitRepo({ files: { ...CLUSTERS, ...files } });
  repos.push(repo);
  return repo;
}

const P = 'clusters/production/rendered';
const S = 'clusters/staging/rendered';

function deployment(name: string, image: string, extra: { replicas?: number; selector?: Record<string, string> } = {}) {
  return object('apps/v1', 'Deployment', name, name, {
    spec: {
      replicas: extra.replicas ?? 2,
      selector: { matchLabels: extra.selector ?? { 'app.kubernetes.io/name': name } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': name } },
        spec: {
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{ name, image, securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } } }],
        },
      },
    },
  });
}

interface JsonReport {
  exitCode: number;
  dataLoss: boolean;
  totals: { added: number; changed: number; removed: number; moved: number; unchanged: number };
  flags: { level: string; rule: string; cluster: string; app: string; resource: string; message: string }[];
  images: { container: string; from?: string; to?: string }[];
  clusters: { name: string; production: boolean; apps: { name: string; changes: { status: string; kind: string; name: string; file: string; movedFrom?: string; patch?: string; hiddenChanges?: string[] }[] }[] }[];
}

async function jsonDiff(repo: GitRepo, base = 'HEAD'): Promise<{ code: number; report: JsonReport; err: string }> {
  const result = await repo.gitops('diff', '--base', base, '--format', 'json');
  return { code: result.code, report: JSON.parse(result.out) as JsonReport, err: result.err };
}

const rules = (report: JsonReport) => report.flags.map((flag) => flag.rule);

describe('gitops diff', () => {
  it('Pass when nothing changed: exit 0, an empty plan', async () => {
    const repo = await repoWith({ [`${S}/apps/web/deployment.web.yaml`]: deployment('web', 'r/web:1.0.0') });
    const result = await repo.gitops('diff', '--base', 'HEAD');
    expect(result.code).toBe(0);
    expect(result.out).toContain('Plan: 0 to add, 0 to change, 0 to destroy.');
    expect(result.out).toContain('No changes to the rendered tree.');
  });

  it('reports added, changed and removed resources per cluster and app, by kind', async () => {
    const repo = await repoWith({
      [`${S}/apps/web/deployment.web.yaml`]: deployment('web', 'r/web:1.0.0'),
      [`${S}/apps/web/configmap.web-env.yaml`]: object('v1', 'ConfigMap', 'web-env', 'web', { data: { LOG_LEVEL: 'info' } }),
    });
    await repo.write(`${S}/apps/web/deployment.web.yaml`, deployment('web', 'r/web:1.1.0'));
    await repo.remove(`${S}/apps/web/configmap.web-env.yaml`);
    await repo.write(`${S}/apps/api/service.api.yaml`, object('v1', 'Service', 'api', 'api', { spec: { selector: { app: 'api' } } }));

    const { code, report } = await jsonDiff(repo);
    expect(code).toBe(0);
    expect(report.totals).toMatchObject({ added: 1, changed: 1, removed: 1, moved: 0 });
    const staging = report.clusters.find((cluster) => cluster.name === 'staging')!;
    expect(staging.production).toBe(false);
    expect(staging.apps.map((app) => app.name)).toEqual(['api', 'web']);
    const web = staging.apps.find((app) => app.name === 'web')!;
    expect(web.changes.map((change) => `${change.status} ${change.kind}`)).toEqual(['removed ConfigMap', 'changed Deployment']);
    const patch = web.changes.find((change) => change.kind === 'Deployment')!.patch!;
    expect(patch).toContain('-          image: r/web:1.0.0');
    expect(patch).toContain('+          image: r/web:1.1.0');
    expect(patch).toMatch(/^--- a\/clusters\/staging\/rendered\/apps\/web\/deployment\.web\.yaml\n\+\+\+ b\//);

    const text = await repo.gitops('diff', '--base', 'HEAD');
    expect(text.out).toContain('Plan: 1 to add, 1 to change, 1 to destroy.');
    expect(text.out).toMatch(/staging \/ web: \+?.*~1 changed \(Deployment\), -1 removed \(ConfigMap\)/);
    expect(text.out).not.toContain('\u001b['); // no colour when not a terminal
  });

  it('colours the terminal output when standard output is a terminal', async () => {
    const repo = await repoWith({ [`${S}/apps/web/deployment.web.yaml`]: deployment('web', 'r/web:1.0.0') });
    await repo.write(`${S}/apps/web/deployment.web.yaml`, deployment('web', 'r/web:1.1.0'));
    const out: string[] = [];
    const code = await run(['--root', repo.root, 'diff', '--base', 'HEAD'], { out: (line) => out.push(line), err: () => undefined, isTTY: true, signal: new AbortController().signal });
    expect(code).toBe(0);
    const text = out.join('\n');
    expect(text).toContain('\u001b[31m-          image: r/web:1.0.0\u001b[0m');
    expect(text).toContain('\u001b[32m+          image: r/web:1.1.0\u001b[0m');
  });

  it('treats a resource whose file moved as moved, not as a delete and an add', async () => {
    const queue = object('sqs.services.k8s.aws/v1alpha1', 'Queue', 'orders', 'shop', { spec: { queueName: 'orders' } });
    const repo = await repoWith({ [`${P}/infra/queue.orders.yaml`]: queue });
    await repo.remove(`${P}/infra/queue.orders.yaml`);
    await repo.write(`${P}/infra/sqs/orders.yaml`, queue);
    const { code, report } = await jsonDiff(repo);
    expect(code).toBe(0);
    expect(report.totals).toMatchObject({ added: 0, changed: 0, removed: 0, moved: 1 });
    const change = report.clusters[0]!.apps[0]!.changes[0]!;
    expect(change).toMatchObject({ status: 'moved', movedFrom: `${P}/infra/queue.orders.yaml`, file: `${P}/infra/sqs/orders.yaml` });
    expect(rules(report)).not.toContain('stateful-deletion');
  });

  it('pairs an object rendered in two files with itself in each file (no false add or move)', async () => {
    const project = object('argoproj.io/v1alpha1', 'AppProject', 'platform', 'argocd', { spec: { sourceRepos: ['https://example.com/repo.git'] } });
    const repo = await repoWith({ [`${S}/argocd/appproject.platform.yaml`]: project, [`${S}/bootstrap/appproject.platform.yaml`]: project });
    await repo.write(`${S}/bootstrap/appproject.platform.yaml`, { ...project, spec: { sourceRepos: ['https://example.com/repo.git'], description: 'root' } });
    const { code, report } = await jsonDiff(repo);
    expect(code).toBe(0);
    expect(report.totals).toMatchObject({ added: 0, changed: 1, removed: 0, moved: 0, unchanged: 1 });
    expect(report.clusters[0]!.apps[0]!.changes[0]).toMatchObject({ status: 'changed', file: `${S}/bootstrap/appproject.platform.yaml` });
  });

  it('treats an apiVersion moved within its group as a change of one object', async () => {
    const repo = await repoWith({ [`${S}/infra/bucket.assets.yaml`]: object('s3.aws.upbound.io/v1beta1', 'Bucket', 'assets', undefined, { spec: { forProvider: { region: 'eu-west-1' } } }) });
    await repo.write(`${S}/infra/bucket.assets.yaml`, object('s3.aws.upbound.io/v1beta2', 'Bucket', 'assets', undefined, { spec: { forProvider: { region: 'eu-west-1' } } }));
    const { code, report } = await jsonDiff(repo);
    expect(code).toBe(0);
    expect(report.totals).toMatchObject({ added: 0, changed: 1, removed: 0 });
  });

  it('Fail when a PR deletes a queue and bumps an image: exit 3, the queue under a data-loss flag, the image listed, parts under the limit, no secret', async () => {
    const repo = await gitRepo({ fromExample: true });
    repos.push(repo);
    const secretValue = 'sk_live_51HxYzAbCdEfGhIjKlMnOpQr';
    await repo.write(`${P}/infra/queue.orders-events.yaml`, object('sqs.services.k8s.aws/v1alpha1', 'Queue', 'orders-events', 'payment-service', { spec: { queueName: 'orders-events' } }));
    await repo.write(`${P}/apps/payment-service/configmap.stripe.yaml`, object('v1', 'ConfigMap', 'stripe', 'payment-service', { data: { STRIPE_API_KEY: secretValue } }));
    await repo.commit('base with a queue');
    await repo.remove(`${P}/infra/queue.orders-events.yaml`);
    const file = `${P}/apps/user-service/rollout.user-service.yaml`;
    const text = await repo.read(file);
    await repo.write(file, text.replace(/user-service:2\.14\.0@sha256:[a-f0-9]{64}/, `user-service:2.15.0@sha256:${'c3'.repeat(32)}`));
    await repo.write(`${P}/apps/payment-service/configmap.stripe.yaml`, object('v1', 'ConfigMap', 'stripe', 'payment-service', { data: { STRIPE_API_KEY: `${secretValue}2` } }));

    const result = await repo.gitops('diff', '--base', 'HEAD', '--format', 'markdown', '--output', path.join(repo.root, 'out/diff.md'), '--parts-dir', path.join(repo.root, 'out/parts'));
    expect(result.code).toBe(3);
    expect(result.err).toMatch(/1 data-loss flag raised \(exit 3\)/);
    const full = await readFile(path.join(repo.root, 'out/diff.md'), 'utf8');
    const flagsTable = full.slice(full.indexOf('#### Risk flags'), full.indexOf('#### Image changes'));
    expect(flagsTable).toMatch(/🛑 data loss \| `stateful-deletion` \| production \/ infra \| Queue payment-service\/orders-events \| deletes the queue and its data/);
    expect(full).toContain('#### Image changes');
    expect(full).toContain(`user-service:2.15.0@sha256:${'c3'.repeat(32)}`);
    expect(full).toContain('`production-change`');
    expect(full).not.toContain(secretValue);
    expect(full).toContain('Redacted values changed: `data.STRIPE_API_KEY`');
    const parts = await readdir(path.join(repo.root, 'out/parts'));
    expect(parts).toEqual(['part-1.md']);
    const part = await readFile(path.join(repo.root, 'out/parts/part-1.md'), 'utf8');
    expect(part.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(part).toMatch(PART_MARKER_PATTERN);
    expect(part).not.toContain(secretValue);
    expect(result.out).toContain('full markdown diff written to');
  });

  describe('data-loss flags', () => {
    it('Fail when a Crossplane RDS Instance is renamed (a delete and an add)', async () => {
      const db = (name: string) => object('rds.aws.upbound.io/v1beta3', 'Instance', name, undefined, { spec: { forProvider: { region: 'eu-west-1', engine: 'postgres' } } });
      const repo = await repoWith({ [`${S}/infra/instance.users.yaml`]: db('users') });
      await repo.remove(`${S}/infra/instance.users.yaml`);
      await repo.write(`${S}/infra/instance.users-db.yaml`, db('users-db'));
      const { code, report } = await jsonDiff(repo);
      expect(code).toBe(3);
      const flag = report.flags.find((entry) => entry.rule === 'stateful-deletion')!;
      expect(flag).toMatchObject({ level: 'data-loss', resource: 'Instance users' });
      expect(flag.message).toContain('renamed to users-db');
    });

    it('Fail when a PersistentVolumeClaim is deleted, or the Namespace holding a database', async () => {
      const repo = await repoWith({
        [`${S}/apps/db/persistentvolumeclaim.data.yaml`]: object('v1', 'PersistentVolumeClaim', 'data', 'db', { spec: { resources: { requests: { storage: '1Gi' } } } }),
        [`${P}/apps/users/namespace.users.yaml`]: object('v1', 'Namespace', 'users', undefined),
        [`${P}/infra/dbinstance.users.yaml`]: object('rds.services.k8s.aws/v1alpha1', 'DBInstance', 'users', 'users', { spec: { engine: 'postgres', dbInstanceIdentifier: 'users' } }),
      });
      await repo.remove(`${S}/apps/db/persistentvolumeclaim.data.yaml`);
      await repo.remove(`${P}/apps/users/namespace.users.yaml`);
      const { code, report } = await jsonDiff(repo);
      expect(code).toBe(3);
      const deletions = report.flags.filter((entry) => entry.rule === 'stateful-deletion');
      expect(deletions.map((entry) => entry.resource).sort()).toEqual(['Namespace users', 'PersistentVolumeClaim db/data']);
      expect(deletions.find((entry) => entry.resource === 'Namespace users')!.message).toContain('database DBInstance users/users');
    });

    const replacements: [string, string, Record<string, unknown>, Record<string, unknown>, string][] = [
      ['the ACK DB identifier', 'rds.services.k8s.aws/v1alpha1', { kind: 'DBInstance', spec: { dbInstanceIdentifier: 'users', engine: 'postgres' } }, { spec: { dbInstanceIdentifier: 'users-2', engine: 'postgres' } }, 'spec.dbInstanceIdentifier changes users → users-2'],
      ['the ACK DB engine', 'rds.services.k8s.aws/v1alpha1', { kind: 'DBInstance', spec: { dbInstanceIdentifier: 'users', engine: 'postgres' } }, { spec: { dbInstanceIdentifier: 'users', engine: 'aurora-postgresql' } }, 'spec.engine changes postgres → aurora-postgresql'],
      ['an ACK bucket name', 's3.services.k8s.aws/v1alpha1', { kind: 'Bucket', spec: { name: 'assets-a' } }, { spec: { name: 'assets-b' } }, 'spec.name changes assets-a → assets-b'],
      ['an ACK queue to FIFO', 'sqs.services.k8s.aws/v1alpha1', { kind: 'Queue', spec: { queueName: 'jobs' } }, { spec: { queueName: 'jobs', fifoQueue: 'true' } }, 'spec.fifoQueue changes (unset) → true'],
      ['Crossplane Redis cluster mode', 'elasticache.aws.upbound.io/v1beta2', { kind: 'ReplicationGroup', spec: { forProvider: { region: 'eu-west-1', clusterMode: 'disabled' } } }, { spec: { forProvider: { region: 'eu-west-1', clusterMode: 'enabled' } } }, 'spec.forProvider.clusterMode changes disabled → enabled'],
      ['a Crossplane external name', 'sqs.aws.m.upbound.io/v1beta1', { kind: 'Queue', metadata: { annotations: { 'crossplane.io/external-name': 'jobs' } }, spec: { forProvider: { region: 'eu-west-1' } } }, { metadata: { annotations: { 'crossplane.io/external-name': 'jobs-v2' } } }, 'crossplane.io/external-name changes jobs → jobs-v2'],
    ];
    for (const [what, apiVersion, before, after, expected] of replacements) {
      it(`Fail when ${what} changes (AWS replaces the resource)`, async () => {
        const kind = String(before['kind']);
        const base = { apiVersion, kind, metadata: { name: 'r', namespace: 'shop', ...((before['metadata'] as object) ?? {}) }, spec: before['spec'] };
        const head = { ...base, metadata: { ...base.metadata, ...((after['metadata'] as object) ?? {}) }, spec: after['spec'] ?? base.spec };
        const repo = await repoWith({ [`${S}/infra/${kind.toLowerCase()}.r.yaml`]: base });
        await repo.write(`${S}/infra/${kind.toLowerCase()}.r.yaml`, head);
        const { code, report } = await jsonDiff(repo);
        expect(code).toBe(3);
        const flag = report.flags.find((entry) => entry.rule === 'stateful-replacement')!;
        expect(flag.level).toBe('data-loss');
        expect(flag.message).toContain(expected);
      });
    }

    it('Pass with a danger flag (exit 0) when only a protection is weakened', async () => {
      const db = (protect: boolean) =>
        object('rds.services.k8s.aws/v1alpha1', 'DBInstance', 'users', 'users', {
          metadata: { name: 'users', namespace: 'users', annotations: protect ? { 'services.k8s.aws/deletion-policy': 'retain' } : {} },
          spec: { dbInstanceIdentifier: 'users', engine: 'postgres', deletionProtection: protect },
        });
      const repo = await repoWith({ [`${P}/infra/dbinstance.users.yaml`]: db(true) });
      await repo.write(`${P}/infra/dbinstance.users.yaml`, db(false));
      const { code, report } = await jsonDiff(repo);
      expect(code).toBe(0);
      const flag = report.flags.find((entry) => entry.rule === 'protection-weakened')!;
      expect(flag.level).toBe('danger');
      expect(flag.message).toContain('ACK deletion policy retain');
      expect(flag.message).toContain('spec.deletionProtection true → false');
    });
  });

  describe('danger and notice flags', () => {
    it('flags a changed Deployment selector and replicas or autoscaling max going to 0', async () => {
      const repo = await repoWith({
        [`${S}/apps/web/deployment.web.yaml`]: deployment('web', 'r/web:1'),
        [`${S}/apps/api/deployment.api.yaml`]: deployment('api', 'r/api:1'),
        [`${S}/apps/api/horizontalpodautoscaler.api.yaml`]: object('autoscaling/v2', 'HorizontalPodAutoscaler', 'api', 'api', { spec: { minReplicas: 1, maxReplicas: 4 } }),
      });
      await repo.write(`${S}/apps/web/deployment.web.yaml`, deployment('web', 'r/web:1', { selector: { app: 'web' } }));
      await repo.write(`${S}/apps/api/deployment.api.yaml`, deployment('api', 'r/api:1', { replicas: 0 }));
      await repo.write(`${S}/apps/api/horizontalpodautoscaler.api.yaml`, object('autoscaling/v2', 'HorizontalPodAutoscaler', 'api', 'api', { spec: { minReplicas: 0, maxReplicas: 0 } }));
      const { code, report } = await jsonDiff(repo);
      expect(code).toBe(0);
      expect(report.flags.filter((flag) => flag.level === 'danger').map((flag) => `${flag.rule} ${flag.resource}`)).toEqual([
        'selector-changed Deployment web/web',
        'scaled-to-zero Deployment api/api',
        'scaled-to-zero HorizontalPodAutoscaler api/api',
      ]);
    });

    it('flags a loosened security context and Pod Security level', async () => {
      const loose = deployment('web', 'r/web:1') as { spec: { template: { spec: { containers: { securityContext: Record<string, unknown> }[] } } } };
      loose.spec.template.spec.containers[0]!.securityContext = { allowPrivilegeEscalation: true, privileged: true, capabilities: { drop: [], add: ['SYS_ADMIN'] } };
      const ns = (level: string) => object('v1', 'Namespace', 'web', undefined, { metadata: { name: 'web', labels: { 'pod-security.kubernetes.io/enforce': level } } });
      const repo = await repoWith({ [`${S}/apps/web/deployment.web.yaml`]: deployment('web', 'r/web:1'), [`${S}/apps/web/namespace.web.yaml`]: ns('restricted') });
      await repo.write(`${S}/apps/web/deployment.web.yaml`, loose);
      await repo.write(`${S}/apps/web/namespace.web.yaml`, ns('privileged'));
      const { report } = await jsonDiff(repo);
      const messages = report.flags.filter((flag) => flag.rule === 'security-loosened').map((flag) => flag.message).join('\n');
      expect(messages).toContain('container web: privileged → true');
      expect(messages).toContain('allowPrivilegeEscalation false → true');
      expect(messages).toContain('capabilities no longer drop ALL');
      expect(messages).toContain('capabilities add SYS_ADMIN');
      expect(messages).toContain('Pod Security enforce restricted → privileged');
    });

    it('flags a removed or widened NetworkPolicy and a loosened AppProject', async () => {
      const deny = object('networking.k8s.io/v1', 'NetworkPolicy', 'default-deny', 'web', { spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } });
      const allow = (rules: unknown[]) => object('networking.k8s.io/v1', 'NetworkPolicy', 'web', 'web', { spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: rules } });
      const project = (repos: string[]) => object('argoproj.io/v1alpha1', 'AppProject', 'apps', 'argocd', { spec: { sourceRepos: repos, destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'web' }] } });
      const repo = await repoWith({
        [`${S}/apps/web/networkpolicy.default-deny.yaml`]: deny,
        [`${S}/apps/web/networkpolicy.web.yaml`]: allow([{ from: [{ podSelector: { matchLabels: { app: 'api' } } }] }]),
        [`${S}/argocd/appproject.apps.yaml`]: project(['https://github.com/example-org/learning-platform-gitops.git']),
      });
      await repo.remove(`${S}/apps/web/networkpolicy.default-deny.yaml`);
      await repo.write(`${S}/apps/web/networkpolicy.web.yaml`, allow([{ from: [{ podSelector: { matchLabels: { app: 'api' } } }] }, { from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }]));
      await repo.write(`${S}/argocd/appproject.apps.yaml`, project(['*']));
      const { report } = await jsonDiff(repo);
      const byResource = Object.fromEntries(report.flags.filter((flag) => flag.level === 'danger').map((flag) => [flag.resource, `${flag.rule}: ${flag.message}`]));
      expect(byResource['NetworkPolicy web/default-deny']).toMatch(/^network-policy-loosened: the NetworkPolicy is deleted/);
      expect(byResource['NetworkPolicy web/web']).toBe('network-policy-loosened: 1 new ingress rule, one open to everything');
      expect(byResource['AppProject argocd/apps']).toBe('appproject-loosened: spec.sourceRepos allows "*"');
    });

    it('flags every production change and lists every image change', async () => {
      const repo = await repoWith({
        [`${P}/apps/web/deployment.web.yaml`]: deployment('web', 'r/web:1.0.0'),
        [`${S}/apps/web/deployment.web.yaml`]: deployment('web', 'r/web:1.0.0'),
      });
      await repo.write(`${P}/apps/web/deployment.web.yaml`, deployment('web', 'r/web:1.0.1'));
      await repo.write(`${S}/apps/web/deployment.web.yaml`, deployment('web', 'r/web:1.0.1'));
      await repo.write(`${S}/apps/api/deployment.api.yaml`, deployment('api', 'r/api:3.0.0'));
      const { report } = await jsonDiff(repo);
      expect(report.flags.filter((flag) => flag.rule === 'production-change').map((flag) => flag.cluster)).toEqual(['production']);
      expect(report.images.map((image) => `${image.container}: ${image.from ?? '-'} -> ${image.to ?? '-'}`)).toEqual(['web: r/web:1.0.0 -> r/web:1.0.1', 'api: - -> r/api:3.0.0', 'web: r/web:1.0.0 -> r/web:1.0.1']);
    });

    it('honours the production flag of cluster.yaml over the flavor', async () => {
      const repo = await repoWith({ 'clusters/staging/cluster.yaml': { flavor: 'k3s', production: true }, [`${S}/apps/web/deployment.web.yaml`]: deployment('web', 'r/web:1') });
      await repo.write(`${S}/apps/web/deployment.web.yaml`, deployment('web', 'r/web:2'));
      const { report } = await jsonDiff(repo);
      expect(report.flags.map((flag) => `${flag.rule} ${flag.cluster}`)).toEqual(['production-change staging']);
    });
  });

  describe('secret safety', () => {
    const secrets = {
      secretData: 'c3VwZXItc2VjcmV0LXBhc3N3b3Jk',
      stringData: 'hunter2-correct-horse',
      configPassword: 'Tr0ub4dor&3-password',
      envToken: 'xoxb-1234567890-abcdefghijkl',
      urlPassword: 'p4ssw0rd-in-url',
      awsKey: 'AKIAIOSFODNN7EXAMPLE',
      awsSecret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      pem: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7',
      userData: 'K3S_TOKEN_VALUE_abc123',
    };
    const files = (suffix: string): Record<string, string | object> => ({
      [`${S}/apps/web/secret.web.yaml`]: object('v1', 'Secret', 'web', 'web', { data: { password: secrets.secretData + suffix }, stringData: { token: secrets.stringData + suffix } }),
      [`${S}/apps/web/configmap.web.yaml`]: object('v1', 'ConfigMap', 'web', 'web', {
        data: { DB_PASSWORD: secrets.configPassword + suffix, DATABASE_URL: `postgres://app:${secrets.urlPassword}${suffix}@db:5432/app`, LOG_LEVEL: suffix ? 'debug' : 'info', AWS_ACCESS_KEY: secrets.awsKey.slice(0, -1) + (suffix ? 'Z' : 'E') },
      }),
      [`${S}/apps/web/deployment.web.yaml`]: (() => {
        const d = deployment('web', 'r/web:1') as { spec: { template: { spec: { containers: Record<string, unknown>[] } } } };
        d.spec.template.spec.containers[0]!['env'] = [
          { name: 'SLACK_TOKEN', value: secrets.envToken + suffix },
          { name: 'AWS_CREDS', value: `key ${secrets.awsSecret}${suffix}` },
          { name: 'TLS_KEY', value: `-----BEGIN PRIVATE KEY-----\n${secrets.pem}${suffix}\n-----END PRIVATE KEY-----\n` },
        ];
        return d;
      })(),
      [`${S}/bootstrap/user-data.sh`]: `#!/bin/sh\nexport K3S_TOKEN=${secrets.userData}${suffix}\ncurl -sfL https://get.k3s.io | sh -s - ${suffix ? '--disable traefik' : ''}\n`,
    });

    it('redacts Secret values and credential-looking values in text, markdown, json and comment parts', async () => {
      const repo = await repoWith(files(''));
      for (const [file, content] of Object.entries(files('X'))) await repo.write(file, content);
      const outputs: string[] = [];
      for (const format of ['text', 'markdown', 'json']) {
        const result = await repo.gitops('diff', '--base', 'HEAD', '--format', format, '--output', path.join(repo.root, `out/diff.${format}`), '--parts-dir', path.join(repo.root, 'out/parts'));
        expect(result.code).toBe(0);
        outputs.push(result.out, result.err, await readFile(path.join(repo.root, `out/diff.${format}`), 'utf8'));
      }
      outputs.push(await readFile(path.join(repo.root, 'out/parts/part-1.md'), 'utf8'));
      const everything = outputs.join('\n');
      for (const [name, value] of Object.entries(secrets)) {
        expect(everything, name).not.toContain(value);
      }
      expect(everything).toContain('+  LOG_LEVEL: debug');
      expect(everything).toContain(' DB_PASSWORD: <redacted>');
      expect(everything).toContain('postgres://app:<redacted>@db:5432/app');
      expect(everything).toContain('export K3S_TOKEN=<redacted>');
      const json = JSON.parse(await readFile(path.join(repo.root, 'out/diff.json'), 'utf8')) as JsonReport;
      const secret = json.clusters[0]!.apps.find((app) => app.name === 'web')!.changes.find((change) => change.kind === 'Secret')!;
      expect(secret.hiddenChanges).toEqual(['data.password', 'stringData.token']);
    });
  });

  describe('Markdown comment parts', () => {
    it('splits a large diff by cluster/app into parts under the limit, nothing lost, stale parts removed', async () => {
      const many: Record<string, object> = {};
      const lines = (seed: string) => Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`KEY_${i}`, `${seed}-value-${i}-${'x'.repeat(40)}`]));
      for (let app = 0; app < 30; app++) {
        for (let index = 0; index < 8; index++) many[`${S}/apps/app-${app}/configmap.c${index}.yaml`] = object('v1', 'ConfigMap', `c${index}`, `app-${app}`, { data: lines('old') });
      }
      // One resource larger than a whole part.
      many[`${P}/apps/huge/configmap.huge.yaml`] = object('v1', 'ConfigMap', 'huge', 'huge', { data: Object.fromEntries(Array.from({ length: 2500 }, (_, i) => [`K${i}`, `old-${i}`])) });
      const repo = await repoWith(many);
      for (const [file, content] of Object.entries(many)) {
        const data = (content as { data: Record<string, string> }).data;
        await repo.write(file, { ...content, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.replace('old', 'new')])) });
      }
      const partsDir = path.join(repo.root, 'out/parts');
      await repo.write('out/parts/part-99.md', 'stale');
      const result = await repo.gitops('diff', '--base', 'HEAD', '--format', 'markdown', '--output', path.join(repo.root, 'out/full.md'), '--parts-dir', partsDir);
      expect(result.code).toBe(0);
      const names = (await readdir(partsDir)).sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]));
      expect(names.length).toBeGreaterThan(3);
      expect(names).not.toContain('part-99.md');
      const parts = await Promise.all(names.map((name) => readFile(path.join(partsDir, name), 'utf8')));
      parts.forEach((part, index) => {
        expect(part.length).toBeLessThanOrEqual(COMMENT_LIMIT);
        expect(PART_MARKER_PATTERN.exec(part)?.slice(1)).toEqual([String(index + 1), String(parts.length)]);
        expect(part).toContain(`**Part ${index + 1}/${parts.length}**`);
        expect((part.match(/<details/g) ?? []).length).toBe((part.match(/<\/details>/g) ?? []).length);
        expect((part.match(/^```/gm) ?? []).length % 2).toBe(0);
      });
      const all = parts.join('\n');
      // Every changed line of every resource is somewhere in the parts: nothing was truncated.
      for (let app = 0; app < 30; app++) for (let index = 0; index < 8; index++) expect(all).toContain(`**~ ConfigMap app-${app}/c${index}**`);
      for (let i = 0; i < 2500; i++) expect(all).toContain(`+  K${i}: new-${i}`);
      expect(all).toContain('**~ ConfigMap huge/huge** (continued)');
      expect(all).toContain('(continued)');
      expect(result.err).toMatch(new RegExp(`${parts.length} comment parts written`));
      const full = await readFile(path.join(repo.root, 'out/full.md'), 'utf8');
      expect(full.length).toBeGreaterThan(COMMENT_LIMIT);
      expect(full).not.toMatch(PART_MARKER_PATTERN);
    });
  });

  describe('usage', () => {
    it('exits 2 when the base ref does not exist, saying how to fetch it', async () => {
      const repo = await repoWith({});
      const result = await repo.gitops('diff', '--base', 'origin/nope');
      expect(result.code).toBe(2);
      expect(result.err).toContain('no such commit');
      expect(result.err).toContain('git fetch origin nope');
    });

    it('exits 2 on an unknown format or a missing --base', async () => {
      const repo = await repoWith({});
      expect((await repo.gitops('diff', '--base', 'HEAD', '--format', 'yaml')).code).toBe(2);
      expect((await repo.gitops('diff')).code).toBe(2);
    });

    it('reads the base from Git without touching the working tree', async () => {
      const repo = await repoWith({ [`${S}/apps/web/deployment.web.yaml`]: deployment('web', 'r/web:1') });
      const file = path.join(repo.root, `${S}/apps/web/deployment.web.yaml`);
      await writeFile(file, stringify(deployment('web', 'r/web:2')));
      await repo.gitops('diff', '--base', 'HEAD');
      expect((parse(await readFile(file, 'utf8')) as { spec: { template: { spec: { containers: { image: string }[] } } } }).spec.template.spec.containers[0]!.image).toBe('r/web:2');
      expect(await repo.git('status', '--porcelain')).toContain('deployment.web.yaml');
    });
  });
});

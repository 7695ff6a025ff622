/**
 * `gitops validate` end to end: the example platform's committed rendered tree, copied into a
 * temporary repository, validated by the real engines (binaries and schemas shared through
 * GITOPS_CACHE_ROOT), then broken on purpose. The project's policy checks are set aside here
 * (their own tests cover them): these tests are about the engines and the check hook.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { gitops } from '../support/cli.js';
import { KUBECONFORM_VERSION, KUBECTL_VALIDATE_VERSION, KUBERNETES_1_35 } from '../../src/tools/versions.js';
import { renderedChecks, resourceId, type RenderedCheck } from '../../src/validate/checks.js';
import { repositoryCrdSources } from '../../src/validate/crd-sources.js';
import { ensureToolchain } from '../../src/validate/engines.js';
import { loadClusters } from '../../src/inputs/clusters.js';
import { repoRoot, tempRepo, type TempRepo } from '../support/temp-repo.js';

const SLOW = { timeout: 600_000 };
const previousCacheRoot = process.env['GITOPS_CACHE_ROOT'];
let repos: TempRepo[] = [];

beforeAll(async () => {
  process.env['GITOPS_CACHE_ROOT'] = repoRoot;
  const minors = (await loadClusters(repoRoot)).map((c) => c.kubernetesVersion);
  await ensureToolchain(repoRoot, minors, await repositoryCrdSources(repoRoot));
}, 1_800_000);

afterAll(() => {
  if (previousCacheRoot === undefined) delete process.env['GITOPS_CACHE_ROOT'];
  else process.env['GITOPS_CACHE_ROOT'] = previousCacheRoot;
});

let projectChecks: RenderedCheck[] = [];
beforeEach(() => {
  projectChecks = renderedChecks.splice(0);
});

afterEach(async () => {
  renderedChecks.splice(0, renderedChecks.length, ...projectChecks);
  await Promise.all(repos.map((r) => r.cleanup()));
  repos = [];
});

async function exampleRepo(): Promise<TempRepo> {
  const repo = await tempRepo({ fromExample: true, withRendered: true });
  repos.push(repo);
  return repo;
}


const summary = (cluster: string, engine: string) => new RegExp(`^${cluster}: (\\d+) resources, \\1 valid, 0 invalid, 0 errors, 0 skipped \\(${engine} v[\\d.]+, Kubernetes 1\\.\\d+\\.\\d+\\)$`);

describe('gitops validate', () => {
  it('Pass when every rendered resource of every cluster is valid for all three engines', SLOW, async () => {
    const repo = await exampleRepo();
    const result = await gitops(repo.root, 'validate');
    // Nothing on stderr but first-run progress (module downloads, the API server's pre-loaded state).
    expect(result.err.filter((line) => !/^(fetching \S+ \(go mod download\)|kube-apiserver v[\d.]+: (installing \d+ pinned CRDs|server state with \d+ CRDs cached))/.test(line))).toEqual([]);
    expect(result.code).toBe(0);
    const clusters = (await loadClusters(repo.root)).map((c) => c.name);
    for (const cluster of clusters) {
      expect(result.out.some((line) => summary(cluster, 'kubeconform').test(line))).toBe(true);
      expect(result.out.some((line) => summary(cluster, 'kubectl-validate').test(line))).toBe(true);
      expect(result.out.some((line) => summary(cluster, 'kube-apiserver').test(line))).toBe(true);
      expect(result.out).toContain(`${cluster}: 0 policy checks, 0 findings, 0 exemptions`);
    }
    expect(result.out[result.out.length - 1]).toMatch(new RegExp(`^validate ok: ${clusters.length} clusters \\(`));
  });

  it('Fail when a rendered file holds an unknown field: exit 1, one line per engine naming file, kind and name', SLOW, async () => {
    const repo = await exampleRepo();
    const file = 'clusters/staging/rendered/apps/broken/deployment.broken.yaml';
    await repo.write(
      file,
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: broken, namespace: broken }\nspec:\n  selector: { matchLabels: { app: broken } }\n  template:\n    metadata: { labels: { app: broken } }\n    spec:\n      containers: [{ name: main, image: "nginx:1.27", ports: [{ containerPort: 80, protocl: TCP }] }]\n',
    );
    const result = await gitops(repo.root, 'validate', '--cluster', 'staging');
    expect(result.code).toBe(1);
    const failures = result.out.filter((line) => line.startsWith(`  ${file}: Deployment/broken: `));
    expect(failures).toHaveLength(3);
    expect(failures.every((line) => line.includes('protocl'))).toBe(true);
    expect(result.out).toContainEqual(expect.stringMatching(new RegExp(`^staging: \\d+ resources, \\d+ valid, 1 invalid, 0 errors, 0 skipped \\(kubeconform ${KUBECONFORM_VERSION.replace(/\./g, '\\.')}`)));
    expect(result.out).toContainEqual(expect.stringMatching(new RegExp(`^staging: \\d+ resources, \\d+ valid, 1 invalid, 0 errors, 0 skipped \\(kubectl-validate ${KUBECTL_VALIDATE_VERSION.replace(/\./g, '\\.')}`)));
    expect(result.out).toContainEqual(expect.stringMatching(new RegExp(`^staging: \\d+ resources, \\d+ valid, 1 invalid, 0 errors, 0 skipped \\(kube-apiserver ${KUBERNETES_1_35.replace(/\./g, '\\.')}`)));
    expect(result.err[result.err.length - 1]).toMatch(/^validate failed: 3 validation failures \(/);
  });

  it('Fail when a registered policy check reports a finding, after the engines passed', SLOW, async () => {
    const repo = await exampleRepo();
    const check: RenderedCheck = {
      id: 'test-no-configmap-named-forbidden',
      description: 'test only',
      run: ({ docs }) =>
        docs
          .filter((doc) => doc.object.kind === 'ConfigMap' && doc.object.metadata.name === 'forbidden')
          .map((doc) => ({ check: 'test-no-configmap-named-forbidden', file: doc.file, resource: resourceId(doc), message: 'this ConfigMap is forbidden', fix: 'rename it' })),
    };
    await repo.write('clusters/staging/rendered/apps/forbidden/configmap.forbidden.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: forbidden, namespace: default }\ndata: { a: b }\n');
    renderedChecks.push(check);
    const result = await gitops(repo.root, 'validate', '--cluster', 'staging');
    expect(result.code).toBe(1);
    expect(result.out).toContain('staging: 1 policy checks, 1 findings, 0 exemptions');
    expect(result.out).toContain('  clusters/staging/rendered/apps/forbidden/configmap.forbidden.yaml: ConfigMap/default/forbidden: test-no-configmap-named-forbidden: this ConfigMap is forbidden (fix: rename it)');
    expect(result.err[result.err.length - 1]).toMatch(/^validate failed: 1 policy finding \(/);
  });

  it('Fail when --cluster names a cluster that does not exist (usage error, exit 2)', async () => {
    const repo = await exampleRepo();
    const result = await gitops(repo.root, 'validate', '--cluster', 'nowhere');
    expect(result.code).toBe(2);
    expect(result.err[0]).toMatch(/^unknown cluster nowhere \(clusters: /);
  });

  it('Fail when --engine names an engine that does not exist (usage error, exit 2)', async () => {
    const result = await gitops(repoRoot, 'validate', '--engine', 'kubeval');
    expect(result.code).toBe(2);
    expect(result.err[0]).toBe('unknown engine kubeval (engines: kubeconform, kubectl-validate, kube-apiserver)');
  });

  it('Pass when --list-checks lists the registered policy checks', async () => {
    renderedChecks.push(...projectChecks);
    const result = await gitops(repoRoot, 'validate', '--list-checks');
    expect(result.code).toBe(0);
    expect(result.out).toEqual(renderedChecks.length === 0 ? ['no policy checks registered'] : renderedChecks.map((c) => `${c.id}: ${c.description}`));
  });
});

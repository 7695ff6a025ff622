/**
 * `gitops upgrade-check` end to end: the repository's own rendered tree, copied into a temporary
 * repository, judged by the real 1.36 kube-apiserver (and 1.35's, for comparison) and the schema
 * engines at both minors (binaries and schemas shared through GITOPS_CACHE_ROOT), then with an
 * object 1.36 rejects added to one cluster.
 */
import { copyFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClusters } from '../../src/inputs/clusters.js';
import { repositoryCrdSources } from '../../src/validate/crd-sources.js';
import { ensureToolchain } from '../../src/validate/engines.js';
import { gitops } from '../support/cli.js';
import { repoRoot, tempReposOfEachTest } from '../support/temp-repo.js';

const SLOW = { timeout: 1_200_000 };
const previousCacheRoot = process.env['GITOPS_CACHE_ROOT'];
const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'upgrade');
const tempRepo = tempReposOfEachTest();

beforeAll(async () => {
  process.env['GITOPS_CACHE_ROOT'] = repoRoot;
  const minors = (await loadClusters(repoRoot)).flatMap((c) => [c.kubernetesVersion, '1.36']);
  await ensureToolchain(repoRoot, minors, await repositoryCrdSources(repoRoot));
}, 3_600_000);

afterAll(() => {
  if (previousCacheRoot === undefined) delete process.env['GITOPS_CACHE_ROOT'];
  else process.env['GITOPS_CACHE_ROOT'] = previousCacheRoot;
});

describe('gitops upgrade-check', () => {
  it("Pass when the repository's own tree applies on 1.36: both clusters judged by the real 1.36 server, nothing blocks (README: Upgrade readiness)", SLOW, async () => {
    const repo = await tempRepo({ fromExample: true, withRendered: true });
    const result = await gitops(repo.root, 'upgrade-check', '--report-dir', 'report');
    expect(result.err.filter((line) => !/^(fetching \S+ \(go mod download\)|kube-apiserver v[\d.]+: (installing \d+ pinned CRDs|server state with \d+ CRDs cached))/.test(line))).toEqual([]);
    for (const cluster of ['production', 'staging']) {
      expect(result.out).toContainEqual(expect.stringMatching(new RegExp(`^${cluster}: Kubernetes 1\\.35 → 1\\.36: \\d+ resources judged by kube-apiserver v1\\.36\\.3 \\(etcd v3\\.6\\.8\\), kubeconform v0\\.8\\.0, kubectl-validate v0\\.0\\.4 with the 1\\.36\\.3 schemas$`)));
      expect(result.out).toContain(`${cluster}: blocking: 0 rejected, 0 not served, 0 schema, 0 dropped fields, 0 changed by a second apply, 0 not judged; warnings: 0 deprecation warnings, 0 other warnings`);
      expect(result.out).toContainEqual(expect.stringMatching(new RegExp(`^${cluster}: nothing blocks the upgrade from 1\\.35 to 1\\.36: the tree as it is applies on v1\\.36\\.3 \\(`)));
      // External Secrets ships its chart in its Go module: its Chart.yaml declares >= 1.19.0-0.
      expect(result.out).toContainEqual(expect.stringMatching(/^ {2}external-secrets 1\.3\.2: supported: kubeVersion ">= 1\.19\.0-0" in /));
      expect(result.out).toContain('  argo-cd 10.1.1: unknown: unknown (chart not available offline)');
      const summary = JSON.parse(await repo.read(`report/${cluster}.json`)) as Record<string, unknown>;
      expect(summary).toMatchObject({ cluster, from: '1.35', to: '1.36', release: 'v1.36.3', blocked: false, blocking: 0 });
      expect(await repo.read(`report/${cluster}.md`)).toContain('**Nothing blocks the upgrade**');
    }
    expect(result.out.at(-1)).toMatch(/^upgrade-check ok: nothing blocks the upgrade of 2 clusters \(/);
    expect(result.code).toBe(0);
  });

  it('Fail when a cluster holds an object 1.36 rejects: exit 1, the server\'s message, only that cluster blocked', SLOW, async () => {
    const repo = await tempRepo({ fromExample: true, withRendered: true });
    const file = 'clusters/staging/rendered/apps/legacy/networkpolicy.legacy-vpn.yaml';
    const text = (await readFile(path.join(fixtures, 'networkpolicy.cidr-leading-zeros.yaml'), 'utf8')).replace('namespace: shop', 'namespace: default');
    await repo.write(file, text);
    const result = await gitops(repo.root, 'upgrade-check', '--cluster', 'staging');
    expect(result.code).toBe(1);
    const rejected = result.out.filter((line) => line.startsWith('  rejected by the target API server: '));
    expect(rejected).toEqual([expect.stringMatching(new RegExp(`^ {2}rejected by the target API server: ${file}: NetworkPolicy/legacy-vpn: .*must not have leading 0s.* \\(kube-apiserver; new in 1\\.36: change it before the upgrade, in a form 1\\.35 accepts too\\)$`))]);
    expect(result.out).toContainEqual(expect.stringMatching(/^staging: 1 finding blocks the upgrade from 1\.35 to 1\.36 \(/));
    expect(result.err.at(-1)).toMatch(/^upgrade-check: the upgrade of staging is blocked \(/);
  });

  it('Fail when --to skips a minor or --cluster names no cluster (usage error, exit 2, no server started)', async () => {
    const skip = await gitops(repoRoot, 'upgrade-check', '--to', '1.37');
    expect(skip.code).toBe(2);
    expect(skip.err[0]).toBe('production runs Kubernetes 1.35: its next upgrade is to 1.36 (a control plane moves one minor at a time), not 1.37');
    const unknown = await gitops(repoRoot, 'upgrade-check', '--cluster', 'nowhere');
    expect(unknown.code).toBe(2);
    expect(unknown.err[0]).toMatch(/^unknown cluster nowhere \(clusters: /);
  });
});

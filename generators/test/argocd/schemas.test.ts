import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterCrdSources } from '../../src/validate/crd-sources.js';
import { reportFailures, validateRendered } from '../../src/validate/engines.js';
import { repoRoot } from '../support/temp-repo.js';
import { renderExample } from './support.js';

/**
 * The Argo CD, add-on and bootstrap objects (Applications, ApplicationSets, AppProjects, the k3s
 * HelmChart, Crossplane packages, namespaces, network policies, the notification ExternalSecret)
 * validate against the pinned CRD and Kubernetes schemas with all three engines (the real API
 * server included): nothing invalid,
 * nothing skipped. The first run installs the pinned validators and converts the schemas into
 * the repository's cache (shared by every test through cacheRoot).
 */

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('argocd/, addons/ and bootstrap/ against the pinned schemas', () => {
  it('Pass when all three engines find every object valid, none skipped', { timeout: 900_000 }, async () => {
    const { platform, tree } = await renderExample();
    const root = await mkdtemp(path.join(tmpdir(), 'argocd-schemas-'));
    dirs.push(root);
    const clusters = [];
    for (const { cluster } of platform.clusters) {
      const dir = path.join(root, 'clusters', cluster.name, 'rendered');
      const files = tree.get(cluster.name)!.filter((file) => /^(argocd|addons|bootstrap)\//.test(file.path) && file.path.endsWith('.yaml'));
      expect(files.length).toBeGreaterThan(20);
      for (const file of files) {
        await mkdir(path.dirname(path.join(dir, file.path)), { recursive: true });
        await writeFile(path.join(dir, file.path), file.content);
      }
      clusters.push({ name: cluster.name, kubernetesVersion: cluster.kubernetesVersion, dir, crdSources: clusterCrdSources(platform.addons, cluster) });
    }
    const report = await validateRendered({ root, cacheRoot: repoRoot, clusters });
    expect(reportFailures(report).map((f) => `${f.cluster} ${f.engine}: ${f.line}`)).toEqual([]);
    for (const cluster of report.clusters) {
      expect(cluster.engines.map((engine) => engine.engine).sort()).toEqual(['kube-apiserver', 'kubeconform', 'kubectl-validate']);
      for (const engine of cluster.engines) {
        expect(engine.resources.length, `${cluster.cluster.name} ${engine.engine}`).toBeGreaterThan(20);
        expect(engine.resources.every((resource) => resource.status === 'valid')).toBe(true);
      }
    }
  });
});

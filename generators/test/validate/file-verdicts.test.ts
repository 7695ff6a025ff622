/**
 * kubeconform and kubectl-validate verdicts cached by file content: only new bytes go through
 * the engines, and a corrupt cache costs time, never a wrong verdict.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repositoryCrdSources, type CrdSource } from '../../src/validate/crd-sources.js';
import { ensureToolchain, validateRendered, type ValidationReport } from '../../src/validate/engines.js';
import { repoRoot, shareToolsAndSchemas } from '../support/temp-repo.js';

const SLOW = { timeout: 600_000 };
let crdSources: CrdSource[] = [];
let cacheRoot = '';
let root = '';

beforeAll(async () => {
  crdSources = await repositoryCrdSources(repoRoot);
  await ensureToolchain(repoRoot, ['1.35'], crdSources, { apiserver: false });
  cacheRoot = await mkdtemp(path.join(tmpdir(), 'gitops-file-verdicts-'));
  await shareToolsAndSchemas(cacheRoot);
  root = await mkdtemp(path.join(tmpdir(), 'gitops-file-verdicts-tree-'));
  await mkdir(path.join(root, 'rendered'));
}, 1_800_000);

afterAll(async () => {
  await Promise.all([cacheRoot, root].filter(Boolean).map((dir) => rm(dir, { recursive: true, force: true })));
});

const configMap = (name: string, key: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ${name}, namespace: shop }\ndata: { ${key}: x }\n`;

async function run(): Promise<ValidationReport> {
  return validateRendered({ root, cacheRoot, clusters: [{ name: 'test', kubernetesVersion: '1.35', dir: path.join(root, 'rendered'), crdSources }], engines: ['kubeconform', 'kubectl-validate'] });
}

describe('verdicts cached by file content', () => {
  it('Pass when an unchanged file is answered from the cache and only a changed one is judged again', SLOW, async () => {
    await writeFile(path.join(root, 'rendered', 'a.yaml'), configMap('a', 'level'));
    await writeFile(path.join(root, 'rendered', 'b.yaml'), `${configMap('b', 'level')}unknownField: 1\n`);
    const first = await run();
    for (const engine of first.clusters[0]!.engines) expect([engine.engine, engine.cached, engine.counts.valid, engine.counts.invalid]).toEqual([engine.engine, 0, 1, 1]);

    const second = await run();
    for (const engine of second.clusters[0]!.engines) {
      expect([engine.engine, engine.cached]).toEqual([engine.engine, 2]);
      expect(engine.resources).toEqual(first.clusters[0]!.engines.find((e) => e.engine === engine.engine)!.resources);
    }

    await writeFile(path.join(root, 'rendered', 'b.yaml'), configMap('b', 'level'));
    const third = await run();
    for (const engine of third.clusters[0]!.engines) expect([engine.engine, engine.cached, engine.counts.valid]).toEqual([engine.engine, 1, 2]);
  });

  it('Pass when the cache file is corrupt: every file is judged again, with the same verdicts', SLOW, async () => {
    const before = await run();
    await writeFile(path.join(cacheRoot, '.cache', 'verdicts', 'kubeconform.json'), 'not json');
    await writeFile(path.join(cacheRoot, '.cache', 'verdicts', 'kubectl-validate.json'), '{"format":1,"entries":{"x":[{"status":"maybe"}]}}');
    const after = await run();
    for (const engine of after.clusters[0]!.engines) {
      expect([engine.engine, engine.cached]).toEqual([engine.engine, 0]);
      expect(engine.resources).toEqual(before.clusters[0]!.engines.find((e) => e.engine === engine.engine)!.resources);
    }
  });
});

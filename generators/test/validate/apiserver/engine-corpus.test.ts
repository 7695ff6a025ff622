/**
 * The manifest defect corpus (`test/fixtures/manifests/`): every fixture through all three real
 * engines at once (one API server for the lot). Each invalid fixture names its defect, its class
 * and the message the API server must give (`# kube-apiserver: ...`); what each engine does with
 * it is the "Which engine catches what" table of docs/contributors.md, which this test keeps true.
 */
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureToolchain, validateRendered, type ClusterReport } from '../../../src/validate/engines.js';
import type { EngineName, ResourceResult } from '../../../src/validate/report.js';
import { repositoryCrdSources, type CrdSource } from '../../../src/validate/crd-sources.js';
import { repoRoot } from '../../support/temp-repo.js';

const SLOW = { timeout: 600_000 };
/** The CRDs of every version this repository's clusters install. */
let crdSources: CrdSource[] = [];
const corpus = path.join(repoRoot, 'generators/test/fixtures/manifests');

interface Fixture {
  readonly file: string;
  readonly defect: string;
  readonly defectClass: string;
  readonly expected: string;
}

async function readFixtures(): Promise<Fixture[]> {
  const fixtures: Fixture[] = [];
  for (const file of (await readdir(path.join(corpus, 'invalid'))).sort()) {
    const text = await readFile(path.join(corpus, 'invalid', file), 'utf8');
    const header = (key: string) => new RegExp(`^# ${key}: (.+)$`, 'm').exec(text)?.[1] ?? '';
    fixtures.push({ file, defect: header('Defect'), defectClass: header('Class'), expected: header('kube-apiserver') });
  }
  return fixtures;
}

let root = '';
let cluster: ClusterReport;
let fixtures: Fixture[] = [];

beforeAll(async () => {
  crdSources = await repositoryCrdSources(repoRoot);
  await ensureToolchain(repoRoot, ['1.35'], crdSources);
  fixtures = await readFixtures();
  root = await mkdtemp(path.join(tmpdir(), 'gitops-corpus-'));
  const dir = path.join(root, 'rendered');
  await cp(path.join(corpus, 'valid'), dir, { recursive: true });
  await cp(path.join(corpus, 'invalid'), dir, { recursive: true });
  const report = await validateRendered({ root, cacheRoot: repoRoot, clusters: [{ name: 'corpus', kubernetesVersion: '1.35', dir, crdSources }], cache: false });
  cluster = report.clusters[0]!;
}, 1_800_000);

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

function verdicts(file: string): Record<EngineName, ResourceResult> {
  return Object.fromEntries(cluster.engines.map((engine) => [engine.engine, engine.resources.find((r) => r.file === `rendered/${file}`)!])) as Record<EngineName, ResourceResult>;
}

describe('the manifest defect corpus', () => {
  it('has a defect, a class and an expected API server message in every invalid fixture', SLOW, () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(13);
    for (const fixture of fixtures) {
      expect(fixture.defect, fixture.file).not.toBe('');
      expect(fixture.defectClass, fixture.file).not.toBe('');
      expect(fixture.expected, fixture.file).not.toBe('');
    }
  });

  it('Pass when a valid fixture meets every engine, 0 skipped', SLOW, async () => {
    for (const file of await readdir(path.join(corpus, 'valid'))) {
      for (const [engine, result] of Object.entries(verdicts(file))) expect(`${engine} ${file}: ${result.status} ${result.msg}`).toBe(`${engine} ${file}: valid `);
    }
    for (const engine of cluster.engines) expect(engine.counts.skipped).toBe(0);
  });

  it('Fail when a fixture holds its defect: the real API server rejects every one, with the expected message', SLOW, () => {
    for (const fixture of fixtures) {
      const result = verdicts(fixture.file)['kube-apiserver'];
      expect(`${fixture.file}: ${result.status}`).toBe(`${fixture.file}: invalid`);
      expect(result.msg, fixture.file).toContain(fixture.expected);
    }
  });

  it('keeps the table of which engine catches what (docs/contributors.md) true', SLOW, async () => {
    const cell = (result: ResourceResult) => (result.status === 'valid' ? 'passes' : 'rejects');
    const rows = fixtures.map((fixture) => {
      const v = verdicts(fixture.file);
      return `| ${fixture.defect.replace(/\.$/, '')} | ${fixture.defectClass} | ${cell(v.kubeconform)} | ${cell(v['kubectl-validate'])} | ${cell(v['kube-apiserver'])} |`;
    });
    const page = await readFile(path.join(repoRoot, 'docs/contributors.md'), 'utf8');
    const table = /<!-- engine-corpus:start -->\n([\s\S]*?)<!-- engine-corpus:end -->/.exec(page)?.[1] ?? '';
    const expected = ['| defect (fixture in generators/test/fixtures/manifests/invalid/) | class | kubeconform | kubectl-validate | kube-apiserver |', '| --- | --- | --- | --- | --- |', ...rows, ''].join('\n');
    expect(table).toBe(expected);
  });
});

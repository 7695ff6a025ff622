/**
 * The API server engine beyond the defect corpus: storage versions as a cluster with the provider
 * installed keeps them, the dropped-field check, verdicts cached by content, and the pure helpers
 * (reading a document's identity is tested with documents.ts).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lostFields, usedVersions, type TreeDocument } from '../../../src/validate/apiserver/apiserver-engine.js';
import { readFile } from 'node:fs/promises';
import { ensureToolchain, validateRendered } from '../../../src/validate/engines.js';
import type { EngineReport } from '../../../src/validate/report.js';
import { repositoryCrdSources, type CrdSource } from '../../../src/validate/crd-sources.js';
import { repoRoot, shareToolsAndSchemas } from '../../support/temp-repo.js';

const SLOW = { timeout: 600_000 };
/** The CRDs of every version this repository's clusters install. */
let crdSources: CrdSource[] = [];
const scratch: string[] = [];

beforeAll(async () => {
  crdSources = await repositoryCrdSources(repoRoot);
  await ensureToolchain(repoRoot, ['1.35'], crdSources);
}, 1_800_000);

afterAll(async () => {
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function apiserver(files: Record<string, string>, options: { cacheRoot?: string; cache?: boolean } = {}): Promise<EngineReport> {
  const root = await mkdtemp(path.join(tmpdir(), 'gitops-apiserver-engine-'));
  scratch.push(root);
  const dir = path.join(root, 'rendered');
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  const report = await validateRendered({ root, cacheRoot: options.cacheRoot ?? repoRoot, clusters: [{ name: 'test', kubernetesVersion: '1.35', dir, crdSources }], engines: ['kube-apiserver'], cache: options.cache ?? false });
  return report.clusters[0]!.engines[0]!;
}

const versioning = (name: string, version: string) => `apiVersion: s3.aws.upbound.io/${version}
kind: BucketVersioning
metadata:
  name: ${name}
spec:
  deletionPolicy: Orphan
  forProvider:
    bucketRef: { name: assets }
    region: eu-west-1
    versioningConfiguration:
      status: Enabled
  providerConfigRef: { name: default }
`;

describe('the kube-apiserver engine', () => {
  it('Pass when a Crossplane kind is used at a version its CRD does not store: that version is stored, nothing is lost', SLOW, async () => {
    const report = await apiserver({ 'v1beta2.yaml': versioning('assets', 'v1beta2') });
    expect(report.resources[0]).toMatchObject({ kind: 'BucketVersioning', status: 'valid' });
  });

  it('Fail when a kind is used at two versions: the stored one drops the fields the other has, and the check names them', SLOW, async () => {
    const report = await apiserver({ 'a.yaml': versioning('assets', 'v1beta2'), 'b.yaml': versioning('logs', 'v1beta1').replace(/ {6}versioningConfiguration:\n {8}status: Enabled\n/, '      versioningConfiguration:\n        - status: Enabled\n') });
    const lost = report.resources.find((r) => r.name === 'assets')!;
    expect(lost.status).toBe('invalid');
    expect(lost.msg).toContain('the server dropped field');
    expect(lost.msg).toContain('spec.forProvider.versioningConfiguration');
  });

  it('Pass when nothing changed since the last run: verdicts come from the cache, no server starts', SLOW, async () => {
    const cacheRoot = await mkdtemp(path.join(tmpdir(), 'gitops-verdicts-'));
    scratch.push(cacheRoot);
    await shareToolsAndSchemas(cacheRoot);
    const files = { 'configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings, namespace: shop }\ndata: { "log level": debug }\n' };
    const first = await apiserver(files, { cacheRoot, cache: true });
    expect(first.resources[0]!.status).toBe('invalid');
    expect(first.cached).toBe(0);
    const second = await apiserver(files, { cacheRoot, cache: true });
    expect(second.cached).toBe(1);
    expect(second.resources).toEqual(first.resources);
    // A changed document is judged again; the unchanged one still comes from the cache.
    const more = await apiserver({ ...files, 'configmap.more.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: more, namespace: shop }\ndata: { level: debug }\n' }, { cacheRoot, cache: true });
    expect(more.cached).toBe(1);
    expect(more.resources.map((r) => `${r.name}: ${r.status}`)).toEqual(['more: valid', 'settings: invalid']);
    // A corrupt cache file only costs time: everything is judged again, with the same verdicts.
    await writeFile(path.join(cacheRoot, '.cache', 'verdicts', 'kube-apiserver.json'), '{"format": 1, "entries": ');
    const afterCorruption = await apiserver(files, { cacheRoot, cache: true });
    expect(afterCorruption.cached).toBe(0);
    expect(afterCorruption.resources).toEqual(first.resources);
  });

  it('Fail when a changed resource is judged again alone: its own Namespace is applied with it, Pod Security labels and all', SLOW, async () => {
    const cacheRoot = await mkdtemp(path.join(tmpdir(), 'gitops-verdicts-'));
    scratch.push(cacheRoot);
    await shareToolsAndSchemas(cacheRoot);
    const namespace = (name: string, level: string) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n  labels:\n    pod-security.kubernetes.io/enforce: ${level}\n`;
    const files = {
      'namespace.shop.yaml': namespace('shop', 'restricted'),
      'namespace.tools.yaml': namespace('tools', 'privileged'),
      'configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings, namespace: tools }\ndata: { level: debug }\n',
    };
    const first = await apiserver(files, { cacheRoot, cache: true });
    expect(first.resources.map((r) => r.status)).toEqual(['valid', 'valid', 'valid']);
    const privileged = await readFile(path.join(repoRoot, 'generators/test/fixtures/manifests/invalid/deployment.privileged.yaml'), 'utf8');
    const second = await apiserver({ ...files, 'deployment.privileged.yaml': privileged }, { cacheRoot, cache: true });
    expect(second.cached).toBe(3);
    const judged = second.resources.find((r) => r.kind === 'Deployment')!;
    expect(judged.status).toBe('invalid');
    expect(judged.msg).toContain('would violate PodSecurity "restricted:latest"');
  });
});

describe('lostFields', () => {
  it('names the scalar paths the stored object lacks, list items included', () => {
    expect(lostFields({ spec: { a: 1, b: { c: 'x' }, list: [{ d: 'y' }, { e: 'z' }] } }, { spec: { a: 1, b: {}, list: [{ d: 'y' }, {}] } })).toEqual(['spec.b.c', 'spec.list[1].e']);
  });

  it('ignores values the server may rewrite, and what carries no field: empty maps and lists, nulls, zero values', () => {
    expect(lostFields({ spec: { cpu: '0.5', empty: {}, list: [], gone: null, zero: 0, no: false, blank: '' } }, { spec: { cpu: '500m' } })).toEqual([]);
  });

  it('skips a Secret\'s stringData (stored as data)', () => {
    expect(lostFields({ stringData: { a: 'b' } }, { data: { a: 'Yg==' } })).toEqual([]);
  });
});

describe('usedVersions', () => {
  it('collects the versions of each grouped kind, not of core kinds', () => {
    const doc = (apiVersion: string, kind: string) => ({ apiVersion, kind }) as TreeDocument;
    const used = usedVersions([doc('s3.aws.upbound.io/v1beta2', 'Bucket'), doc('s3.aws.upbound.io/v1beta1', 'Bucket'), doc('v1', 'ConfigMap'), doc('apps/v1', 'Deployment')]);
    expect([...used].map(([k, v]) => [k, [...v].sort()])).toEqual([
      ['s3.aws.upbound.io/Bucket', ['v1beta1', 'v1beta2']],
      ['apps/Deployment', ['v1']],
    ]);
  });
});

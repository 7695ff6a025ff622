/**
 * The fixtures of generators/test/fixtures/upgrade/, judged by the real servers of both minors (the
 * pinned 1.35 and 1.36 kube-apiservers, each over its etcd, with the repository's CRDs) and the
 * schema engines at both: one object 1.35 accepts and 1.36 rejects (StrictIPCIDRValidation), one
 * that only 1.36 warns about (Service externalIPs).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { repositoryCrdSources, type CrdSource } from '../../src/validate/crd-sources.js';
import { ensureToolchain, validateRendered, type ValidationReport } from '../../src/validate/engines.js';
import { upgradeFindings, type UpgradeFinding } from '../../src/upgrade/findings.js';
import { repoRoot } from '../support/temp-repo.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'upgrade');
let crdSources: CrdSource[] = [];
let report: ValidationReport;
let findings: UpgradeFinding[];

beforeAll(async () => {
  crdSources = await repositoryCrdSources(repoRoot);
  // Builds the 1.36 kube-apiserver and its etcd once into .tools/ (minutes cold), like 1.35's.
  await ensureToolchain(repoRoot, ['1.35', '1.36'], crdSources);
  const target = (kubernetesVersion: string) => ({ name: 'fixtures', kubernetesVersion, dir: fixtures, crdSources });
  report = await validateRendered({ root: repoRoot, clusters: [target('1.36'), target('1.35')], cache: false });
  findings = upgradeFindings(report.clusters[0]!, report.clusters[1]!);
}, 3_600_000);

const apiserver = (side: 0 | 1, kind: string) => report.clusters[side]!.engines.find((e) => e.engine === 'kube-apiserver')!.resources.find((r) => r.kind === kind)!;

describe('upgrade fixtures on the real 1.35 and 1.36 servers', () => {
  it('Fail when an ipBlock CIDR has leading zeros: 1.35 accepts it (with a warning), 1.36 rejects it on create', () => {
    expect(apiserver(1, 'NetworkPolicy').msg).toMatch(/^warning: spec\.ingress\[0\]\.from\[0\]\.ipBlock\.cidr: non-standard CIDR value "010\.0\.0\.0\/8"/);
    expect(apiserver(0, 'NetworkPolicy')).toMatchObject({ status: 'invalid' });
    expect(apiserver(0, 'NetworkPolicy').msg).toContain('must not have leading 0s');
    const rejected = findings.filter((f) => f.kind === 'rejected');
    expect(rejected.map((f) => [f.resource, f.engine, f.onCurrent])).toEqual([['NetworkPolicy/legacy-vpn', 'kube-apiserver', false]]);
  });

  it('Warn when a Service sets externalIPs: 1.36 says the field is deprecated (its Warning header, verbatim), 1.35 says nothing', () => {
    expect(apiserver(1, 'Service')).toMatchObject({ status: 'valid' });
    const deprecations = findings.filter((f) => f.kind === 'deprecation');
    expect(deprecations.map((f) => [f.resource, f.message, f.onCurrent])).toEqual([['Service/legacy-gateway', 'spec.externalIPs is deprecated and may no longer be implemented in some clusters', false]]);
  });

  it('Pass for the rest: the schema engines at both minors, and the Namespace on both servers', () => {
    expect(findings.filter((f) => f.engine !== 'kube-apiserver')).toEqual([]);
    expect(findings.filter((f) => f.resource === 'Namespace/shop')).toEqual([]);
    expect(report.clusters.map((c) => c.engines.find((e) => e.engine === 'kube-apiserver')!.engineVersion)).toEqual(['v1.36.3', 'v1.35.4']);
  });
});

/**
 * Sorting engine verdicts into the kinds an upgrade cares about, marking what the current minor
 * says too, and the report built from them (text, Markdown, JSON).
 */
import { describe, expect, it } from 'vitest';
import { splitProblems } from '../../src/validate/apiserver/apiserver-engine.js';
import type { ClusterReport } from '../../src/validate/engines.js';
import { countResults, type EngineReport, type ResourceResult } from '../../src/validate/report.js';
import { classify, upgradeFindings } from '../../src/upgrade/findings.js';
import { formatJson, formatMarkdown, formatText, upgradeBlocked, type ClusterUpgrade } from '../../src/upgrade/report.js';

const result = (kind: string, name: string, status: ResourceResult['status'], msg = ''): ResourceResult => ({ file: `clusters/c/rendered/${kind.toLowerCase()}.${name}.yaml`, index: 0, apiVersion: 'v1', kind, name, status, msg });

function engine(name: EngineReport['engine'], resources: ResourceResult[]): EngineReport {
  return { engine: name, engineVersion: 'v0', kubernetesVersion: '1.36.3', resources, counts: countResults(resources), exitCode: 0 };
}

function cluster(apiserver: ResourceResult[], kubeconform: ResourceResult[] = []): ClusterReport {
  return { cluster: { name: 'c', kubernetesVersion: '1.36', dir: '', crdSources: [] }, kubernetesVersion: '1.36.3', files: [], engines: [engine('kubeconform', kubeconform), engine('kube-apiserver', apiserver)], problems: [] };
}

const deprecated = 'spec.externalIPs is deprecated and may no longer be implemented in some clusters';

describe('splitProblems', () => {
  it('takes an applied object\'s verdict apart, warnings verbatim even when they hold "; "', () => {
    const msg = `warning: a; b is deprecated; warning: ${deprecated}; the server dropped field sent in the manifest (lost on the way to storage): spec.x; a second apply of the same manifest changes the object: Argo CD would show it OutOfSync after every sync`;
    expect(splitProblems(msg)).toEqual([
      { kind: 'warning', text: 'a; b is deprecated' },
      { kind: 'warning', text: deprecated },
      { kind: 'dropped', text: 'the server dropped field sent in the manifest (lost on the way to storage): spec.x' },
      { kind: 'secondApply', text: 'a second apply of the same manifest changes the object: Argo CD would show it OutOfSync after every sync' },
    ]);
  });

  it('leaves a refusal whole', () => {
    expect(splitProblems('NetworkPolicy.networking.k8s.io "x" is invalid: spec.ingress[0].from[0].ipBlock.cidr: Invalid value: "010.0.0.0/8": must not have leading 0s')).toBeUndefined();
  });
});

describe('upgrade findings', () => {
  it('sorts the verdicts into kinds: refusals, unserved versions, schema failures, deprecations and other warnings', () => {
    const findings = upgradeFindings(
      cluster(
        [
          result('NetworkPolicy', 'vpn', 'invalid', 'NetworkPolicy.networking.k8s.io "vpn" is invalid: must not have leading 0s'),
          result('Service', 'gw', 'invalid', `warning: ${deprecated}`),
          result('Deployment', 'web', 'invalid', 'warning: would violate PodSecurity "restricted:latest": runAsNonRoot != true'),
          result('FlowSchema', 'old', 'error', 'the API server serves no FlowSchema in flowcontrol.apiserver.k8s.io/v1beta3 (no built-in kind or installed CRD defines it)'),
          result('ConfigMap', 'ok', 'valid'),
        ],
        [result('FlowSchema', 'old', 'error', 'could not find schema for FlowSchema')],
      ),
      cluster([result('Deployment', 'web', 'invalid', 'warning: would violate PodSecurity "restricted:latest": runAsNonRoot != true')]),
    );
    expect(findings.map((f) => [f.kind, f.resource, f.engine, f.onCurrent])).toEqual([
      ['rejected', 'NetworkPolicy/vpn', 'kube-apiserver', false],
      ['not-served', 'FlowSchema/old', 'kube-apiserver', false],
      ['schema', 'FlowSchema/old', 'kubeconform', false],
      ['deprecation', 'Service/gw', 'kube-apiserver', false],
      ['warning', 'Deployment/web', 'kube-apiserver', true],
    ]);
    expect(findings.find((f) => f.kind === 'deprecation')!.message).toBe(deprecated);
  });

  it('counts skipped resources and engine errors as not judged, never as passed', () => {
    expect(classify('kubectl-validate', result('Widget', 'w', 'skipped', 'no schema'))[0]!.kind).toBe('not-judged');
    expect(classify('kube-apiserver', result('Widget', 'w', 'error', 'HTTP 503: unavailable'))[0]!.kind).toBe('not-judged');
  });
});

describe('the upgrade report', () => {
  const base: ClusterUpgrade = {
    cluster: 'production',
    from: '1.35',
    to: '1.36',
    release: 'v1.36.3',
    etcd: 'v3.6.8',
    engines: ['kubeconform v0.8.0', 'kubectl-validate v0.0.4'],
    resources: 5,
    findings: upgradeFindings(cluster([result('Service', 'gw', 'invalid', `warning: ${deprecated}`)]), cluster([])),
    charts: [
      { chart: 'external-secrets', version: '1.3.2', status: 'supported', detail: 'kubeVersion ">= 1.19.0-0" in x includes v1.36.3' },
      { chart: 'argo-cd', version: '10.1.1', status: 'unknown', detail: 'unknown (chart not available offline)' },
    ],
  };

  it('Pass when only warnings and unknown charts remain: nothing blocks, and the unknown charts are not counted as supported', () => {
    expect(upgradeBlocked(base)).toBe(false);
    const text = formatText(base);
    expect(text.at(-1)).toBe('production: nothing blocks the upgrade from 1.35 to 1.36: the tree as it is applies on v1.36.3 (1 warning; 1 chart without a stated support for v1.36.3: not counted as supported)');
    expect(text).toContain(`  deprecation warning: clusters/c/rendered/service.gw.yaml: Service/gw: ${deprecated} (kube-apiserver; new in 1.36)`);
    expect(text).toContain('production: charts: 1 declare support for v1.36.3, 0 exclude it, 0 declare no kubeVersion, 1 unknown');
    expect(formatJson(base)).toMatchObject({ cluster: 'production', blocked: false, blocking: 0, warnings: 1 });
    expect(formatMarkdown(base)).toContain('**Nothing blocks the upgrade**');
  });

  it('Fail when the target rejects an object or a chart excludes the target: each blocks, and says what must change before the upgrade', () => {
    const rejected = { ...base, findings: upgradeFindings(cluster([result('NetworkPolicy', 'vpn', 'invalid', 'must not have leading 0s')]), cluster([])) };
    expect(upgradeBlocked(rejected)).toBe(true);
    expect(formatText(rejected)).toContain('  rejected by the target API server: clusters/c/rendered/networkpolicy.vpn.yaml: NetworkPolicy/vpn: must not have leading 0s (kube-apiserver; new in 1.36: change it before the upgrade, in a form 1.35 accepts too)');
    expect(formatText(rejected).at(-1)).toMatch(/^production: 1 finding blocks the upgrade from 1\.35 to 1\.36/);
    const chart = { ...base, charts: [{ chart: 'ack-s3' as const, version: '1.3.2', status: 'unsupported' as const, detail: 'excludes' }] };
    expect(upgradeBlocked(chart)).toBe(true);
    expect(formatMarkdown(chart)).toContain('**1 finding(s) block the upgrade.**');
  });
});

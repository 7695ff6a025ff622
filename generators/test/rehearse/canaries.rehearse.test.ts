/**
 * The canary rehearsal against the real thing: kube-apiserver, kube-controller-manager,
 * kube-scheduler, kwok, the pinned Argo Rollouts controller, and the local ELBv2 and CloudWatch
 * endpoints. The committed tree's canaries must behave (production: ALB and CloudWatch; staging:
 * replica-weighted with the integration-test Job), and each failure class, made from a real
 * service by one change, must get its verdict.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { readAddonCatalogue } from '../../src/inputs/addons.js';
import { ensureBehaviourBinaries, type BehaviourBinaries } from '../../src/local-cluster/binaries.js';
import { canaryRollout, rehearseCanaries, type CanaryRehearsal, type CanaryResult, type CanaryService } from '../../src/local-cluster/canary/canary-rehearsal.js';
import { argoCdSettingsAtCommit, canariesPass, formatCanaries } from '../../src/rehearse/canaries.js';
import { ensureArgoCd, type ArgoCdBuild } from '../../src/tools/argocd-build.js';
import { argoCdRelease } from '../../src/inputs/releases.js';
import { ensureControlPlane, type ControlPlaneBinaries } from '../../src/tools/control-plane-build.js';
import { argoRolloutsRelease } from '../../src/tools/rollouts-build.js';
import { addonCrdSources, ensureCrdSources, type PreparedCrdSource } from '../../src/validate/crd-sources.js';
import { repoRoot } from '../support/temp-repo.js';

const SLOW = { timeout: 900_000 };
let controlPlane: ControlPlaneBinaries;
let behaviour: BehaviourBinaries;
let crdSources: PreparedCrdSource[];
let argocd: ArgoCdBuild;

beforeAll(async () => {
  const { catalogue } = await readAddonCatalogue(repoRoot);
  controlPlane = await ensureControlPlane(repoRoot, '1.35');
  behaviour = await ensureBehaviourBinaries(repoRoot, '1.35', { rolloutsRelease: argoRolloutsRelease(catalogue!) });
  crdSources = await ensureCrdSources(repoRoot, addonCrdSources(catalogue!));
  argocd = await ensureArgoCd(repoRoot, argoCdRelease(catalogue!));
}, 3_600_000);

type Obj = Record<string, any>;

/** The committed rendered services of a cluster that run a canary. */
function canaries(cluster: string): CanaryService[] {
  const apps = path.join(repoRoot, 'clusters', cluster, 'rendered', 'apps');
  return readdirSync(apps, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => ({
      name: entry.name,
      objects: readdirSync(path.join(apps, entry.name)).filter((f) => f.endsWith('.yaml')).flatMap((f) => parseAllDocuments(readFileSync(path.join(apps, entry.name, f), 'utf8')).map((d) => d.toJS() as Obj)),
    }))
    .filter((service) => canaryRollout(service));
}

const run = async (cluster: string, flavor: 'eks' | 'k3s', services: CanaryService[]) =>
  rehearseCanaries({
    flavor,
    region: 'eu-west-1',
    account: '123456789012',
    services,
    controlPlane,
    behaviour,
    crdSources,
    cacheRoot: repoRoot,
    argoCd: { argocd, ...(await argoCdSettingsAtCommit(repoRoot, 'HEAD', cluster)) },
    scenarioSeconds: 120,
    log: (line) => console.log(line),
  });

const result = (rehearsal: CanaryRehearsal, service: string): CanaryResult => rehearsal.results.find((r) => r.service === service)!;

/** A service with one object changed. */
function changed(service: CanaryService, kind: string, change: (object: Obj) => Obj, name?: string): CanaryService {
  return { ...service, objects: (service.objects as Obj[]).map((o) => (o['kind'] === kind && (!name || o['metadata'].name === name) ? change(structuredClone(o)) : o)) };
}

describe('the committed canaries behave', () => {
  it('Pass when every production canary steps 10 → 25 → 50 → 100 on healthy metrics, aborts to weight 0 on failing ones and stops short of 100% without data', SLOW, async () => {
    const services = canaries('production');
    expect(services.map((s) => s.name)).toEqual(['course-service', 'frontend', 'payment-service', 'user-service']);
    const rehearsal = await run('production', 'eks', services);
    const report = formatCanaries('production', rehearsal, 'every canary');
    console.log(report.join('\n'));
    for (const canary of rehearsal.results) {
      expect(canary.notRehearsed, canary.service).toBeUndefined();
      expect(canary.scenarios.map((s) => [s.observation.scenario, s.judgement.problems]), canary.service).toEqual([['healthy', []], ['failing', []], ['no-data', []]]);
    }
    expect(canariesPass(rehearsal)).toBe(true);
    expect(rehearsal.awsCalls['GetMetricData']).toBeGreaterThan(0);
    expect(rehearsal.awsCalls['DescribeRules']).toBeGreaterThan(0);
  });

  it('Pass when the staging canary (replica-weighted) passes its integration-test Job and aborts when the Job fails', SLOW, async () => {
    const rehearsal = await run('staging', 'k3s', canaries('staging'));
    console.log(formatCanaries('staging', rehearsal, 'every canary').join('\n'));
    const frontend = result(rehearsal, 'frontend');
    expect(frontend.analysis).toBe('job');
    expect(frontend.scenarios.map((s) => [s.observation.scenario, s.judgement.problems])).toEqual([['healthy', []], ['failing', []]]);
    expect(frontend.scenarios[1]!.observation.analysisRuns.map((r) => r.phase)).toContain('Failed');
  });
});

describe('each failure class gets its verdict (one production run, one broken service each)', () => {
  let rehearsal: CanaryRehearsal;
  beforeAll(async () => {
    const byName = new Map(canaries('production').map((s) => [s.name, s]));
    const services: CanaryService[] = [
      // The dimensions as they were before the fix: the controller's status fields, without app/ and targetgroup/.
      { ...changed(byName.get('user-service')!, 'AnalysisTemplate', (t) => JSON.parse(JSON.stringify(t).replaceAll('"app/{{', '"{{').replaceAll('"targetgroup/{{', '"{{'))), scenarios: ['failing'] },
      // A success condition that passes on failing metrics (a threshold of 1000: 100,000% errors, 1,000 s).
      { ...changed(byName.get('payment-service')!, 'AnalysisTemplate', (t) => ({ ...t, spec: { ...t['spec'], metrics: t['spec'].metrics.map((m: Obj) => (m['name'] === 'requests' ? m : { ...m, successCondition: 'all(result[0].Values, {# <= 1000})' })) } })), scenarios: ['failing'] },
      // A canary Service that selects no pods (a label no pod carries).
      { ...changed(byName.get('course-service')!, 'Service', (s) => ({ ...s, spec: { ...s['spec'], selector: { ...s['spec'].selector, 'rehearsal.gitops.local/nothing': 'selected' } } }), 'course-service-canary'), scenarios: ['healthy'] },
      // A pod that cannot be scheduled: requests above every node.
      { ...changed(byName.get('frontend')!, 'Rollout', (r) => {
        r['spec'].template.spec.containers[0].resources.requests.cpu = '64';
        r['spec'].template.spec.containers[0].resources.limits.cpu = '64';
        return r;
      }), scenarios: ['healthy'] },
    ];
    rehearsal = await run('production', 'eks', services);
    console.log(formatCanaries('production', rehearsal, 'failure classes').join('\n'));
  }, 900_000);

  it('Fail when the dimensions match nothing: the failing release is not aborted (no datapoint, the analysis pauses Inconclusive)', () => {
    const [failing] = result(rehearsal, 'user-service').scenarios;
    expect(failing!.judgement.ok).toBe(false);
    expect(failing!.judgement.problems).toContain('no AnalysisRun Failed (Inconclusive)');
  });

  it('Fail when the success condition passes on failing metrics: the failing release is promoted', () => {
    const [failing] = result(rehearsal, 'payment-service').scenarios;
    expect(failing!.judgement.problems).toContain('the failing release was promoted to 100%');
  });

  it('Fail when the canary Service selects no pods: Argo Rollouts refuses the Rollout (InvalidSpec), and the canary is not rehearsed, with the reason', () => {
    // Argo Rollouts v1.9.0 checks that a canary Service's selector matches the pod template's labels.
    expect(result(rehearsal, 'course-service').notRehearsed).toMatch(/Degraded: InvalidSpec: .*canaryService.*"course-service-canary" has unmatch label "rehearsal.gitops.local\/nothing"/);
  });

  it('Fail when a pod cannot be scheduled (requests above every node): the canary is not rehearsed, with the reason', () => {
    expect(result(rehearsal, 'frontend').notRehearsed).toMatch(/a pod cannot be scheduled: .*Insufficient cpu/);
    expect(canariesPass(rehearsal)).toBe(false);
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments, parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { canaryDatapoint, judge, type Observation } from '../../src/local-cluster/canary/scenarios.js';
import { REHEARSAL_INTERVAL, REHEARSAL_PAUSE, rolloutImage, shortenAnalysis, shortenRollout, withFailingJob, withImageTag } from '../../src/local-cluster/canary/rehearsal-copy.js';
import { FAIL_POD_LABEL, POD_FAIL_STAGE } from '../../src/local-cluster/kwok.js';
import { rehearsalNodes } from '../../src/local-cluster/nodes.js';
import { repoRoot } from '../support/temp-repo.js';

const rendered = (cluster: string, file: string) => parse(readFileSync(path.join(repoRoot, 'clusters', cluster, 'rendered', 'apps', file), 'utf8')) as Record<string, unknown>;

const observation = (overrides: Partial<Observation>): Observation => ({
  scenario: 'healthy',
  image: 'r/x:2',
  weights: [0, 10, 25, 50, 100, 0],
  stepIndexes: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  analysisRuns: [{ name: 'a', phase: 'Successful' }],
  final: { phase: 'Healthy', message: '', abort: false, pauseReasons: [], stableImage: true },
  promoted: true,
  seconds: 20,
  ended: 'settled',
  ...overrides,
});

describe('judging a canary scenario', () => {
  it('healthy: every step weight in order, every run Successful, the new image stable', () => {
    expect(judge(observation({}), [10, 25, 50], true)).toEqual({ ok: true, problems: [] });
    expect(judge(observation({ weights: [0, 10, 50, 0] }), [10, 25, 50], true).problems).toEqual(['canary weights seen 0 → 10 → 50 → 0, expected 10 → 25 → 50 in order']);
    expect(judge(observation({ analysisRuns: [{ name: 'a', phase: 'Inconclusive' }] }), [10, 25, 50], true).ok).toBe(false);
  });

  it('failing: a Failed run, an abort, weight back to 0, never promoted; a success condition that passes on failing metrics is caught', () => {
    const aborted = observation({ scenario: 'failing', weights: [0, 10, 0], analysisRuns: [{ name: 'a', phase: 'Failed' }], final: { phase: 'Degraded', message: 'RolloutAborted', abort: true, pauseReasons: [], stableImage: false }, promoted: false, argoCd: { health: { status: 'Degraded', message: 'Rollout aborted update to revision 2' }, trigger: [{ condition: 'any(...)', fires: true }] } });
    expect(judge(aborted, [10, 25, 50], true).ok).toBe(true);
    expect(judge({ ...aborted, argoCd: { health: { status: 'Degraded', message: 'x' }, trigger: [{ condition: 'any(...)', fires: false }] } }, [10, 25, 50], true).problems).toEqual(['the aborted-rollout trigger does not fire: any(...)']);
    expect(judge({ ...aborted, argoCd: undefined }, [10, 25, 50], true).problems).toEqual(["Argo CD's health and the aborted-rollout trigger were not judged (no Argo CD)"]);
    // What a condition that passes on failing metrics looks like: the release goes through.
    expect(judge(observation({ scenario: 'failing' }), [10, 25, 50], true).problems).toEqual(['no AnalysisRun Failed (Successful)', 'the Rollout did not abort (Healthy, abort false)', 'the failing release was promoted to 100%', "Argo CD's health and the aborted-rollout trigger were not judged (no Argo CD)"]);
  });

  it('no data: passing silence is a finding; a pause (Inconclusive) is what is expected', () => {
    expect(judge(observation({ scenario: 'no-data' }), [10, 25, 50], true).problems).toEqual(['a release without data reached 100%', 'no AnalysisRun ended Inconclusive or Failed (Successful): silence passed']);
    const paused = observation({ scenario: 'no-data', weights: [0, 10], analysisRuns: [{ name: 'a', phase: 'Inconclusive' }], final: { phase: 'Paused', message: 'InconclusiveAnalysis', abort: false, pauseReasons: ['InconclusiveAnalysis'], stableImage: false }, promoted: false });
    expect(judge(paused, [10, 25, 50], true).ok).toBe(true);
  });

  it('the canary publishes in proportion to its weight, nothing without ready targets or in the no-data scenario', () => {
    expect(canaryDatapoint('healthy', 'RequestCount', 10, true)).toBe(400);
    expect(canaryDatapoint('healthy', 'HTTPCode_Target_5XX_Count', 10, true)).toBeUndefined();
    expect(canaryDatapoint('failing', 'HTTPCode_Target_5XX_Count', 10, true)).toBe(40);
    expect(canaryDatapoint('healthy', 'RequestCount', 10, false)).toBeUndefined();
    expect(canaryDatapoint('no-data', 'RequestCount', 50, true)).toBeUndefined();
    expect(canaryDatapoint('healthy', 'RequestCount', 0, true)).toBeUndefined();
  });
});

describe("the rehearsal's copy of a service", () => {
  it('shortens pauses and intervals, keeps counts and conditions, and changes the image as deploy does', () => {
    const rollout = rendered('production', 'frontend/rollout.frontend.yaml');
    const short = shortenRollout(rollout) as { spec: { strategy: { canary: { steps: { pause?: { duration: string }; setWeight?: number }[] } } } };
    expect(short.spec.strategy.canary.steps.filter((s) => s.pause).every((s) => s.pause!.duration === REHEARSAL_PAUSE)).toBe(true);
    expect(short.spec.strategy.canary.steps.flatMap((s) => (s.setWeight ? [s.setWeight] : []))).toEqual([10, 25, 50]);
    const template = shortenAnalysis(rendered('production', 'frontend/analysistemplate.frontend-canary.yaml')) as { spec: { metrics: { interval: string; count: number; successCondition: string }[] } };
    expect(template.spec.metrics.map((m) => [m.interval, m.count])).toEqual([[REHEARSAL_INTERVAL, 3], [REHEARSAL_INTERVAL, 3], [REHEARSAL_INTERVAL, 3]]);
    expect(rolloutImage(withImageTag(rollout, 'rehearsal-2'))).toBe(`${rolloutImage(rollout).replace(/@sha256:.*$/, '').replace(/:[^:/]+$/, '')}:rehearsal-2`);
    expect(rolloutImage(rollout)).not.toContain('rehearsal');
  });

  it("labels a Job analysis's pods to fail under kwok, and kwok's fail stage selects exactly them", () => {
    const job = withFailingJob(rendered('staging', 'frontend/analysistemplate.frontend-canary.yaml'), FAIL_POD_LABEL) as { spec: { metrics: { provider: { job: { spec: { template: { metadata: { labels: Record<string, string> } } } } } }[] } };
    expect(job.spec.metrics[0]!.provider.job.spec.template.metadata.labels[FAIL_POD_LABEL]).toBe('true');
    expect(POD_FAIL_STAGE.spec.selector.matchExpressions.at(-1)).toEqual({ key: `.metadata.labels."${FAIL_POD_LABEL}"`, operator: 'In', values: ['true'] });
    expect(parseAllDocuments(POD_FAIL_STAGE.spec.next.statusTemplate.replace(/{{.*?}}/g, 'x')).length).toBe(1);
  });
});

describe('rehearsal nodes', () => {
  it('EKS: three zones of the region; k3s: one server node', () => {
    const eks = rehearsalNodes('eks', 'eu-west-1') as { metadata: { labels: Record<string, string> } }[];
    expect(eks.map((n) => n.metadata.labels['topology.kubernetes.io/zone'])).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    const k3s = rehearsalNodes('k3s', 'eu-west-1') as { metadata: { labels: Record<string, string> } }[];
    expect(k3s).toHaveLength(1);
    expect(k3s[0]!.metadata.labels['node-role.kubernetes.io/control-plane']).toBe('true');
  });
});

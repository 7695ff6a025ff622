import { describe, expect, it } from 'vitest';
import { awsAccountOf } from '../../src/commands/rehearse.js';
import type { CanaryRehearsal } from '../../src/local-cluster/canary/canary-rehearsal.js';
import { parseHealth, parseTrigger } from '../../src/local-cluster/canary/argocd-judge.js';
import { canariesPass, formatCanaries } from '../../src/rehearse/canaries.js';
import { rolloutsSpec } from '../../src/tools/rollouts-build.js';

const final = { phase: 'Healthy', message: '', abort: false, pauseReasons: [], stableImage: true };
const rehearsal: CanaryRehearsal = {
  seconds: 71.2,
  awsCalls: { GetMetricData: 12, DescribeRules: 4 },
  results: [
    {
      service: 'frontend',
      routing: 'alb',
      analysis: 'cloudwatch',
      expectedWeights: [10, 25, 50],
      skipped: [],
      scenarios: [
        { observation: { scenario: 'healthy', image: 'x:2', weights: [0, 10, 25, 50, 100, 0], stepIndexes: [], analysisRuns: [{ name: 'a', phase: 'Successful' }, { name: 'b', phase: 'Successful' }], final, promoted: true, seconds: 20, ended: 'settled' }, judgement: { ok: true, problems: [] } },
        { observation: { scenario: 'failing', image: 'x:3', weights: [0, 10, 0], stepIndexes: [], analysisRuns: [{ name: 'c', phase: 'Failed' }], final: { ...final, phase: 'Degraded', abort: true, stableImage: false }, promoted: false, seconds: 9, ended: 'settled' }, judgement: { ok: true, problems: [] } },
        { observation: { scenario: 'no-data', image: 'x:4', weights: [0, 10], stepIndexes: [], analysisRuns: [{ name: 'd', phase: 'Inconclusive' }], final: { ...final, phase: 'Paused', pauseReasons: ['InconclusiveAnalysisRun'], stableImage: false }, promoted: false, seconds: 8, ended: 'settled' }, judgement: { ok: false, problems: ['made up for the test'] } },
      ],
    },
    { service: 'user-service', routing: 'alb', analysis: 'cloudwatch', expectedWeights: [10], skipped: [], scenarios: [], notRehearsed: 'the first release never became Healthy (a pod cannot be scheduled: 0/3 nodes are available: 3 Insufficient cpu)' },
  ],
};

describe('the canary report', () => {
  it('one line per canary (steps seen, analysis verdicts, how it ended), every problem in full, a canary not rehearsed fails', () => {
    expect(formatCanaries('production', rehearsal, 'services changed: frontend, user-service')).toEqual([
      'canaries of production (services changed: frontend, user-service; 2 rehearsed in 71.2 s; pauses and analysis intervals shortened to seconds):',
      '  frontend (ALB, cloudwatch analysis): FAILED: healthy: weights 0→10→25→50→100→0, analysis ok,ok, promoted; failing: weights 0→10→0, analysis failed, aborted; no-data: weights 0→10, analysis inconclusive, paused (InconclusiveAnalysisRun) ✗',
      '    no-data: made up for the test',
      '  user-service (ALB, cloudwatch analysis): NOT REHEARSED: the first release never became Healthy (a pod cannot be scheduled: 0/3 nodes are available: 3 Insufficient cpu)',
      '  AWS calls the controller made to the local endpoints: DescribeRules 4, GetMetricData 12',
    ]);
    expect(canariesPass(rehearsal)).toBe(false);
    expect(canariesPass({ ...rehearsal, results: [] })).toBe(true);
  });
});

describe("reading the pinned tools' answers", () => {
  it("Argo CD's health and trigger-run output", () => {
    expect(parseHealth('STATUS: Degraded\nMESSAGE: RolloutAborted: Rollout aborted update to revision 3\n')).toEqual({ status: 'Degraded', message: 'RolloutAborted: Rollout aborted update to revision 3' });
    expect(parseHealth('Health script is not configured for x')).toBeUndefined();
    expect(parseTrigger("CONDITION                                    RESULT\nany(app.status.resources ?? [], {#.kind == 'Rollout'})  true\n")).toEqual([{ condition: "any(app.status.resources ?? [], {#.kind == 'Rollout'})", fires: true }]);
  });

  it("the Rollouts build copies the release's replace block and refuses a local folder", () => {
    const spec = rolloutsSpec('v1.9.0', 'module github.com/argoproj/argo-rollouts\n\nreplace (\n\tk8s.io/api => k8s.io/api v0.34.1\n)\nreplace k8s.io/kms => k8s.io/kms v0.34.1\n');
    expect(spec.replaces).toEqual(['replace k8s.io/api => k8s.io/api v0.34.1', 'replace k8s.io/kms => k8s.io/kms v0.34.1']);
    expect(spec.pkg).toBe('github.com/argoproj/argo-rollouts/cmd/rollouts-controller');
    expect(() => rolloutsSpec('v9.9.9', 'replace example.com/x => ./x\n')).toThrow(/module download leaves out/);
  });

  it('the AWS account of the ARNs comes from the cluster registry', () => {
    expect(awsAccountOf('210987654321.dkr.ecr.eu-west-1.amazonaws.com')).toBe('210987654321');
    expect(awsAccountOf(undefined)).toBe('123456789012');
  });
});

/**
 * The scenarios of a canary rehearsal, what the local CloudWatch answers in each, and how each is
 * judged from what was observed (pure: the runner observes, these functions judge; unit-tested).
 */

/** healthy: good metrics (or a passing Job); failing: bad metrics (or a failing Job); no-data: the canary's target group publishes nothing. */
export type ScenarioName = 'healthy' | 'failing' | 'no-data';

/** What the runner saw while a Rollout moved to a new image. */
export interface Observation {
  readonly scenario: ScenarioName;
  /** The new image. */
  readonly image: string;
  /** Canary weights of the Ingress action annotation, in order, consecutive repeats dropped (ALB). */
  readonly weights: readonly number[];
  /** `status.currentStepIndex` values, in order (every canary). */
  readonly stepIndexes: readonly number[];
  /** Each AnalysisRun of this release and its last phase, in creation order. */
  readonly analysisRuns: readonly { readonly name: string; readonly phase: string; readonly message?: string }[];
  /** The Rollout at the end. */
  readonly final: { readonly phase: string; readonly message: string; readonly abort: boolean; readonly pauseReasons: readonly string[]; readonly stableImage: boolean };
  /** True when the Rollout was fully promoted at some point (stable = the new image). */
  readonly promoted: boolean;
  readonly seconds: number;
  /** Why the runner stopped watching: the end it waited for, a pod no node can take, or a timeout. */
  readonly ended: 'settled' | 'unschedulable' | 'timeout';
  /** The scheduler's message for a pod of the release that no node can take. */
  readonly unschedulable?: string;
  /** failing: Argo CD's health of the aborted Rollout and the tree's aborted-rollout trigger (`argocd-judge.ts`). */
  readonly argoCd?: { readonly health: { readonly status: string; readonly message: string }; readonly trigger: readonly { readonly condition: string; readonly fires: boolean }[]; readonly problem?: string };
}

export interface Judgement {
  readonly ok: boolean;
  /** What was proven, or what was not. */
  readonly problems: readonly string[];
}

/**
 * Judges one observation against what the scenario must show; `expectedWeights` are the Rollout's
 * setWeight steps (empty for a replica-weighted canary).
 */
export function judge(observation: Observation, expectedWeights: readonly number[], alb: boolean): Judgement {
  const problems: string[] = [];
  const phases = observation.analysisRuns.map((run) => run.phase);
  if (observation.unschedulable) problems.push(`a pod cannot be scheduled: ${observation.unschedulable}`);
  if (observation.ended === 'timeout') problems.push(`timed out after ${observation.seconds} s (Rollout ${observation.final.phase}: ${observation.final.message || 'no message'})`);
  if (observation.scenario === 'healthy') {
    if (alb) {
      let at = 0;
      for (const weight of observation.weights) if (weight === expectedWeights[at]) at++;
      if (at < expectedWeights.length) problems.push(`canary weights seen ${observation.weights.join(' → ') || 'none'}, expected ${expectedWeights.join(' → ')} in order`);
    }
    if (phases.length === 0) problems.push('no AnalysisRun ran');
    const unsuccessful = observation.analysisRuns.filter((run) => run.phase !== 'Successful');
    if (unsuccessful.length) problems.push(`analysis not Successful: ${unsuccessful.map((run) => `${run.name} ${run.phase}${run.message ? ` (${run.message})` : ''}`).join('; ')}`);
    if (!(observation.final.phase === 'Healthy' && observation.final.stableImage)) problems.push(`the Rollout did not end Healthy with the new image stable (${observation.final.phase}: ${observation.final.message || 'no message'})`);
  } else if (observation.scenario === 'failing') {
    if (!phases.includes('Failed')) problems.push(`no AnalysisRun Failed (${phases.join(', ') || 'none ran'})`);
    if (!observation.final.abort || observation.final.phase !== 'Degraded') problems.push(`the Rollout did not abort (${observation.final.phase}, abort ${observation.final.abort})`);
    if (alb && observation.weights.at(-1) !== 0) problems.push(`traffic did not return to stable: last canary weight ${observation.weights.at(-1) ?? 'none'}`);
    if (observation.promoted) problems.push('the failing release was promoted to 100%');
    const argo = observation.argoCd;
    if (!argo) problems.push("Argo CD's health and the aborted-rollout trigger were not judged (no Argo CD)");
    else if (argo.problem) problems.push(argo.problem);
    else {
      if (argo.health.status !== 'Degraded') problems.push(`Argo CD shows the aborted Rollout ${argo.health.status}, not Degraded (${argo.health.message})`);
      if (!argo.trigger.some((t) => t.fires)) problems.push(`the aborted-rollout trigger does not fire: ${argo.trigger.map((t) => t.condition).join('; ') || 'no condition'}`);
    }
  } else {
    if (observation.promoted || (alb && observation.weights.includes(100))) problems.push('a release without data reached 100%');
    if (!phases.some((phase) => phase === 'Inconclusive' || phase === 'Failed')) problems.push(`no AnalysisRun ended Inconclusive or Failed (${phases.join(', ') || 'none ran'}): silence passed`);
  }
  return { ok: problems.length === 0, problems };
}

/** Requests a fully-weighted canary serves per minute in the rehearsal. */
export const REQUESTS_PER_MINUTE = 4000;

/**
 * The `AWS/ApplicationELB` datapoint of the canary's target group for one minute, by scenario and
 * its current weight; undefined when ALB would publish nothing (no requests, or no 5xx).
 */
export function canaryDatapoint(scenario: ScenarioName, metricName: string, weight: number, servesTraffic: boolean): number | undefined {
  const requests = Math.round((REQUESTS_PER_MINUTE * weight) / 100);
  if (scenario === 'no-data' || !servesTraffic || requests === 0) return undefined;
  const bad = scenario === 'failing';
  switch (metricName) {
    case 'RequestCount':
      return requests;
    case 'HTTPCode_Target_5XX_Count':
      return bad ? Math.round(requests * 0.1) : undefined;
    case 'TargetResponseTime':
      return bad ? 0.9 : 0.12;
    default:
      return undefined;
  }
}

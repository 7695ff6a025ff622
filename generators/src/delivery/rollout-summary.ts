import type { Service } from '../inputs/services.js';

/**
 * One line saying how a new image of a service reaches its users in a cluster, for `promote`:
 * the canary steps (weight, pause, analysis) ending at 100%, or a plain rolling update.
 */
export function describeRollout(service: Pick<Service, 'name' | 'cluster' | 'rollout'>, flavor: 'eks' | 'k3s'): string {
  const rollout = service.rollout;
  if (rollout.strategy === 'rolling') return `${service.name}: rolls out in ${service.cluster} as a rolling update (no canary, no analysis)`;
  const analysed = rollout.analysis ? ', analysis' : '';
  const steps = rollout.steps.map((step) => `${step.weight}% (${step.pause}${analysed})`);
  const failed =
    flavor === 'eks'
      ? `a failed analysis (5xx ratio over ${rollout.analysis?.maxErrorRatePercent}% or p95 over ${rollout.analysis?.maxP95LatencyMs} ms)`
      : 'a failed analysis (the integration tests against the new version)';
  // Too little traffic to judge (EKS) pauses the canary for a person instead of passing it.
  const quiet = flavor === 'eks' && rollout.analysis ? `; under ${rollout.analysis.minRequests} requests in a 5-minute window pauses it for a person` : '';
  const outcome = rollout.analysis
    ? `${failed} aborts it and returns all traffic to the stable version${quiet}`
    : 'no analysis: only a person aborts it (kubectl argo rollouts abort)';
  return `${service.name}: rolls out in ${service.cluster} as a canary: ${[...steps, '100%'].join(' → ')}; ${outcome}`;
}

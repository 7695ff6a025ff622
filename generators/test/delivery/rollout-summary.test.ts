import { describe, expect, it } from 'vitest';
import { describeRollout } from '../../src/delivery/rollout-summary.js';

describe('describeRollout (promote)', () => {
  it('names a rolling update, a k3s canary analysed by the tests and a canary without analysis', () => {
    expect(describeRollout({ name: 'api', cluster: 'production', rollout: { strategy: 'rolling' } }, 'eks')).toBe('api: rolls out in production as a rolling update (no canary, no analysis)');
    const analysis = { maxErrorRatePercent: 1, maxP95LatencyMs: 500, minRequests: 100, interval: '1m', measurements: 3, failureLimit: 0 };
    expect(describeRollout({ name: 'web', cluster: 'staging', rollout: { strategy: 'canary', steps: [{ weight: 50, pause: '2m' }], analysis } }, 'k3s')).toBe(
      'web: rolls out in staging as a canary: 50% (2m, analysis) → 100%; a failed analysis (the integration tests against the new version) aborts it and returns all traffic to the stable version',
    );
    expect(describeRollout({ name: 'web', cluster: 'production', rollout: { strategy: 'canary', steps: [{ weight: 10, pause: '5m' }], analysis } }, 'eks')).toBe(
      'web: rolls out in production as a canary: 10% (5m, analysis) → 100%; a failed analysis (5xx ratio over 1% or p95 over 500 ms) aborts it and returns all traffic to the stable version; under 100 requests in a 5-minute window pauses it for a person',
    );
    expect(describeRollout({ name: 'web', cluster: 'production', rollout: { strategy: 'canary', steps: [{ weight: 20, pause: '1h' }] } }, 'eks')).toBe(
      'web: rolls out in production as a canary: 20% (1h) → 100%; no analysis: only a person aborts it (kubectl argo rollouts abort)',
    );
  });
});

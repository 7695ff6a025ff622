import type { ResourceChange } from './compare.js';
import { apiGroup, describe, type Snapshot } from './snapshot.js';
import { valueAt } from './stateful.js';

/**
 * The progressive-delivery risk rules of `gitops diff` (`canary-removed`, `analysis-removed`):
 * a production service whose releases were canaries with automated analysis loses either. The
 * change itself is legitimate (a service turned to a plain rolling update on purpose), so it is a
 * danger flag for the reviewers, not a failure.
 */

type Json = Record<string, unknown>;

const isRollout = (change: Pick<ResourceChange, 'apiVersion' | 'kind'>) => change.kind === 'Rollout' && apiGroup(change.apiVersion) === 'argoproj.io';

/** True when the Rollout releases as a canary. */
export function isCanary(rollout: Json | undefined): boolean {
  return valueAt(rollout, 'spec.strategy.canary') !== undefined;
}

/** True when the canary runs an analysis: inline analysis steps or a background analysis. */
export function hasCanaryAnalysis(rollout: Json | undefined): boolean {
  const steps = valueAt(rollout, 'spec.strategy.canary.steps');
  const inline = Array.isArray(steps) && steps.some((step) => step !== null && typeof step === 'object' && 'analysis' in step);
  return inline || valueAt(rollout, 'spec.strategy.canary.analysis') !== undefined;
}

/** One flag of a rule: the rule id, the change it is about and its message. */
export interface RolloutRisk {
  readonly rule: 'canary-removed' | 'analysis-removed';
  readonly change: ResourceChange;
  readonly message: string;
}

/** The progressive-delivery flags of one change, for production clusters only. */
export function rolloutRisks(change: ResourceChange, changes: readonly ResourceChange[], context: { readonly base: Snapshot; readonly head: Snapshot }): RolloutRisk[] {
  const production = (context.head.clusters.get(change.cluster) ?? context.base.clusters.get(change.cluster))?.production;
  if (!production || !isRollout(change)) return [];
  const base = change.base?.object as Json | undefined;
  const head = change.head?.object as Json | undefined;
  if (!isCanary(base)) return [];
  if (change.status === 'removed' || !isCanary(head)) {
    const replacement = changes.find((other) => other.status !== 'removed' && other.cluster === change.cluster && other.namespace === change.namespace && other.name === change.name && other.kind === 'Deployment');
    const how = replacement ? `replaced by ${describe(replacement)}: a new version replaces every pod in one rolling update` : change.status === 'removed' ? 'removed' : 'no longer a canary';
    return [{ rule: 'canary-removed', change, message: `production service ${change.namespace} loses its canary (${how}); traffic no longer shifts step by step and no analysis can abort a bad release` }];
  }
  if (hasCanaryAnalysis(base) && !hasCanaryAnalysis(head)) {
    return [{ rule: 'analysis-removed', change, message: `production canary ${describe(change)} loses its analysis: its steps still shift traffic, but nothing checks the new version's errors and latency or rolls it back` }];
  }
  return [];
}

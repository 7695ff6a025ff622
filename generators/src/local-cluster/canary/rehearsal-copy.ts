/**
 * The rehearsal's copy of a service's objects: the same objects, with the waits shortened so a
 * canary's steps take seconds (a rehearsal proves the path, not the pacing), and each change a
 * scenario makes (a new image, as `deploy`/`promote` write it; a failing analysis Job) applied to
 * the copy, never to the repository. Pure functions, unit-tested.
 */

type Obj = Record<string, unknown>;

/** The pause of every canary step and the interval of every metric in a rehearsal. */
export const REHEARSAL_PAUSE = '2s';
export const REHEARSAL_INTERVAL = '2s';

const clone = <T>(value: T): T => structuredClone(value);

/** A Rollout whose step pauses are `REHEARSAL_PAUSE` (a pause without duration, which waits for a person, stays). */
export function shortenRollout(rollout: Obj): Obj {
  const copy = clone(rollout) as { spec?: { strategy?: { canary?: { steps?: { pause?: { duration?: unknown } }[] } } } };
  for (const step of copy.spec?.strategy?.canary?.steps ?? []) if (step.pause?.duration !== undefined) step.pause.duration = REHEARSAL_PAUSE;
  return copy as Obj;
}

/** An AnalysisTemplate whose metrics measure every `REHEARSAL_INTERVAL` (count, limits and conditions unchanged). */
export function shortenAnalysis(template: Obj): Obj {
  const copy = clone(template) as { spec?: { metrics?: { interval?: string }[] } };
  for (const metric of copy.spec?.metrics ?? []) if (metric.interval !== undefined) metric.interval = REHEARSAL_INTERVAL;
  return copy as Obj;
}

/** The first container's image of a Rollout. */
export function rolloutImage(rollout: Obj): string {
  const containers = ((rollout['spec'] as { template?: { spec?: { containers?: { image?: string }[] } } } | undefined)?.template?.spec?.containers ?? []);
  return containers[0]?.image ?? '';
}

/**
 * The Rollout with its first container's image moved to `tag`, as `deploy`/`promote` change it
 * (the tag replaced, a digest dropped: the rehearsal's images are never pulled).
 */
export function withImageTag(rollout: Obj, tag: string): Obj {
  const copy = clone(rollout) as { spec: { template: { spec: { containers: { image: string }[] } } } };
  const container = copy.spec.template.spec.containers[0]!;
  const repository = container.image.replace(/@sha256:[0-9a-f]+$/, '').replace(/:[^:/]+$/, '');
  container.image = `${repository}:${tag}`;
  return copy as unknown as Obj;
}

/** A Job analysis template whose Job's Pod carries `label=true` (kwok then fails it). */
export function withFailingJob(template: Obj, label: string): Obj {
  const copy = clone(template) as { spec?: { metrics?: { provider?: { job?: { spec?: { template?: { metadata?: { labels?: Record<string, string> } } } } } }[] } };
  for (const metric of copy.spec?.metrics ?? []) {
    const podTemplate = metric.provider?.job?.spec?.template;
    if (podTemplate) podTemplate.metadata = { ...podTemplate.metadata, labels: { ...podTemplate.metadata?.labels, [label]: 'true' } };
  }
  return copy as Obj;
}

/**
 * Where pod specs live in Kubernetes objects. Shared by the policies (`validate/policies/`) and by
 * the risk rules of `gitops diff`.
 */

/** A pod spec found in an object: the pod itself, or the template of a workload. */
export interface PodTemplate {
  /** Dotted path of the pod spec in the object (`spec.template.spec`). */
  readonly path: string;
  readonly spec: PodSpec;
  /** True for run-to-completion pods (Job, CronJob): no probes expected. */
  readonly runsToCompletion: boolean;
}

export interface PodSpec {
  readonly containers?: readonly Container[];
  readonly initContainers?: readonly Container[];
  readonly ephemeralContainers?: readonly Container[];
  readonly securityContext?: Record<string, unknown>;
  readonly volumes?: readonly Record<string, unknown>[];
  readonly hostNetwork?: boolean;
  readonly hostPID?: boolean;
  readonly hostIPC?: boolean;
  readonly [key: string]: unknown;
}

export interface Container {
  readonly name?: string;
  readonly image?: string;
  readonly securityContext?: Record<string, unknown>;
  readonly resources?: { readonly requests?: Record<string, unknown>; readonly limits?: Record<string, unknown> };
  readonly readinessProbe?: unknown;
  readonly livenessProbe?: unknown;
  readonly startupProbe?: unknown;
  readonly ports?: readonly Record<string, unknown>[];
  readonly [key: string]: unknown;
}

/** Workload kinds whose pods keep running (probes expected). */
export const LONG_RUNNING_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Pod']);

function get(object: unknown, path: readonly string[]): unknown {
  let current = object;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Every pod spec in an object (none for kinds that have no pods). */
export function podTemplates(object: { readonly kind?: unknown; readonly [key: string]: unknown }): PodTemplate[] {
  const found = (path: string[], runsToCompletion: boolean): PodTemplate[] => {
    const spec = get(object, path);
    return spec && typeof spec === 'object' ? [{ path: path.join('.'), spec: spec as PodSpec, runsToCompletion }] : [];
  };
  switch (object.kind) {
    case 'Pod':
      return found(['spec'], false);
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'ReplicationController':
      return found(['spec', 'template', 'spec'], false);
    case 'Job':
      return found(['spec', 'template', 'spec'], true);
    case 'CronJob':
      return found(['spec', 'jobTemplate', 'spec', 'template', 'spec'], true);
    default:
      return [];
  }
}

/** Containers of a pod spec with their kind, in order: init, regular, ephemeral. */
export function allContainers(spec: PodSpec): { container: Container; type: 'initContainer' | 'container' | 'ephemeralContainer' }[] {
  return [
    ...(spec.initContainers ?? []).map((container) => ({ container, type: 'initContainer' as const })),
    ...(spec.containers ?? []).map((container) => ({ container, type: 'container' as const })),
    ...(spec.ephemeralContainers ?? []).map((container) => ({ container, type: 'ephemeralContainer' as const })),
  ];
}

/** `registry/repo:tag@sha256:…` split into its parts (the tag is undefined when absent). */
export function parseImage(image: string): { repository: string; tag?: string; digest?: string } {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const name = at >= 0 ? image.slice(0, at) : image;
  const lastSlash = name.lastIndexOf('/');
  const colon = name.indexOf(':', lastSlash + 1);
  return colon >= 0 ? { repository: name.slice(0, colon), tag: name.slice(colon + 1), digest } : { repository: name, digest };
}

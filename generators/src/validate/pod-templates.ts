/**
 * Where pod specs live in Kubernetes objects. Shared by the policies (`validate/policies/`) and by
 * the risk rules of `gitops diff`.
 */

/** A pod spec found in an object: the pod itself, or the template of a workload. */
export interface PodTemplate {
  /** Dotted path of the pod spec in the object (`spec.template.spec`). */
  readonly path: string;
  readonly spec: PodSpec;
  /** True for run-to-completion pods (Job, CronJob, workflow steps): no probes expected. */
  readonly runsToCompletion: boolean;
  /**
   * Annotations the pods get, when they are not at the sibling `metadata` of `path` (Argo
   * Workflows: `spec.podMetadata` and the template's `metadata`).
   */
  readonly annotations?: Readonly<Record<string, string>>;
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
export const LONG_RUNNING_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Pod', 'Rollout']);

function get(object: unknown, path: readonly string[]): unknown {
  let current = object;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Argo Workflows kinds (group argoproj.io) and where their WorkflowSpec is. */
const WORKFLOW_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  Workflow: ['spec'],
  WorkflowTemplate: ['spec'],
  ClusterWorkflowTemplate: ['spec'],
  CronWorkflow: ['spec', 'workflowSpec'],
};

type Json = Record<string, unknown>;

const asObject = (value: unknown): Json | undefined => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined);
const asList = (value: unknown): Json[] => (Array.isArray(value) ? value.filter((item): item is Json => asObject(item) !== undefined) : []);

/** `name → value` of a parameter list (`value`, else `default`), for the image references that name one. */
function parameterValues(parameters: unknown): Map<string, string> {
  const values = new Map<string, string>();
  for (const parameter of asList(parameters)) {
    const value = parameter['value'] ?? parameter['default'];
    if (typeof parameter['name'] === 'string' && typeof value === 'string') values.set(parameter['name'], value);
  }
  return values;
}

/**
 * The pods of an Argo Workflows object: one per template that runs a pod (`container`, `script`,
 * `containerSet`), built the way the workflow controller builds it: the template's containers
 * (`main` unless named), sidecars and init containers; the template's pod security context, else the
 * workflow's; the workflow's and the template's volumes; the workflow's host network. An image that
 * is a parameter (`{{workflow.parameters.x}}`, `{{inputs.parameters.x}}`) is checked as its default,
 * which is what runs unless a submitter overrides it. The executor's own `init` and `wait`
 * containers are injected at run time from the controller's configuration and are not here.
 */
function workflowPodTemplates(object: Json, specPath: readonly string[]): PodTemplate[] {
  const spec = asObject(get(object, specPath));
  if (!spec) return [];
  const workflowParameters = parameterValues(asObject(spec['arguments'])?.['parameters']);
  const podMetadataAnnotations = (asObject(asObject(spec['podMetadata'])?.['annotations']) ?? {}) as Record<string, string>;
  return asList(spec['templates']).flatMap((template, index) => {
    const main = asObject(template['container']) ?? asObject(template['script']);
    const set = asList(asObject(template['containerSet'])?.['containers']);
    if (!main && set.length === 0) return [];
    const inputParameters = parameterValues(asObject(template['inputs'])?.['parameters']);
    const resolveImage = (container: Json): Container => {
      const image = container['image'];
      if (typeof image !== 'string') return container as Container;
      const resolved = image.replace(/\{\{\s*(workflow|inputs)\.parameters\.([A-Za-z0-9_.-]+)\s*\}\}/g, (whole, scope: string, name: string) => (scope === 'workflow' ? workflowParameters : inputParameters).get(name) ?? whole);
      return { ...container, image: resolved } as Container;
    };
    const containers = [...(main ? [{ ...main, name: main['name'] ?? 'main' }] : []), ...set, ...asList(template['sidecars'])].map(resolveImage);
    const podSpec: PodSpec = {
      containers,
      initContainers: asList(template['initContainers']).map(resolveImage),
      securityContext: asObject(template['securityContext']) ?? asObject(spec['securityContext']),
      volumes: [...asList(spec['volumes']), ...asList(template['volumes'])],
      ...(spec['hostNetwork'] === true ? { hostNetwork: true } : {}),
    };
    const name = typeof template['name'] === 'string' ? template['name'] : String(index);
    const templateAnnotations = (asObject(asObject(template['metadata'])?.['annotations']) ?? {}) as Record<string, string>;
    return [
      {
        path: `${specPath.join('.')}.templates[${name}]`,
        spec: podSpec,
        runsToCompletion: template['daemon'] !== true,
        annotations: { ...podMetadataAnnotations, ...templateAnnotations },
      },
    ];
  });
}

function found(object: unknown, path: string[], runsToCompletion: boolean): PodTemplate[] {
  const spec = get(object, path);
  return spec && typeof spec === 'object' ? [{ path: path.join('.'), spec: spec as PodSpec, runsToCompletion }] : [];
}

/** The Jobs an Argo Rollouts AnalysisTemplate runs (metrics with the `job` provider). */
function analysisJobTemplates(object: Json): PodTemplate[] {
  return asList(get(object, ['spec', 'metrics'])).flatMap((metric, index) => {
    const spec = asObject(get(metric, ['provider', 'job', 'spec', 'template', 'spec']));
    const name = typeof metric['name'] === 'string' ? metric['name'] : String(index);
    return spec ? [{ path: `spec.metrics[${name}].provider.job.spec.template.spec`, spec: spec as PodSpec, runsToCompletion: true }] : [];
  });
}

/** Every pod spec in an object (none for kinds that have no pods). */
export function podTemplates(object: { readonly kind?: unknown; readonly [key: string]: unknown }): PodTemplate[] {
  const workflowSpec = typeof object.kind === 'string' ? WORKFLOW_SPEC_PATHS[object.kind] : undefined;
  const argo = typeof object['apiVersion'] === 'string' && object['apiVersion'].startsWith('argoproj.io/');
  if (workflowSpec && argo) return workflowPodTemplates(object, workflowSpec);
  if (argo && object.kind === 'Rollout') return found(object, ['spec', 'template', 'spec'], false);
  if (argo && object.kind === 'AnalysisTemplate') return analysisJobTemplates(object);
  switch (object.kind) {
    case 'Pod':
      return found(object, ['spec'], false);
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'ReplicationController':
      return found(object, ['spec', 'template', 'spec'], false);
    case 'Job':
      return found(object, ['spec', 'template', 'spec'], true);
    case 'CronJob':
      return found(object, ['spec', 'jobTemplate', 'spec', 'template', 'spec'], true);
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

import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

/** A workflow parameter: what `gitops verify --param name=value` sets. */
export interface WorkflowParameter {
  readonly name: string;
  /** Default; a parameter without one must be given at submit time. */
  readonly value?: string;
  readonly description: string;
}

export interface WorkflowContainer {
  /** Image reference; may name a parameter (`{{workflow.parameters.x}}`), whose default the policies check. */
  readonly image: string;
  /** Program and arguments: the emissary executor needs the command spelled out. */
  readonly command: readonly string[];
  readonly args?: readonly string[];
  readonly env?: readonly { readonly name: string; readonly value: string }[];
  /** ConfigMaps and Secrets whose keys become environment variables. */
  readonly envFrom?: { readonly configMaps?: readonly string[]; readonly secrets?: readonly string[] };
  readonly resources: { readonly requests: { cpu: string; memory: string }; readonly limits: { cpu: string; memory: string } };
  /** Read-only ConfigMap mounts besides /tmp. */
  readonly configMapMounts?: readonly { readonly configMap: string; readonly mountPath: string }[];
}

export interface RestrictedWorkflowTemplateProps {
  /** Template name: what `gitops verify --template` takes; also the pods' `app.kubernetes.io/name`. */
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** One line for the Argo UI (`workflows.argoproj.io/description`). */
  readonly description: string;
  readonly serviceAccountName: string;
  readonly parameters: readonly WorkflowParameter[];
  readonly container: WorkflowContainer;
  /** The workflow is stopped after this long. */
  readonly activeDeadlineSeconds: number;
}

/** UID and GID every workflow container runs as (as the services' pods do). */
export const workflowUser = 10001;

/** Where Kubernetes mounts a pod's service-account token. */
export const serviceAccountTokenPath = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Succeeded workflows (and their pods) go after an hour; failed ones stay a day to be looked at. */
export const ttlStrategy = { secondsAfterSuccess: 3600, secondsAfterFailure: 86400 } as const;

/**
 * A WorkflowTemplate (argoproj.io/v1alpha1) with one container step that meets Pod Security
 * `restricted` like every workload here: non-root (UID 10001), read-only root file system with a
 * `/tmp` emptyDir, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp;
 * requests and limits; a deadline, a TTL and pod GC so nothing piles up.
 *
 * The pods run as `serviceAccountName`, whose token the Argo Workflows executor (the `wait`
 * container the controller injects) needs to report results. The main container never sees it: an
 * empty volume is mounted over the token path, which keeps Kubernetes from mounting the token there.
 * The pods carry `app.kubernetes.io/name: <name>`, which the network policies select on.
 */
export class RestrictedWorkflowTemplate extends Construct {
  constructor(scope: Construct, id: string, props: RestrictedWorkflowTemplateProps) {
    super(scope, id);
    const c = props.container;
    const podLabels = { ...props.labels, 'app.kubernetes.io/name': props.name };
    const configMapMounts = c.configMapMounts ?? [];
    const envFrom = [
      ...(c.envFrom?.configMaps ?? []).map((name) => ({ configMapRef: { name } })),
      ...(c.envFrom?.secrets ?? []).map((name) => ({ secretRef: { name } })),
    ];
    new ApiObject(this, 'Resource', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'WorkflowTemplate',
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: podLabels,
        annotations: { 'workflows.argoproj.io/description': props.description },
      },
      spec: {
        entrypoint: props.name,
        serviceAccountName: props.serviceAccountName,
        arguments: {
          parameters: props.parameters.map((p) => ({ name: p.name, ...(p.value !== undefined ? { value: p.value } : {}), description: p.description })),
        },
        activeDeadlineSeconds: props.activeDeadlineSeconds,
        ttlStrategy: { ...ttlStrategy },
        // Succeeded pods go at once; a failed pod stays (for its logs) until the TTL removes its workflow.
        podGC: { strategy: 'OnPodSuccess' },
        workflowMetadata: { labels: { ...props.labels, 'app.kubernetes.io/name': props.name } },
        podMetadata: { labels: { ...podLabels } },
        securityContext: {
          runAsNonRoot: true,
          runAsUser: workflowUser,
          runAsGroup: workflowUser,
          fsGroup: workflowUser,
          seccompProfile: { type: 'RuntimeDefault' },
        },
        volumes: [
          { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
          { name: 'no-api-token', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
          ...configMapMounts.map((mount) => ({ name: mount.configMap, configMap: { name: mount.configMap } })),
        ],
        templates: [
          {
            name: props.name,
            container: {
              image: c.image,
              imagePullPolicy: 'IfNotPresent',
              command: [...c.command],
              ...(c.args?.length ? { args: [...c.args] } : {}),
              ...(c.env?.length ? { env: c.env.map((e) => ({ name: e.name, value: e.value })) } : {}),
              ...(envFrom.length ? { envFrom } : {}),
              resources: {
                requests: { cpu: c.resources.requests.cpu, memory: c.resources.requests.memory },
                limits: { cpu: c.resources.limits.cpu, memory: c.resources.limits.memory },
              },
              securityContext: {
                runAsNonRoot: true,
                runAsUser: workflowUser,
                runAsGroup: workflowUser,
                readOnlyRootFilesystem: true,
                allowPrivilegeEscalation: false,
                privileged: false,
                capabilities: { drop: ['ALL'] },
                seccompProfile: { type: 'RuntimeDefault' },
              },
              volumeMounts: [
                { name: 'tmp', mountPath: '/tmp' },
                { name: 'no-api-token', mountPath: serviceAccountTokenPath, readOnly: true },
                ...configMapMounts.map((mount) => ({ name: mount.configMap, mountPath: mount.mountPath, readOnly: true })),
              ],
            },
          },
        ],
      },
    });
  }
}

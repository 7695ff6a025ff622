import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { selectorLabels } from './labels.js';

export interface HttpOrTcpProbe {
  /** HTTP GET path; without it the probe is a TCP connection. */
  readonly path?: string;
  /** Container port number. */
  readonly port: number;
  /** @default 0 */
  readonly initialDelaySeconds?: number;
  /** @default 10 */
  readonly periodSeconds?: number;
  /** @default 1 */
  readonly timeoutSeconds?: number;
  /** @default 3 */
  readonly failureThreshold?: number;
}

export interface AppDeploymentProps {
  /** Deployment, container and selector name. */
  readonly name: string;
  readonly namespace: string;
  /** Labels on the Deployment and its pods. The selector uses `selectorLabels(name)` only. */
  readonly labels: Record<string, string>;
  /** Full image reference. */
  readonly image: string;
  readonly ports: readonly { name: string; port: number }[];
  /** Fixed replicas; leave undefined when an HPA owns the count (then `spec.replicas` is not rendered). */
  readonly replicas?: number;
  readonly resources: { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } };
  readonly readiness: HttpOrTcpProbe;
  readonly liveness: HttpOrTcpProbe;
  readonly startup: HttpOrTcpProbe;
  readonly serviceAccountName: string;
  /** ConfigMaps whose keys become environment variables. */
  readonly envConfigMaps?: readonly string[];
  /** Secrets (written by External Secrets) whose keys become environment variables. */
  readonly envSecrets?: readonly string[];
  /**
   * Plain variables set on the container itself (the platform's, e.g. where traces go). They take
   * precedence over `envFrom`, so leave out any name the ConfigMaps or Secrets carry.
   * @default none
   */
  readonly env?: Readonly<Record<string, string>>;
  /** Annotations on the pod template (e.g. a config checksum that rolls pods on change). */
  readonly podAnnotations?: Record<string, string>;
  /**
   * Spread pods across availability zones (EKS).
   * @default false
   */
  readonly spreadAcrossZones?: boolean;
}

/**
 * A Deployment with the restricted Pod Security profile: non-root, read-only root file system,
 * no privilege escalation, all capabilities dropped, RuntimeDefault seccomp; explicit requests and
 * limits; readiness, liveness and startup probes; a rolling update that never lowers capacity.
 * A writable emptyDir is mounted at /tmp because the root file system is read-only.
 */
export class AppDeployment extends Construct {
  /** The rendered Deployment (an `AppRollout` takes its pod template from here). */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: AppDeploymentProps) {
    super(scope, id);
    const selector = selectorLabels(props.name);
    const deployment = new kplus.Deployment(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
      podMetadata: { labels: props.labels, annotations: props.podAnnotations },
      select: false,
      replicas: props.replicas,
      serviceAccount: kplus.ServiceAccount.fromServiceAccountName(this, 'ServiceAccount', props.serviceAccountName),
      automountServiceAccountToken: false,
      strategy: kplus.DeploymentStrategy.rollingUpdate({
        maxSurge: kplus.PercentOrAbsolute.absolute(1),
        maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
      }),
      securityContext: {
        ensureNonRoot: true,
        user: 10001,
        group: 10001,
        fsGroup: 10001,
      },
      isolate: false,
      containers: [],
    });
    deployment.select(kplus.LabelSelector.of({ labels: selector }));

    const container = deployment.addContainer({
      name: props.name,
      image: props.image,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      ports: props.ports.map((p) => ({ name: p.name, number: p.port })),
      resources: {
        cpu: { request: kplus.Cpu.millis(millis(props.resources.requests.cpu)), limit: kplus.Cpu.millis(millis(props.resources.limits.cpu)) },
        memory: { request: sizeOf(props.resources.requests.memory), limit: sizeOf(props.resources.limits.memory) },
      },
      readiness: probe(props.readiness),
      liveness: probe(props.liveness),
      startup: probe(props.startup),
      securityContext: {
        ensureNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        privileged: false,
        user: 10001,
        group: 10001,
      },
      envVariables: Object.fromEntries(Object.entries(props.env ?? {}).map(([name, value]) => [name, kplus.EnvValue.fromValue(value)])),
      envFrom: [
        ...(props.envConfigMaps ?? []).map((name) => kplus.Env.fromConfigMap(kplus.ConfigMap.fromConfigMapName(this, `EnvConfig-${name}`, name))),
        ...(props.envSecrets ?? []).map((name) => kplus.Env.fromSecret(kplus.Secret.fromSecretName(this, `EnvSecret-${name}`, name))),
      ],
      volumeMounts: [],
    });
    container.mount('/tmp', kplus.Volume.fromEmptyDir(this, 'Tmp', 'tmp', { sizeLimit: Size.mebibytes(64) }));

    const api = ApiObject.of(deployment);
    this.resource = api;
    const base = '/spec/template/spec';
    api.addJsonPatch(
      // cdk8s-plus labels pods with its construct address; selectors here use names only.
      JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'),
      JsonPatch.add(`${base}/securityContext/seccompProfile`, { type: 'RuntimeDefault' }),
      JsonPatch.add(`${base}/containers/0/securityContext/capabilities`, { drop: ['ALL'] }),
      JsonPatch.add(`${base}/containers/0/securityContext/seccompProfile`, { type: 'RuntimeDefault' }),
    );
    if (props.replicas === undefined) {
      // cdk8s-plus defaults to 2 replicas; an HPA owns the count, and a rendered value would fight it on every sync.
      api.addJsonPatch(JsonPatch.remove('/spec/replicas'));
    }
    if (props.spreadAcrossZones) {
      api.addJsonPatch(
        JsonPatch.add(`${base}/topologySpreadConstraints`, [
          { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector } },
        ]),
      );
    }
  }
}

function probe(spec: HttpOrTcpProbe): kplus.Probe {
  const options = {
    port: spec.port,
    initialDelaySeconds: Duration.seconds(spec.initialDelaySeconds ?? 0),
    periodSeconds: Duration.seconds(spec.periodSeconds ?? 10),
    timeoutSeconds: Duration.seconds(spec.timeoutSeconds ?? 1),
    failureThreshold: spec.failureThreshold ?? 3,
  };
  return spec.path ? kplus.Probe.fromHttpGet(spec.path, options) : kplus.Probe.fromTcpSocket(options);
}

function millis(cpu: string): number {
  return cpu.endsWith('m') ? Number(cpu.slice(0, -1)) : Math.round(Number(cpu) * 1000);
}

function sizeOf(memory: string): Size {
  const match = /^([0-9]+)(Ki|Mi|Gi|Ti)$/.exec(memory)!;
  const amount = Number(match[1]);
  switch (match[2]) {
    case 'Ki':
      return Size.kibibytes(amount);
    case 'Mi':
      return Size.mebibytes(amount);
    case 'Gi':
      return Size.gibibytes(amount);
    default:
      return Size.tebibytes(amount);
  }
}

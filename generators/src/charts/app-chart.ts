import { createHash } from 'node:crypto';
import type { Construct } from 'constructs';
import { AppAutoscaler } from '../constructs/app/app-autoscaler.js';
import { AppDeployment, type HttpOrTcpProbe } from '../constructs/app/app-deployment.js';
import { AppAlbAnalysisTemplate, albAnalysisArgs } from '../constructs/app/app-alb-analysis-template.js';
import { AppJobAnalysisTemplate, jobAnalysisArgs } from '../constructs/app/app-job-analysis-template.js';
import { AppDisruptionBudget } from '../constructs/app/app-disruption-budget.js';
import { AppEnvConfigMap } from '../constructs/app/app-env-config-map.js';
import { AppExternalSecret } from '../constructs/app/app-external-secret.js';
import { AppIngress } from '../constructs/app/app-ingress.js';
import { AppNamespace } from '../constructs/app/app-namespace.js';
import { AppNetworkPolicy, appPeer, type NetworkRule } from '../constructs/app/app-network-policy.js';
import { AppRollout } from '../constructs/app/app-rollout.js';
import { AppService } from '../constructs/app/app-service.js';
import { AppServiceAccount } from '../constructs/app/app-service-account.js';
import { appLabels, selectorLabels } from '../constructs/app/labels.js';
import type { Cluster } from '../inputs/clusters.js';
import type { Service } from '../inputs/services.js';
import { workflowsNamespaceName } from '../argocd/layout.js';
import { otelEnvironment, otlpPorts, traceCollectorOf } from '../argocd/trace-collector.js';
import { httpPortName, integrationTestsImage, workflowCallersOf } from '../workflows/plan.js';

/** Default replicas of a service that sets neither replicas nor autoscaling. */
export const defaultReplicas = 2;

/** What the chart reads of another service: whether it lets this one in, and on which ports. */
export type Callee = Pick<Service, 'name' | 'ports' | 'allowFrom'>;

/** What an app chart needs besides the service itself. */
export interface AppChartContext {
  readonly cluster: Cluster;
  /** The services of the cluster (to open egress to the services this one calls: those whose `allowFrom` names it); the callees alone suffice. */
  readonly services: readonly Callee[];
  /** Extra egress paths (e.g. to databases), added by infrastructure wiring. */
  readonly extraEgress?: readonly NetworkRule[];
  /** Extra envFrom sources: ConfigMaps and Secrets with connection details. */
  readonly extraEnvConfigMaps?: readonly string[];
  readonly extraEnvSecrets?: readonly string[];
}

/** Every object of one service in one cluster, all in the service's own namespace. */
export function buildAppChart(scope: Construct, service: Service, context: AppChartContext): void {
  const { cluster } = context;
  const name = service.name;
  const labels = appLabels(name, service.team);
  const selector = selectorLabels(name);
  const portOf = (portName: string) => service.ports.find((p) => p.name === portName)!.port;
  const probe = (spec: Service['probes']['readiness']): HttpOrTcpProbe => ({ ...spec, port: portOf(spec.port) });

  new AppNamespace(scope, 'Namespace', { name, labels });
  new AppServiceAccount(scope, 'ServiceAccount', {
    name,
    namespace: name,
    labels,
    roleArn: cluster.flavor === 'eks' ? service.roleArn : undefined,
  });

  const hasEnv = Object.keys(service.env).length > 0;
  if (hasEnv) new AppEnvConfigMap(scope, 'Env', { name: `${name}-env`, namespace: name, labels, env: service.env });
  const secrets = Object.keys(service.secretEnv).length
    ? new AppExternalSecret(scope, 'SecretEnv', { name: `${name}-env`, namespace: name, labels, targetSecretName: `${name}-env`, env: service.secretEnv })
    : undefined;

  // Where traces go, when the cluster runs a collector; a variable the service sets itself wins.
  const collector = traceCollectorOf(cluster);
  const platformEnv = Object.fromEntries(
    Object.entries(collector ? otelEnvironment(collector, name) : {}).filter(([key]) => !(key in service.env) && !(key in service.secretEnv)),
  );

  const replicas = service.autoscaling ? undefined : (service.replicas ?? defaultReplicas);
  const rollout = service.rollout;
  const canary = rollout.strategy === 'canary' ? rollout : undefined;
  // EKS: the ALB splits the traffic (the canary needs an ingress there); k3s: the replica counts do.
  const albCanary = canary && cluster.flavor === 'eks' && service.ingress ? { ingress: name, servicePort: portOf(service.ingress.port) } : undefined;
  const workload = {
    name,
    namespace: name,
    labels,
    image: service.imageRef,
    ports: service.ports,
    replicas,
    resources: service.resources,
    readiness: probe(service.probes.readiness),
    liveness: probe(service.probes.liveness),
    startup: probe(service.probes.startup ?? { ...service.probes.readiness, failureThreshold: 30 }),
    serviceAccountName: name,
    envConfigMaps: [...(hasEnv ? [`${name}-env`] : []), ...(context.extraEnvConfigMaps ?? [])],
    envSecrets: [...(secrets?.secretNames ?? []), ...(context.extraEnvSecrets ?? [])],
    env: platformEnv,
    podAnnotations: hasEnv ? { 'learning-platform.io/env-checksum': checksum(service.env) } : undefined,
    spreadAcrossZones: cluster.flavor === 'eks',
  };
  const analysisName = `${name}-canary`;
  const integrationTests = cluster.workflows?.integrationTests;
  // k3s: the cluster's integration tests, run as a Job against the canary Service alone (input rules: they exist, port http).
  const jobAnalysis = canary?.analysis && !albCanary && integrationTests ? { podName: `${name}-canary-analysis`, port: portOf(httpPortName) } : undefined;
  if (canary) {
    if (canary.analysis && albCanary) {
      new AppAlbAnalysisTemplate(scope, 'Analysis', { name: analysisName, namespace: name, labels, ...canary.analysis });
    }
    if (jobAnalysis && integrationTests) {
      const canaryUrl = `http://${canaryServiceName(name)}.${name}.svc.cluster.local:${jobAnalysis.port}`;
      new AppJobAnalysisTemplate(scope, 'Analysis', {
        name: analysisName,
        namespace: name,
        labels,
        podName: jobAnalysis.podName,
        image: integrationTestsImage(cluster, integrationTests),
        command: integrationTests.command,
        env: [
          { name: 'CLUSTER', value: cluster.name },
          { name: 'REVISION', value: `{{args.${jobAnalysisArgs.revision.name}}}` },
          { name: 'BASE_URL', value: canaryUrl },
          { name: `${name.toUpperCase().replace(/-/g, '_')}_URL`, value: canaryUrl },
        ],
        resources: integrationTests.resources,
        activeDeadlineSeconds: integrationTests.activeDeadlineSeconds,
        serviceAccountName: name,
        egress: [{ peers: [appPeer(name, name)], ports: [{ port: jobAnalysis.port }] }],
      });
    }
    new AppRollout(scope, 'Rollout', {
      ...workload,
      canaryService: canaryServiceName(name),
      // Replica-weighted (k3s): the main Service keeps selecting every pod, so users reach both versions by replica share.
      ...(albCanary ? { stableService: name, alb: albCanary } : {}),
      steps: canary.steps,
      analysis:
        canary.analysis && albCanary
          ? {
              templateName: analysisName,
              args: Object.values(albAnalysisArgs).map((arg) => ({ name: arg.name, valueFrom: { fieldRef: { fieldPath: arg.fieldPath } } })),
            }
          : jobAnalysis
            ? { templateName: analysisName, args: [{ name: jobAnalysisArgs.revision.name, valueFrom: { podTemplateHashValue: jobAnalysisArgs.revision.podTemplateHashValue } }] }
            : undefined,
    });
    new AppService(scope, 'CanaryService', { name: canaryServiceName(name), namespace: name, labels, selector, ports: service.ports });
  } else {
    new AppDeployment(scope, 'Deployment', workload);
  }
  new AppService(scope, 'Service', { name, namespace: name, labels, selector, ports: service.ports });

  if (service.autoscaling) {
    new AppAutoscaler(scope, 'Autoscaler', {
      name,
      namespace: name,
      labels,
      target: { kind: canary ? 'Rollout' : 'Deployment', name },
      minReplicas: service.autoscaling.minReplicas,
      maxReplicas: service.autoscaling.maxReplicas,
      targetCPUUtilizationPercent: service.autoscaling.targetCPUUtilizationPercent,
    });
  }
  const minimumReplicas = service.autoscaling?.minReplicas ?? replicas ?? defaultReplicas;
  if (minimumReplicas > 1) new AppDisruptionBudget(scope, 'DisruptionBudget', { name, namespace: name, labels, selector });

  const allPorts = service.ports.map((p) => ({ port: p.port }));
  const ingressRules: NetworkRule[] = [];
  if (service.ingress) {
    const port = portOf(service.ingress.port);
    ingressRules.push(
      cluster.flavor === 'eks'
        ? { peers: [{ ipBlock: { cidr: cluster.network.vpcCidr } }], ports: [{ port }] }
        : {
            peers: [
              {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
                podSelector: { matchLabels: { 'app.kubernetes.io/name': 'traefik' } },
              },
            ],
            ports: [{ port }],
          },
    );
  }
  for (const caller of service.allowFrom) ingressRules.push({ peers: [appPeer(caller, caller)], ports: allPorts });
  // The canary analysis Job (k3s) calls the new version on its HTTP port.
  if (jobAnalysis) ingressRules.push({ peers: [appPeer(jobAnalysis.podName, name)], ports: [{ port: jobAnalysis.port }] });
  // The verification workflows (integration tests, k6) that cluster.yaml points at this service: its HTTP port only.
  for (const template of workflowCallersOf(name, cluster)) {
    ingressRules.push({ peers: [appPeer(template, workflowsNamespaceName)], ports: [{ port: portOf(httpPortName) }] });
  }
  const egress: NetworkRule[] = calleesOf(name, context.services).map((callee) => ({
    peers: [appPeer(callee.name, callee.name)],
    ports: callee.ports.map((p) => ({ port: p.port })),
  }));
  egress.push(...(context.extraEgress ?? []));
  // OTLP to the trace collector's pods (the collector's namespace admits it from every namespace).
  if (collector) {
    egress.push({
      peers: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': collector.namespace } }, podSelector: { matchLabels: { ...collector.podLabels } } }],
      ports: otlpPorts(collector).map((port) => ({ port })),
    });
  }
  new AppNetworkPolicy(scope, 'NetworkPolicy', { name, namespace: name, labels, selector, ingress: ingressRules, egress });

  if (service.ingress) {
    new AppIngress(scope, 'Ingress', {
      name,
      namespace: name,
      labels,
      host: service.ingress.host,
      path: service.ingress.path,
      serviceName: name,
      servicePort: portOf(service.ingress.port),
      rolloutManagedAction: albCanary !== undefined,
      controller:
        cluster.flavor === 'eks'
          ? {
              kind: 'alb',
              settings: {
                certificateArn: cluster.ingress.certificateArn,
                wafAclArn: cluster.ingress.wafAclArn,
                shieldAdvanced: cluster.ingress.shieldAdvanced,
                scheme: cluster.ingress.scheme,
                groupName: cluster.ingress.groupName,
                sslPolicy: cluster.ingress.sslPolicy,
                healthCheckPath: service.probes.readiness.path,
              },
            }
          : { kind: 'traefik', settings: cluster.ingress },
    });
  }
}

/** The Service Argo Rollouts points at the new version of a canary service. */
export function canaryServiceName(service: string): string {
  return `${service}-canary`;
}

const calleeIndexes = new WeakMap<readonly Callee[], Map<string, Callee[]>>();

/** Services that list `caller` in their allowFrom, in service order; indexed once per list. */
export function calleesOf<S extends Callee>(caller: string, services: readonly S[]): S[] {
  let index = calleeIndexes.get(services);
  if (!index) {
    index = new Map();
    for (const service of services) {
      for (const allowed of service.allowFrom) index.set(allowed, [...(index.get(allowed) ?? []), service]);
    }
    calleeIndexes.set(services, index);
  }
  return (index.get(caller) ?? []) as S[];
}

/** Short content hash of the plain env: changing a value rolls the pods. */
function checksum(env: Readonly<Record<string, string>>): string {
  const sorted = Object.keys(env)
    .sort()
    .map((key) => [key, env[key]]);
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 16);
}

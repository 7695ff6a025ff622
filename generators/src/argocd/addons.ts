import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { AddonPodIdentity } from '../constructs/argocd/addon-pod-identity.js';
import type { IgnoreDifference, KustomizeSource } from '../constructs/argocd/application-spec.js';
import type { ClusterGroupKind, GroupKind } from '../constructs/argocd/argocd-app-project.js';
import type { PodSecurityLevel } from '../constructs/argocd/addon-namespace.js';
import { waveAnnotations } from '../constructs/argocd/application-spec.js';
import { secretStoreNames } from '../constructs/app/app-external-secret.js';
import type { Cluster } from '../inputs/clusters.js';
import type { AddonCatalogue, ChartId, CrossplaneProviderId } from '../inputs/schemas/addons.js';
import type { IrsaAddon } from '../inputs/schemas/cluster-argocd.js';
import { argoCdRelease } from '../inputs/releases.js';
import { argocdCrdAnnotations, argocdCrdFolder, argocdRepository } from './argocd-crds.js';
import { argocdValues, slackTokenKey } from './argocd-values.js';
import { crossplanePackages, runsCrossplane, type AwsControllers } from './controllers.js';
import { addonRoleArn, externalSecretsAnnotations, irsaAnnotations } from './irsa.js';
import { addonWaves, waves } from './layout.js';
import { adotCollector as traceCollector, otlpPorts } from './trace-collector.js';

/** One upstream chart an add-on installs. */
export interface AddonChart {
  readonly chart: ChartId;
  /** Helm release name: it names the chart's objects (and the service accounts IAM roles trust). */
  readonly releaseName: string;
  readonly values: Record<string, unknown>;
}

/**
 * A platform add-on: one Argo CD Application `addon-<id>` in project `addons`, syncing its
 * upstream chart(s) and the folder `addons/<id>/` (its namespace and the objects the charts do
 * not bring).
 */
export interface Addon {
  readonly id: string;
  /** What it is, one line (READMEs). */
  readonly title: string;
  readonly namespace: string;
  /** Pod Security level enforced on the namespace. */
  readonly podSecurity: PodSecurityLevel;
  readonly syncWave: number;
  readonly charts: readonly AddonChart[];
  /**
   * Upstream manifests synced beside the charts: a folder of an upstream repository at a release
   * tag (Argo CD's CRDs, which the argo-cd chart would install at another release).
   * @default none
   */
  readonly manifests?: readonly KustomizeSource[];
  /** Objects beside the charts, rendered into `addons/<id>/`; they need the charts' CRDs, so they sync last. */
  readonly extras?: (scope: Construct, labels: Record<string, string>) => void;
  /** Fields a controller (not Git) owns; each says why. */
  readonly ignoreDifferences?: readonly IgnoreDifference[];
  /**
   * Service accounts that assume an IAM role on EKS, for the roles' trust policies: through IRSA
   * (`system:serviceaccount:<namespace>:<serviceAccount>` via the OIDC provider) or an EKS Pod
   * Identity association rendered in the add-on's folder (`pods.eks.amazonaws.com`).
   */
  readonly identities?: readonly { readonly role: IrsaAddon | 'external-secrets'; readonly serviceAccount: string; readonly via: 'irsa' | 'pod-identity' }[];
  /**
   * The add-on runs in an AppProject of its own (`addon-<id>`), which allows exactly these kinds,
   * instead of the shared `addons` project (every chart kind in the add-on namespaces).
   */
  readonly ownProject?: { readonly clusterResources: readonly ClusterGroupKind[]; readonly namespacedResources: readonly GroupKind[] };
  /** Cluster-scoped objects `addons/<id>/` renders besides the namespace (the add-ons project must allow them). */
  readonly clusterKinds?: readonly ClusterGroupKind[];
  /** Network paths besides the ones every add-on gets (see `AddonNetworkPolicies`). */
  readonly network?: {
    /** Calls AWS APIs: on k3s it reads the instance profile from the metadata service. */
    readonly awsApi?: boolean;
    /** Gets its AWS credential from the EKS Pod Identity Agent on the node. */
    readonly podIdentityAgent?: boolean;
    readonly kubelet?: boolean;
    readonly servedToCluster?: readonly number[];
  };
}

/** Sync options of objects that need CRDs installed by the same sync (or later, by a controller). */
const afterCrds = ['SkipDryRunOnMissingResource=true'];

/**
 * Webhook certificates a chart generates at template time (`genCA`): every render makes new ones,
 * so without this Argo CD would report the Application out of sync forever and replace the
 * certificate on each sync. The controller keeps the first ones it was installed with.
 */
function generatedWebhookCerts(secretName?: string): IgnoreDifference[] {
  const reason = 'the chart generates a new self-signed webhook certificate on every render';
  return [
    { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration', jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'], reason },
    { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration', jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'], reason },
    { kind: 'Secret', ...(secretName ? { name: secretName } : {}), jsonPointers: ['/data'], reason },
  ];
}

/** The add-ons of one cluster, by flavor and the AWS controllers its infra needs, in a stable order. */
export function clusterAddons(cluster: Cluster, catalogue: AddonCatalogue, controllers: AwsControllers): Addon[] {
  const addons: Addon[] = [
    {
      id: 'argo-cd',
      title: 'Argo CD itself, managing its own installation after the bootstrap (same chart and values), with notifications',
      namespace: 'argocd',
      podSecurity: 'baseline',
      syncWave: waves.argocd,
      charts: [{ chart: 'argo-cd', releaseName: 'argocd', values: argocdValues(cluster, catalogue) }],
      // The CRDs of the release the clusters run (the chart's are off: argocd-crds.ts), moving with image.tag.
      manifests: [{ kind: 'kustomize', repoURL: argocdRepository, targetRevision: argoCdRelease(catalogue), path: argocdCrdFolder, commonAnnotations: argocdCrdAnnotations }],
      extras: (scope, labels) => notificationsSecret(scope, cluster, labels),
      identities: cluster.argocd.notifications.sqs ? [{ role: 'argocd-notifications', serviceAccount: 'argocd-notifications-controller', via: 'irsa' }] : [],
      network: { awsApi: cluster.argocd.notifications.sqs !== undefined },
    },
    {
      id: 'external-secrets',
      title: 'External Secrets Operator: copies secrets from AWS Secrets Manager and SSM Parameter Store',
      namespace: 'external-secrets',
      podSecurity: 'baseline',
      syncWave: waves.addons,
      charts: [
        {
          chart: 'external-secrets',
          releaseName: 'external-secrets',
          values: {
            installCRDs: true,
            // The ClusterSecretStores (platform/) authenticate as this service account.
            serviceAccount: { create: true, name: 'external-secrets', annotations: externalSecretsAnnotations(cluster) },
          },
        },
      ],
      identities: [{ role: 'external-secrets', serviceAccount: 'external-secrets', via: 'irsa' }],
      network: { awsApi: true },
    },
    {
      id: 'argo-workflows',
      title: 'Argo Workflows: integration, load and migration workflows (`gitops verify` submits them)',
      namespace: 'argo',
      podSecurity: 'baseline',
      syncWave: waves.addons,
      charts: [
        {
          chart: 'argo-workflows',
          releaseName: 'argo-workflows',
          values: {
            crds: { install: true, keep: true },
            // `gitops verify` calls the Argo Server REST API with a bearer token.
            server: { authModes: ['client'] },
            // The controller watches every namespace (singleNamespace is off); workflowNamespaces only says where
            // the chart creates its own workflow account. The templates of workflows/ bring their own in their namespace.
            // Only workflows that reference a WorkflowTemplate run (a submitted Workflow may still override template
            // fields: who may submit is bounded by RBAC, the gitops-verify Role in workflows/).
            controller: { workflowNamespaces: ['argo'], workflowRestrictions: { templateReferencing: 'Strict' } },
            workflow: { serviceAccount: { create: true, name: 'argo-workflow' }, rbac: { create: true } },
            // The init and wait containers the controller injects into every workflow pod: Pod Security restricted
            // (the workflows namespace enforces it) with requests and limits, like every container here.
            executor: {
              securityContext: {
                runAsNonRoot: true,
                runAsUser: 8737,
                readOnlyRootFilesystem: true,
                allowPrivilegeEscalation: false,
                privileged: false,
                capabilities: { drop: ['ALL'] },
                seccompProfile: { type: 'RuntimeDefault' },
              },
              resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
            },
          },
        },
      ],
    },
    argoRolloutsAddon(cluster),
  ];
  const ack = controllers.ack;
  if (ack) {
    addons.push({
      id: 'ack',
      title: `AWS Controllers for Kubernetes: the ${ack.join(', ')} controllers`,
      namespace: 'ack-system',
      podSecurity: 'baseline',
      syncWave: waves.addons,
      charts: ack.map((service) => ({
        chart: `ack-${service}` as const,
        releaseName: `ack-${service}-controller`,
        values: {
          aws: { region: cluster.region },
          // Keep the AWS resource when its Kubernetes object goes (each object also says so).
          deletionPolicy: 'retain',
          installScope: 'cluster',
          serviceAccount: { create: true, name: `ack-${service}-controller`, annotations: irsaAnnotations(cluster, `ack-${service}`) },
        },
      })),
      identities: ack.map((service) => ({ role: `ack-${service}` as const, serviceAccount: `ack-${service}-controller`, via: 'irsa' as const })),
      network: { awsApi: true },
    });
  }
  if (runsCrossplane(controllers)) {
    const packages = crossplanePackages(controllers);
    addons.push({
      id: 'crossplane',
      title: `Crossplane with the Upbound provider-aws family: the ${packages.join(', ')} providers`,
      namespace: 'crossplane-system',
      podSecurity: 'baseline',
      syncWave: waves.addons,
      charts: [{ chart: 'crossplane', releaseName: 'crossplane', values: { args: [] } }],
      extras: (scope, labels) => crossplaneProviders(scope, cluster, catalogue, packages, labels),
      identities: [{ role: 'crossplane', serviceAccount: crossplaneRuntimeConfigName, via: 'irsa' }],
      network: { awsApi: true },
    });
  }
  if (cluster.flavor === 'eks') {
    addons.push(
      {
        id: 'aws-load-balancer-controller',
        title: 'AWS Load Balancer Controller: the ALBs of class alb (ACM, WAF, Shield Advanced)',
        namespace: 'aws-load-balancer-controller',
        podSecurity: 'baseline',
        syncWave: waves.addons,
        charts: [
          {
            chart: 'aws-load-balancer-controller',
            releaseName: 'aws-load-balancer-controller',
            values: {
              clusterName: cluster.eks.clusterName,
              region: cluster.region,
              vpcId: cluster.eks.vpcId,
              replicaCount: 2,
              ingressClass: 'alb',
              createIngressClassResource: true,
              serviceAccount: { create: true, name: 'aws-load-balancer-controller', annotations: irsaAnnotations(cluster, 'aws-load-balancer-controller') },
            },
          },
        ],
        ignoreDifferences: generatedWebhookCerts('aws-load-balancer-tls'),
        identities: [{ role: 'aws-load-balancer-controller', serviceAccount: 'aws-load-balancer-controller', via: 'irsa' }],
      },
      {
        id: 'external-dns',
        title: `ExternalDNS: Route 53 records for the Ingress hosts under ${cluster.domain}`,
        namespace: 'external-dns',
        podSecurity: 'baseline',
        syncWave: waves.addons,
        charts: [
          {
            chart: 'external-dns',
            releaseName: 'external-dns',
            values: {
              provider: { name: 'aws' },
              env: [{ name: 'AWS_DEFAULT_REGION', value: cluster.region }],
              sources: ['ingress'],
              domainFilters: [cluster.domain],
              policy: cluster.eks.externalDns.policy,
              registry: 'txt',
              txtOwnerId: `learning-platform-${cluster.name}`,
              serviceAccount: { create: true, name: 'external-dns', annotations: irsaAnnotations(cluster, 'external-dns') },
            },
          },
        ],
        identities: [{ role: 'external-dns', serviceAccount: 'external-dns', via: 'irsa' }],
      },
      {
        id: 'amazon-cloudwatch-observability',
        title: 'CloudWatch Container Insights: the CloudWatch agent (metrics) and Fluent Bit (container logs)',
        namespace: cloudwatchNamespace,
        // The agent and Fluent Bit read host paths (container logs, cgroups).
        podSecurity: 'privileged',
        syncWave: waves.addons,
        charts: [
          {
            chart: 'amazon-cloudwatch-observability',
            releaseName: 'amazon-cloudwatch-observability',
            values: {
              clusterName: cluster.eks.clusterName,
              region: cluster.region,
              containerLogs: { enabled: true },
              // The chart renders no annotation on this service account (agent.serviceAccount has only
              // `name`), so IRSA cannot reach it: its role comes through the Pod Identity association below.
              agent: { serviceAccount: { name: cloudwatchAgentServiceAccount } },
            },
          },
        ],
        // Before the chart (wave -1): EKS injects the credential only into pods created after it exists.
        extras: (scope, labels) =>
          new AddonPodIdentity(scope, 'PodIdentity', {
            name: 'amazon-cloudwatch-observability',
            namespace: cloudwatchNamespace,
            serviceAccount: cloudwatchAgentServiceAccount,
            clusterName: cluster.eks.clusterName,
            region: cluster.region,
            roleArn: addonRoleArn(cluster, 'amazon-cloudwatch-observability'),
            labels,
            annotations: waveAnnotations(addonWaves.credentials, afterCrds),
          }),
        clusterKinds: [
          { group: 'aws.upbound.io', kind: 'ProviderConfig', name: 'amazon-cloudwatch-observability' },
          { group: 'eks.aws.upbound.io', kind: 'PodIdentityAssociation', name: 'amazon-cloudwatch-observability' },
        ],
        ignoreDifferences: generatedWebhookCerts(),
        // The agent (the operator's DaemonSet) and Fluent Bit both run as this service account.
        identities: [{ role: 'amazon-cloudwatch-observability', serviceAccount: cloudwatchAgentServiceAccount, via: 'pod-identity' }],
        network: { awsApi: true, podIdentityAgent: true, kubelet: true },
      },
      {
        id: 'adot-collector',
        title: 'AWS Distro for OpenTelemetry collector: receives OTLP traces from the services and sends them to X-Ray',
        namespace: traceCollector.namespace,
        podSecurity: 'baseline',
        syncWave: waves.addons,
        charts: [{ chart: 'adot-collector', releaseName: traceCollector.releaseName, values: adotValues(cluster, catalogue) }],
        identities: [{ role: 'adot-collector', serviceAccount: 'adot-collector', via: 'irsa' }],
        // The services send OTLP traces here (gRPC 4317, HTTP 4318); their own policies open the way out.
        network: { awsApi: true, servedToCluster: otlpPorts(traceCollector) },
      },
    );
  }
  return addons;
}

/** Namespace of the Argo Rollouts controller. */
export const argoRolloutsNamespace = 'argo-rollouts';

/**
 * Argo Rollouts (chart `argo-rollouts`, release `argo-rollouts`, so every object and the service
 * account are named `argo-rollouts`): the controller of the services' canary Rollouts. On EKS it
 * shifts traffic through the AWS Load Balancer Controller (the Ingress forward action), verifies
 * the target groups (`--aws-verify-target-group`, which writes `status.alb` that the analysis
 * reads) and queries CloudWatch, all with its IRSA role (the chart annotates its service account).
 * Its own project allows only what the chart brings: its five CRDs and its cluster roles by name.
 */
function argoRolloutsAddon(cluster: Cluster): Addon {
  const eks = cluster.flavor === 'eks';
  const name = 'argo-rollouts';
  const crds = ['rollouts', 'analysisruns', 'analysistemplates', 'clusteranalysistemplates', 'experiments'];
  return {
    id: name,
    title: `Argo Rollouts: canary Rollouts of the services${eks ? ' (ALB traffic shifting, CloudWatch analysis)' : ' (replica-weighted)'}, aborted and rolled back on a failed analysis`,
    namespace: argoRolloutsNamespace,
    podSecurity: 'restricted',
    syncWave: waves.addons,
    charts: [
      {
        chart: name,
        releaseName: name,
        values: {
          installCRDs: true,
          keepCRDs: true,
          controller: {
            replicas: 2,
            resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } },
            ...(eks ? { awsVerifyTargetGroup: true, extraEnv: [{ name: 'AWS_REGION', value: cluster.region }] } : {}),
          },
          serviceAccount: { create: true, name, annotations: irsaAnnotations(cluster, name) },
          dashboard: { enabled: false },
          // Only the traffic router in use: RBAC for the others' kinds is not granted.
          providerRBAC: {
            enabled: eks,
            providers: {
              istio: false,
              smi: false,
              ambassador: false,
              awsLoadBalancerController: eks,
              awsAppMesh: false,
              traefik: false,
              apisix: false,
              contour: false,
              glooPlatform: false,
              gatewayAPI: false,
            },
          },
        },
      },
    ],
    identities: eks ? [{ role: name, serviceAccount: name, via: 'irsa' }] : [],
    // EKS: the ELB and CloudWatch APIs (HTTPS, open to every add-on) with IRSA; k3s: only the API server.
    ownProject: {
      clusterResources: [
        ...crds.map((plural) => ({ group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition', name: `${plural}.argoproj.io` })),
        ...[name, `${name}-aggregate-to-view`, `${name}-aggregate-to-edit`, `${name}-aggregate-to-admin`].map((role) => ({ group: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role })),
        { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding', name },
      ],
      namespacedResources: [
        { group: 'apps', kind: 'Deployment' },
        { group: '', kind: 'ServiceAccount' },
        { group: '', kind: 'ConfigMap' },
        { group: '', kind: 'Service' },
        { group: 'networking.k8s.io', kind: 'NetworkPolicy' },
      ],
    },
  };
}

/** Namespace of CloudWatch Container Insights. */
const cloudwatchNamespace = 'amazon-cloudwatch';

/**
 * The service account the CloudWatch agent and Fluent Bit run as (chart value
 * `agent.serviceAccount.name`, also the subject of their Pod Identity association).
 */
export const cloudwatchAgentServiceAccount = 'cloudwatch-agent';

/** The opentelemetry-collector chart running the ADOT image: OTLP in, X-Ray out, nothing else. */
function adotValues(cluster: Cluster, catalogue: AddonCatalogue): Record<string, unknown> {
  const image = catalogue.charts['adot-collector'].image;
  return {
    mode: 'deployment',
    replicaCount: 2,
    ...(image ? { image: { repository: image.repository ?? 'public.ecr.aws/aws-observability/aws-otel-collector', tag: image.tag } } : {}),
    command: { name: 'awscollector' },
    serviceAccount: { create: true, name: 'adot-collector', annotations: irsaAnnotations(cluster, 'adot-collector') },
    ports: { 'jaeger-compact': { enabled: false }, 'jaeger-thrift': { enabled: false }, 'jaeger-grpc': { enabled: false }, zipkin: { enabled: false } },
    config: {
      receivers: { jaeger: null, zipkin: null, prometheus: null, otlp: { protocols: { grpc: { endpoint: '0.0.0.0:4317' }, http: { endpoint: '0.0.0.0:4318' } } } },
      processors: { batch: {} },
      exporters: { awsxray: { region: cluster.region } },
      service: { pipelines: { logs: null, metrics: null, traces: { receivers: ['otlp'], processors: ['batch'], exporters: ['awsxray'] } } },
    },
  };
}

/** argocd-notifications-secret, written by External Secrets: the Slack token never enters Git. */
function notificationsSecret(scope: Construct, cluster: Cluster, labels: Record<string, string>): void {
  const slack = cluster.argocd.notifications.slack;
  if (!slack) return;
  new ApiObject(scope, 'NotificationsSecret', {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: 'argocd-notifications-secret', namespace: 'argocd', labels, annotations: waveAnnotations(addonWaves.extras, afterCrds) },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: secretStoreNames[slack.token.store] },
      target: { name: 'argocd-notifications-secret', creationPolicy: 'Owner', deletionPolicy: 'Retain' },
      data: [{ secretKey: slackTokenKey, remoteRef: { key: slack.token.key, ...(slack.token.property ? { property: slack.token.property } : {}) } }],
    },
  });
}

/** Name of the DeploymentRuntimeConfig (and service account) of the provider-aws pods on EKS. */
export const crossplaneRuntimeConfigName = 'provider-aws';

/** The provider-aws family packages; on EKS they run as one service account carrying the IRSA role. */
function crossplaneProviders(scope: Construct, cluster: Cluster, catalogue: AddonCatalogue, services: readonly CrossplaneProviderId[], labels: Record<string, string>): void {
  const irsa = irsaAnnotations(cluster, 'crossplane');
  const annotations = waveAnnotations(addonWaves.extras, afterCrds);
  if (Object.keys(irsa).length) {
    new ApiObject(scope, 'RuntimeConfig', {
      apiVersion: 'pkg.crossplane.io/v1beta1',
      kind: 'DeploymentRuntimeConfig',
      metadata: { name: crossplaneRuntimeConfigName, labels, annotations },
      spec: { serviceAccountTemplate: { metadata: { name: crossplaneRuntimeConfigName, annotations: irsa } } },
    });
  }
  for (const id of services) {
    new ApiObject(scope, `Provider-${id}`, {
      apiVersion: 'pkg.crossplane.io/v1',
      kind: 'Provider',
      metadata: { name: `provider-aws-${id}`, labels, annotations },
      spec: {
        package: catalogue.crossplaneProviders[id],
        packagePullPolicy: 'IfNotPresent',
        revisionActivationPolicy: 'Automatic',
        ...(Object.keys(irsa).length ? { runtimeConfigRef: { apiVersion: 'pkg.crossplane.io/v1beta1', kind: 'DeploymentRuntimeConfig', name: crossplaneRuntimeConfigName } } : {}),
      },
    });
  }
}

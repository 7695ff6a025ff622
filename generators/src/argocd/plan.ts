import type { ArgocdAppProjectProps, ClusterGroupKind, GroupKind, SyncWindow } from '../constructs/argocd/argocd-app-project.js';
import { labelKeys, managedBy, partOf } from '../constructs/app/labels.js';
import type { Cluster } from '../inputs/clusters.js';
import type { ClusterPlatform } from '../inputs/platform.js';
import type { Service } from '../inputs/services.js';
import type { SyncWindowTarget } from '../inputs/schemas/cluster-argocd.js';
import type { AddonCatalogue } from '../inputs/schemas/addons.js';
import { clusterAddons, type Addon } from './addons.js';
import { awsControllers, type AwsControllers } from './controllers.js';
import { hasWorkflows } from '../workflows/plan.js';
import { argocdNamespace, infraNamespaceName, projectNames, waves, workflowsNamespaceName } from './layout.js';

/**
 * Namespaced kinds a service may deploy into its own namespace: exactly what the app
 * constructs and the infra wiring render into `apps/<service>/` (a new kind there fails the
 * project-permissions check until it is added here, on purpose).
 */
export const appNamespacedKinds: readonly GroupKind[] = [
  { group: '', kind: 'ConfigMap' },
  { group: '', kind: 'Service' },
  { group: '', kind: 'ServiceAccount' },
  { group: 'apps', kind: 'Deployment' },
  { group: 'autoscaling', kind: 'HorizontalPodAutoscaler' },
  { group: 'policy', kind: 'PodDisruptionBudget' },
  { group: 'networking.k8s.io', kind: 'NetworkPolicy' },
  { group: 'networking.k8s.io', kind: 'Ingress' },
  { group: 'external-secrets.io', kind: 'ExternalSecret' },
  // A canary service: its Rollout and the AnalysisTemplate the Rollout runs (Argo Rollouts creates the AnalysisRuns).
  { group: 'argoproj.io', kind: 'Rollout' },
  { group: 'argoproj.io', kind: 'AnalysisTemplate' },
];

/** Cluster-scoped kinds add-on charts install (CRDs, RBAC, webhooks, ingress classes, Crossplane packages). */
export const addonClusterKinds: readonly ClusterGroupKind[] = [
  { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
  { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration' },
  { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration' },
  { group: 'networking.k8s.io', kind: 'IngressClass' },
  { group: 'elbv2.k8s.aws', kind: 'IngressClassParams' },
  { group: 'pkg.crossplane.io', kind: 'Provider' },
  { group: 'pkg.crossplane.io', kind: 'DeploymentRuntimeConfig' },
];

/** What infra/ may hold, by the controllers in use: their kinds and what they need. */
export function infraKinds(controllers: AwsControllers): { cluster: ClusterGroupKind[]; namespaced: GroupKind[] } {
  const namespaced: GroupKind[] = [
    { group: '', kind: 'ConfigMap' },
    { group: '', kind: 'ServiceAccount' },
    { group: 'rbac.authorization.k8s.io', kind: 'Role' },
    { group: 'rbac.authorization.k8s.io', kind: 'RoleBinding' },
    { group: 'networking.k8s.io', kind: 'NetworkPolicy' },
    { group: 'external-secrets.io', kind: 'ExternalSecret' },
  ];
  const cluster: ClusterGroupKind[] = [{ group: '', kind: 'Namespace', name: infraNamespaceName }];
  if (controllers.ack) {
    namespaced.push({ group: '*.services.k8s.aws', kind: '*' }, { group: 'services.k8s.aws', kind: 'FieldExport' });
  }
  if (controllers.crossplane) {
    namespaced.push({ group: '*.aws.m.upbound.io', kind: '*' });
    cluster.push(
      { group: '*.aws.upbound.io', kind: '*' },
      { group: 'aws.upbound.io', kind: 'ProviderConfig' },
      // One store per resource, serving its connection secret to the services that use it.
      { group: 'external-secrets.io', kind: 'ClusterSecretStore', name: '*-connection' },
    );
  }
  return { cluster, namespaced };
}

/**
 * What `workflows/` may hold: exactly what the workflows chart renders (the templates, the
 * pods' and the submitter's accounts, network policies, the k6 script, and db-migrate's
 * database wiring), in the workflows namespace, which the project owns by name.
 */
export const workflowsKinds: { cluster: ClusterGroupKind[]; namespaced: GroupKind[] } = {
  cluster: [{ group: '', kind: 'Namespace', name: workflowsNamespaceName }],
  namespaced: [
    { group: 'argoproj.io', kind: 'WorkflowTemplate' },
    { group: '', kind: 'ConfigMap' },
    { group: '', kind: 'ServiceAccount' },
    { group: 'rbac.authorization.k8s.io', kind: 'Role' },
    { group: 'rbac.authorization.k8s.io', kind: 'RoleBinding' },
    { group: 'networking.k8s.io', kind: 'NetworkPolicy' },
    { group: 'external-secrets.io', kind: 'ExternalSecret' },
  ],
};

/** Everything the Argo CD tree of one cluster is rendered from. */
export interface ArgoCdPlan {
  readonly cluster: Cluster;
  readonly repoURL: string;
  readonly revision: string;
  /** Service names, sorted: one Application and one AppProject each. */
  readonly services: readonly string[];
  readonly addons: readonly Addon[];
  readonly catalogue: AddonCatalogue;
  /** The cluster renders `workflows/` (cluster.yaml `workflows:`): it gets an Application and a project. */
  readonly workflows: boolean;
  /** Every AppProject but the locked `default`. */
  readonly projects: readonly Omit<ArgocdAppProjectProps, 'labels'>[];
}

/** Labels of the Argo CD objects. */
export function argocdLabels(component: string): Record<string, string> {
  return { [labelKeys.component]: component, [labelKeys.partOf]: partOf, [labelKeys.managedBy]: managedBy };
}

/** Works out add-ons, projects and their permissions for one cluster. */
export function planArgoCd(
  { cluster, services, infra: resources }: Pick<ClusterPlatform, 'cluster' | 'infra'> & { readonly services: readonly Pick<Service, 'name'>[] },
  catalogue: AddonCatalogue,
): ArgoCdPlan {
  const controllers = awsControllers(cluster, resources);
  const addons = clusterAddons(cluster, catalogue, controllers);
  const repoURL = cluster.argocd.repoURL;
  const windows = (target: SyncWindowTarget): SyncWindow[] =>
    cluster.argocd.syncWindows
      .filter((window) => window.appliesTo.includes(target))
      .map((window) => ({
        kind: window.kind,
        schedule: window.schedule,
        duration: window.duration,
        timeZone: window.timeZone,
        manualSync: window.manualSync,
        applications: ['*'],
        description: window.description,
      }));
  const shared = addons.filter((addon) => !addon.ownProject);
  /** The upstream repositories an add-on syncs from: its charts' and its manifests'. */
  const upstreamRepos = (addon: Addon) => [...addon.charts.map((chart) => catalogue.charts[chart.chart].repoURL), ...(addon.manifests ?? []).map((source) => source.repoURL)];
  const sharedUpstreamRepos = [...new Set(shared.flatMap(upstreamRepos))];
  const infra = infraKinds(controllers);
  const serviceNames = services.map((service) => service.name).sort();
  const projects: Omit<ArgocdAppProjectProps, 'labels'>[] = [
    {
      name: projectNames.root,
      description: `The root Application of ${cluster.name}: Argo CD's own objects (Applications, ApplicationSets, AppProjects) in the argocd namespace, nothing else.`,
      sourceRepos: [repoURL],
      namespaces: [argocdNamespace],
      namespacedResources: [
        { group: 'argoproj.io', kind: 'Application' },
        { group: 'argoproj.io', kind: 'ApplicationSet' },
        { group: 'argoproj.io', kind: 'AppProject' },
      ],
      syncWave: waves.projects,
    },
    {
      name: projectNames.addons,
      description: `Platform add-ons of ${cluster.name} (controllers and their CRDs): pinned upstream charts, cluster-scoped rights, only in the add-on namespaces.`,
      sourceRepos: [repoURL, ...sharedUpstreamRepos],
      namespaces: shared.map((addon) => addon.namespace),
      clusterResources: [...addonClusterKinds, ...shared.flatMap((addon) => [{ group: '', kind: 'Namespace', name: addon.namespace }, ...(addon.clusterKinds ?? [])])],
      // Upstream charts bring many namespaced kinds that change between versions; the namespaces bound them.
      namespacedResources: [{ group: '*', kind: '*' }],
      syncWindows: windows('addons'),
      syncWave: waves.projects,
    },
    ...addons.flatMap((addon) =>
      addon.ownProject
        ? [
            {
              name: projectNames.addon(addon.id),
              description: `Add-on ${addon.id} of ${cluster.name}: its pinned chart, exactly the cluster-scoped objects it brings (by name) and its namespace ${addon.namespace}, nothing else.`,
              sourceRepos: [repoURL, ...new Set(upstreamRepos(addon))],
              namespaces: [addon.namespace],
              clusterResources: [{ group: '', kind: 'Namespace', name: addon.namespace }, ...addon.ownProject.clusterResources, ...(addon.clusterKinds ?? [])],
              namespacedResources: addon.ownProject.namespacedResources,
              syncWindows: windows('addons'),
              syncWave: waves.projects,
            },
          ]
        : [],
    ),
    {
      name: projectNames.platform,
      description: `Cluster-wide platform objects of ${cluster.name}: the ClusterSecretStores.`,
      sourceRepos: [repoURL],
      namespaces: ['external-secrets'],
      clusterResources: [{ group: 'external-secrets.io', kind: 'ClusterSecretStore' }],
      namespacedResources: [],
      syncWindows: windows('platform'),
      syncWave: waves.projects,
    },
    {
      name: projectNames.infra,
      description: `AWS resources of ${cluster.name} through ${[controllers.ack ? 'ACK' : '', controllers.crossplane ? 'Crossplane' : ''].filter(Boolean).join(' and ')}: only the controllers' kinds and what they need, in the infra namespace.`,
      sourceRepos: [repoURL],
      namespaces: [infraNamespaceName],
      clusterResources: infra.cluster,
      namespacedResources: infra.namespaced,
      syncWindows: windows('infra'),
      syncWave: waves.projects,
    },
    ...serviceNames.map((service) => ({
      name: projectNames.app(service),
      description: `Service ${service} in ${cluster.name}: its own namespace and workload kinds, nothing cluster-wide but that namespace.`,
      sourceRepos: [repoURL],
      namespaces: [service],
      clusterResources: [{ group: '', kind: 'Namespace', name: service }],
      namespacedResources: appNamespacedKinds,
      syncWindows: windows('apps'),
      warnOrphans: true,
      syncWave: waves.projects,
    })),
  ];
  const workflows = hasWorkflows(cluster);
  if (workflows) {
    projects.push({
      name: projectNames.workflows,
      description: `Argo Workflows templates of ${cluster.name} (gitops verify): their namespace ${workflowsNamespaceName} and what runs in it, nothing else cluster-wide.`,
      sourceRepos: [repoURL],
      namespaces: [workflowsNamespaceName],
      clusterResources: workflowsKinds.cluster,
      namespacedResources: workflowsKinds.namespaced,
      syncWindows: windows('workflows'),
      warnOrphans: true,
      syncWave: waves.projects,
    });
  }
  return { cluster, repoURL, revision: cluster.argocd.targetRevision, services: serviceNames, addons, catalogue, projects, workflows };
}

import type { Construct } from 'constructs';
import { argocdLabels, type ArgoCdPlan } from '../argocd/plan.js';
import type { Addon } from '../argocd/addons.js';
import { applicationNames, folders, infraNamespaceName, projectNames, renderedPath, waves, workflowsNamespaceName } from '../argocd/layout.js';
import { ArgocdApplication, type ArgocdApplicationProps } from '../constructs/argocd/argocd-application.js';
import { ArgocdAppProject, LockedDefaultProject } from '../constructs/argocd/argocd-app-project.js';
import { ArgocdDirectoryApplicationSet } from '../constructs/argocd/argocd-directory-application-set.js';

/** Sync options of the Application (or ApplicationSet) objects whose deletion would cascade: the root never prunes them. */
const neverPruned = ['Prune=false', 'Delete=false'];

/**
 * The root Application (app-of-apps) of a cluster. It syncs `argocd/`, which holds it too: after
 * the bootstrap applies it once, Argo CD keeps it as Git says.
 */
export function rootApplicationProps(plan: ArgoCdPlan): ArgocdApplicationProps {
  return {
    name: applicationNames.root,
    labels: argocdLabels('argocd'),
    project: projectNames.root,
    destinationNamespace: 'argocd',
    sources: [{ kind: 'directory', repoURL: plan.repoURL, targetRevision: plan.revision, path: renderedPath(plan.cluster.name, folders.argocd) }],
    ownSyncOptions: ['Prune=false'],
  };
}

/** The props of the AppProject the root Application runs in (also applied by the bootstrap). */
export function rootProjectProps(plan: ArgoCdPlan) {
  const root = plan.projects.find((project) => project.name === projectNames.root)!;
  return { ...root, labels: argocdLabels('argocd') };
}

/** The Application of one add-on: its chart(s), its upstream manifests and its folder `addons/<id>/`. */
export function addonApplicationProps(plan: ArgoCdPlan, addon: Addon): ArgocdApplicationProps {
  return {
    name: applicationNames.addon(addon.id),
    labels: argocdLabels('addon'),
    project: addon.ownProject ? projectNames.addon(addon.id) : projectNames.addons,
    destinationNamespace: addon.namespace,
    syncWave: addon.syncWave,
    sources: [
      ...addon.charts.map((chart) => {
        const pinned = plan.catalogue.charts[chart.chart];
        return { kind: 'helm' as const, repoURL: pinned.repoURL, chart: pinned.chart, version: pinned.version, releaseName: chart.releaseName, values: chart.values };
      }),
      ...(addon.manifests ?? []),
      { kind: 'directory' as const, repoURL: plan.repoURL, targetRevision: plan.revision, path: renderedPath(plan.cluster.name, `${folders.addons}/${addon.id}`) },
    ],
    // Large CRDs (Argo CD, External Secrets, Argo Workflows, ACK) exceed the last-applied annotation; Argo CD managing itself needs it too.
    serverSideApply: true,
    ignoreDifferences: addon.ignoreDifferences,
  };
}

/** `argocd/`: what the root Application syncs. */
export function buildArgoCdChart(scope: Construct, plan: ArgoCdPlan): void {
  const { cluster } = plan;
  new LockedDefaultProject(scope, 'DefaultProject', { labels: argocdLabels('argocd'), syncWave: waves.projects });
  for (const project of plan.projects) {
    new ArgocdAppProject(scope, `Project-${project.name}`, { ...project, labels: argocdLabels('argocd') });
  }
  new ArgocdApplication(scope, 'Root', rootApplicationProps(plan));
  for (const addon of plan.addons) {
    new ArgocdApplication(scope, `Addon-${addon.id}`, addonApplicationProps(plan, addon));
  }
  new ArgocdApplication(scope, 'Platform', {
    name: applicationNames.platform,
    labels: argocdLabels('platform'),
    project: projectNames.platform,
    // platform/ holds cluster-scoped objects only; they belong with External Secrets.
    destinationNamespace: 'external-secrets',
    syncWave: waves.platform,
    sources: [{ kind: 'directory', repoURL: plan.repoURL, targetRevision: plan.revision, path: renderedPath(cluster.name, folders.platform), recurse: true }],
  });
  new ArgocdApplication(scope, 'Infra', {
    name: applicationNames.infra,
    labels: argocdLabels('infra'),
    project: projectNames.infra,
    destinationNamespace: infraNamespaceName,
    syncWave: waves.infra,
    // Stateful objects carry Prune=false,Delete=false themselves; the rest is pruned as usual.
    sources: [{ kind: 'directory', repoURL: plan.repoURL, targetRevision: plan.revision, path: renderedPath(cluster.name, folders.infra), recurse: true }],
    // Never deletes what it deployed when the Application itself is deleted (no finalizer), and is never pruned by the root.
    ownSyncOptions: neverPruned,
  });
  if (plan.workflows) {
    new ArgocdApplication(scope, 'Workflows', {
      name: applicationNames.workflows,
      labels: argocdLabels('workflows'),
      project: projectNames.workflows,
      destinationNamespace: workflowsNamespaceName,
      syncWave: waves.workflows,
      sources: [{ kind: 'directory', repoURL: plan.repoURL, targetRevision: plan.revision, path: renderedPath(cluster.name, folders.workflows) }],
      // Nothing stateful: removing `workflows:` from cluster.yaml removes the templates and their namespace.
      cascadeDelete: true,
    });
  }
  new ArgocdDirectoryApplicationSet(scope, 'Apps', {
    name: 'apps',
    labels: argocdLabels('apps'),
    repoURL: plan.repoURL,
    revision: plan.revision,
    directories: `${renderedPath(cluster.name, folders.apps)}/*`,
    syncWave: waves.apps,
    // Deleting the ApplicationSet would delete every service: the root never prunes or deletes it.
    ownSyncOptions: neverPruned,
    template: {
      name: applicationNames.app('{{.path.basename}}'),
      labels: argocdLabels('app'),
      project: projectNames.app('{{.path.basename}}'),
      destinationNamespace: '{{.path.basename}}',
      sources: [{ kind: 'directory', repoURL: plan.repoURL, targetRevision: plan.revision, path: '{{.path.path}}' }],
      // What Git removed goes only after the rest is applied and healthy: a service turning canary replaces its
      // Deployment by a Rollout, whose pods must be ready before the Deployment's are pruned (and back).
      syncOptions: ['PruneLast=true'],
    },
  });
}

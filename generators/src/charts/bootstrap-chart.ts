import type { Construct } from 'constructs';
import { argocdValues } from '../argocd/argocd-values.js';
import { argocdLabels, type ArgoCdPlan } from '../argocd/plan.js';
import { ArgocdAppProject } from '../constructs/argocd/argocd-app-project.js';
import { ArgocdApplication } from '../constructs/argocd/argocd-application.js';
import { K3sHelmChart } from '../constructs/bootstrap/k3s-helm-chart.js';
import { toYaml } from '../render/manifest-files.js';
import { rootApplicationProps, rootProjectProps } from './argocd-chart.js';

/** Helm release (and HelmChart) name of Argo CD: the addon-argo-cd Application uses the same. */
export const argocdReleaseName = 'argocd';

/**
 * `bootstrap/`: what is applied once from outside Argo CD. The root Application and its project
 * (identical to their copies in `argocd/`, which Argo CD keeps from then on) and, on k3s, the
 * HelmChart that installs the pinned Argo CD from the auto-deploy folder.
 */
export function buildBootstrapChart(scope: Construct, plan: ArgoCdPlan): void {
  if (plan.cluster.flavor === 'k3s') {
    const chart = plan.catalogue.charts['argo-cd'];
    if (!chart.chart) throw new Error('clusters/addons.yaml: charts.argo-cd must come from an https:// Helm repository (a k3s HelmChart takes repo and chart)');
    new K3sHelmChart(scope, 'ArgoCd', {
      name: argocdReleaseName,
      labels: argocdLabels('bootstrap'),
      repo: chart.repoURL,
      chart: chart.chart,
      version: chart.version,
      targetNamespace: 'argocd',
      valuesContent: toYaml(argocdValues(plan.cluster, plan.catalogue)),
    });
  }
  new ArgocdAppProject(scope, 'RootProject', rootProjectProps(plan));
  new ArgocdApplication(scope, 'Root', rootApplicationProps(plan));
}

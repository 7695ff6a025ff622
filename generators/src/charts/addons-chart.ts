import type { Construct } from 'constructs';
import type { Addon } from '../argocd/addons.js';
import { addonWaves } from '../argocd/layout.js';
import { argocdLabels } from '../argocd/plan.js';
import { AddonNamespace } from '../constructs/argocd/addon-namespace.js';
import { AddonNetworkPolicies } from '../constructs/argocd/addon-network-policies.js';
import type { Cluster } from '../inputs/clusters.js';

/** `addons/<id>/`: the add-on's namespace with its network policies, and the objects its charts do not bring. */
export function buildAddonChart(scope: Construct, addon: Addon, cluster: Cluster): void {
  const labels = { ...argocdLabels('addon'), 'app.kubernetes.io/name': addon.id };
  new AddonNamespace(scope, 'Namespace', { name: addon.namespace, labels, enforce: addon.podSecurity, syncWave: addonWaves.namespace });
  new AddonNetworkPolicies(scope, 'NetworkPolicies', {
    namespace: addon.namespace,
    labels,
    vpcCidr: cluster.network.vpcCidr,
    instanceMetadata: cluster.flavor === 'k3s' && addon.network?.awsApi === true,
    podIdentityAgent: cluster.flavor === 'eks' && addon.network?.podIdentityAgent === true,
    kubelet: addon.network?.kubelet,
    servedToCluster: addon.network?.servedToCluster,
    // Argo CD reaches an SSH Git URL on port 22.
    extraEgressPorts: addon.id === 'argo-cd' && !cluster.argocd.repoURL.startsWith('https://') ? [22] : [],
  });
  addon.extras?.(scope, labels);
}

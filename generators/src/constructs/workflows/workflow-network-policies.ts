import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { dnsRule, egressRule, type NetworkRule } from '../app/app-network-policy.js';

export interface WorkflowNetworkPoliciesProps {
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /**
   * Where the Kubernetes API server listens, which the executor's `wait` container calls: the
   * control-plane network interfaces in the VPC on 443 (EKS), or the k3s server node on 6443.
   */
  readonly apiServer: NetworkRule;
  /** Per template (the pods' `app.kubernetes.io/name`): what its pods may reach besides DNS and the API server. */
  readonly templates: readonly { readonly name: string; readonly egress: readonly NetworkRule[] }[];
}

/**
 * The workflows namespace's network policies: `default-deny` (every pod, both directions) and one
 * per template opening exactly its egress (DNS, the API server for the executor, and the template's
 * own targets). Nothing may connect to the workflow pods.
 */
export class WorkflowNetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, props: WorkflowNetworkPoliciesProps) {
    super(scope, id);
    new kplus.k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
      metadata: { name: 'default-deny', namespace: props.namespace, labels: props.labels },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    for (const template of props.templates) {
      new kplus.k8s.KubeNetworkPolicy(this, template.name, {
        metadata: { name: template.name, namespace: props.namespace, labels: { ...props.labels, 'app.kubernetes.io/name': template.name } },
        spec: {
          podSelector: { matchLabels: { 'app.kubernetes.io/name': template.name } },
          // No `ingress` list: with policyType Ingress, an absent list allows nothing. An empty list
          // means the same but the API server drops it, so every apply would change the object.
          policyTypes: ['Ingress', 'Egress'],
          egress: [dnsRule, props.apiServer, ...template.egress].map(egressRule),
        },
      });
    }
  }
}

import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';

type NetworkPolicyPeer = kplus.k8s.NetworkPolicyPeer;
type NetworkPolicyPort = kplus.k8s.NetworkPolicyPort;

/** Traffic allowed into or out of the app's pods. */
export interface NetworkRule {
  /** Who: pods (namespace + labels) or an IP block. */
  readonly peers: readonly NetworkPolicyPeer[];
  /** Which ports (TCP unless said). */
  readonly ports: readonly { port: number; protocol?: 'TCP' | 'UDP' }[];
}

export interface AppNetworkPolicyProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** Pods the rules apply to. */
  readonly selector: Record<string, string>;
  /** Allowed incoming traffic; everything else is denied. */
  readonly ingress: readonly NetworkRule[];
  /** Allowed outgoing traffic besides DNS; everything else is denied. */
  readonly egress: readonly NetworkRule[];
}

/** DNS to the cluster resolver (kube-dns in kube-system), which every pod needs. */
export const dnsRule: NetworkRule = {
  peers: [
    {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
      podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
    },
  ],
  ports: [
    { port: 53, protocol: 'UDP' },
    { port: 53, protocol: 'TCP' },
  ],
};

/** A NetworkPolicy egress rule from a NetworkRule (TCP unless said). */
export function egressRule(rule: NetworkRule): kplus.k8s.NetworkPolicyEgressRule {
  return { to: [...rule.peers], ports: ports(rule) };
}

/** Peer: the pods of another app (by namespace name and app label). */
export function appPeer(app: string, namespace: string): NetworkPolicyPeer {
  return {
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
    podSelector: { matchLabels: { 'app.kubernetes.io/name': app } },
  };
}

/**
 * Two NetworkPolicies: `default-deny` (every pod of the namespace, both directions) and one that
 * opens exactly the listed paths for the app, plus DNS to the cluster resolver.
 */
export class AppNetworkPolicy extends Construct {
  constructor(scope: Construct, id: string, props: AppNetworkPolicyProps) {
    super(scope, id);
    new kplus.k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
      metadata: { name: 'default-deny', namespace: props.namespace, labels: props.labels },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    new kplus.k8s.KubeNetworkPolicy(this, 'Allow', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
      spec: {
        podSelector: { matchLabels: props.selector },
        policyTypes: ['Ingress', 'Egress'],
        ingress: props.ingress.map((rule) => ({ from: [...rule.peers], ports: ports(rule) })),
        egress: [dnsRule, ...props.egress].map(egressRule),
      },
    });
  }
}

function ports(rule: NetworkRule): NetworkPolicyPort[] {
  return rule.ports.map((p) => ({ port: kplus.k8s.IntOrString.fromNumber(p.port), protocol: p.protocol ?? 'TCP' }));
}

import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';

type NetworkPolicyPeer = kplus.k8s.NetworkPolicyPeer;
type NetworkPolicyPort = kplus.k8s.NetworkPolicyPort;

export interface AddonNetworkPoliciesProps {
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /**
   * CIDR the control plane and the nodes reach the add-on's pods from: admission and conversion
   * webhooks (the API server), kubelet probes.
   */
  readonly vpcCidr: string;
  /**
   * Let the pods read credentials from the EC2 instance metadata service (k3s: the instance
   * profile stands in for IRSA).
   * @default false
   */
  readonly instanceMetadata?: boolean;
  /**
   * Let the pods fetch their credential from the EKS Pod Identity Agent on the node
   * (169.254.170.23, port 80), for a role given through a Pod Identity association.
   * @default false
   */
  readonly podIdentityAgent?: boolean;
  /**
   * Let the pods scrape the kubelets (port 10250 on the nodes), as the CloudWatch agent does.
   * @default false
   */
  readonly kubelet?: boolean;
  /**
   * Ports every namespace may reach (a collector the services send to).
   * @default none
   */
  readonly servedToCluster?: readonly number[];
  /**
   * Extra egress ports open to any destination (e.g. 22 for an SSH Git URL).
   * @default none
   */
  readonly extraEgressPorts?: readonly number[];
}

const tcp = (port: number): NetworkPolicyPort => ({ port: kplus.k8s.IntOrString.fromNumber(port), protocol: 'TCP' });

/**
 * The network policies of an add-on namespace: `default-deny` (ingress and egress) and
 * `addon-traffic`, which opens what a controller needs and nothing else: its own namespace,
 * the control plane and kubelets from the VPC, DNS, HTTPS out (Kubernetes API, AWS APIs, Git,
 * chart and image registries) and the API server port.
 */
export class AddonNetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, props: AddonNetworkPoliciesProps) {
    super(scope, id);
    const metadata = (name: string) => ({ name, namespace: props.namespace, labels: props.labels });
    new kplus.k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
      metadata: metadata('default-deny'),
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    const sameNamespace: NetworkPolicyPeer = { podSelector: {} };
    const dns: NetworkPolicyPeer = {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
      podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
    };
    const ingress: kplus.k8s.NetworkPolicyIngressRule[] = [{ from: [sameNamespace] }, { from: [{ ipBlock: { cidr: props.vpcCidr } }] }];
    if (props.servedToCluster?.length) ingress.push({ from: [{ namespaceSelector: {} }], ports: props.servedToCluster.map(tcp) });
    const egress: kplus.k8s.NetworkPolicyEgressRule[] = [
      { to: [sameNamespace] },
      { to: [dns], ports: [{ port: kplus.k8s.IntOrString.fromNumber(53), protocol: 'UDP' }, tcp(53)] },
      // HTTPS anywhere (AWS APIs, Git, registries, the Kubernetes service) and the API server itself (6443 on k3s).
      { ports: [tcp(443), tcp(6443), ...(props.extraEgressPorts ?? []).map(tcp)] },
    ];
    if (props.instanceMetadata) egress.push({ to: [{ ipBlock: { cidr: '169.254.169.254/32' } }], ports: [tcp(80)] });
    if (props.podIdentityAgent) egress.push({ to: [{ ipBlock: { cidr: '169.254.170.23/32' } }], ports: [tcp(80)] });
    if (props.kubelet) egress.push({ to: [{ ipBlock: { cidr: props.vpcCidr } }], ports: [tcp(10250)] });
    new kplus.k8s.KubeNetworkPolicy(this, 'AddonTraffic', {
      metadata: metadata('addon-traffic'),
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress, egress },
    });
  }
}

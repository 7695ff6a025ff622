/**
 * The Nodes of a rehearsal's cluster, created by hand (kwok simulates their kubelets, it makes no
 * Node itself), shaped like the cluster's flavor so the scheduler's verdicts mean something:
 *
 * - **eks**: three nodes, one per zone of the region (`<region>a`, `b`, `c`), with the well-known
 *   labels the EKS AMI's kubelet sets (`topology.kubernetes.io/{region,zone}`,
 *   `node.kubernetes.io/instance-type`, `kubernetes.io/{hostname,os,arch}`): the services' zone
 *   topology spread has zones to spread over.
 * - **k3s**: one server node that also runs the workloads (k3s labels its server
 *   `node-role.kubernetes.io/control-plane` and taints nothing by default).
 *
 * Capacity is generous on purpose (every node 16 CPUs, 64 GiB, 110 pods): the rehearsal judges
 * whether the tree's pods can be placed at all (labels, taints, zones), not the fleet's size. A pod
 * whose requests exceed what any node allocates stays Pending, `FailedScheduling`: a finding.
 */

/** The flavors a cluster input may declare. */
export type ClusterFlavor = 'eks' | 'k3s';

export interface NodeShape {
  readonly cpu: string;
  readonly memory: string;
  readonly pods: string;
}

/** What every rehearsal node allocates. */
export const REHEARSAL_NODE: NodeShape = { cpu: '16', memory: '64Gi', pods: '110' };

/** Label kwok-managed nodes carry (kwok's own convention, `type: kwok`), for people reading `kubectl get nodes`. */
const KWOK_LABEL = { type: 'kwok' };

/** The Node objects of a cluster of `flavor` in `region`. */
export function rehearsalNodes(flavor: ClusterFlavor, region: string, shape: NodeShape = REHEARSAL_NODE): Record<string, unknown>[] {
  const capacity = { cpu: shape.cpu, memory: shape.memory, pods: shape.pods, 'ephemeral-storage': '200Gi' };
  const node = (name: string, labels: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: { ...KWOK_LABEL, 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': 'amd64', ...labels },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'kwok.x-k8s.io/node': 'fake' },
    },
    spec: {},
    status: { allocatable: capacity, capacity, nodeInfo: { architecture: 'amd64', operatingSystem: 'linux', kubeletVersion: 'fake', containerRuntimeVersion: 'kwok' } },
  });
  if (flavor === 'k3s') {
    return [node('k3s-server-0', { 'node-role.kubernetes.io/control-plane': 'true', 'node-role.kubernetes.io/master': 'true', 'node.kubernetes.io/instance-type': 'k3s', 'topology.kubernetes.io/region': region, 'topology.kubernetes.io/zone': `${region}a` })];
  }
  return ['a', 'b', 'c'].map((zone) =>
    node(`eks-node-${region}${zone}`, { 'node.kubernetes.io/instance-type': 'm6i.4xlarge', 'topology.kubernetes.io/region': region, 'topology.kubernetes.io/zone': `${region}${zone}` }),
  );
}

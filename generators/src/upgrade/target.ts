/**
 * The Kubernetes minor an upgrade check judges a cluster at: the minor after the cluster's
 * `kubernetesVersion` unless `--to` names one. A control plane moves one minor at a time (EKS
 * upgrades one minor per update; kubeadm and k3s support no skipped minor), so the target is the
 * next minor or the current one, and it must have a pinned `k8s.io/kubernetes` release.
 */
import { UsageError } from '../errors.js';
import { KUBERNETES_RELEASES } from '../tools/versions.js';

/** `1.35` → `1.36`. */
export function nextMinor(minor: string): string {
  const match = /^(\d+)\.(\d+)$/.exec(minor);
  if (!match) throw new UsageError(`${minor} is not a Kubernetes minor such as 1.35`);
  return `${match[1]}.${Number(match[2]) + 1}`;
}

/** The minor to judge a cluster running `current` at (`to` when given), checked. */
export function upgradeTarget(cluster: string, current: string, to?: string): string {
  const target = to ?? nextMinor(current);
  if (!/^\d+\.\d+$/.test(target)) throw new UsageError(`--to ${target}: give a Kubernetes minor such as 1.36`);
  const next = nextMinor(current);
  if (target !== next && target !== current) {
    throw new UsageError(`${cluster} runs Kubernetes ${current}: its next upgrade is to ${next} (a control plane moves one minor at a time), not ${target}`);
  }
  if (!KUBERNETES_RELEASES[target]) {
    throw new UsageError(`no pinned Kubernetes release for ${target} (pinned: ${Object.keys(KUBERNETES_RELEASES).join(', ')}): pin one in generators/src/tools/versions.ts`);
  }
  return target;
}

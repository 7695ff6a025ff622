/**
 * The programs of the behaviour rung, at their pins, built or installed on first use:
 * kube-controller-manager and kube-scheduler of the cluster's Kubernetes release (the build module
 * of kube-apiserver), kwok (`KWOK_VERSION`, with its module folder for the stages) and, for a
 * cluster that installs it, the Argo Rollouts controller of the chart's appVersion.
 */
import { ToolError } from '../errors.js';
import { ensureKubernetesComponent } from '../tools/control-plane-build.js';
import { downloadGoModule, ensureGoTool, type EnsureOptions } from '../tools/go.js';
import { ensureArgoRollouts, type ArgoRolloutsBuild } from '../tools/rollouts-build.js';
import { GO_TOOLS, KUBERNETES_RELEASES } from '../tools/versions.js';

export interface BehaviourBinaries {
  readonly kubernetesRelease: string;
  readonly kubeControllerManager: string;
  readonly kubeScheduler: string;
  readonly kwok: string;
  /** The kwok module folder (`kustomize/stage/`). */
  readonly kwokModuleDir: string;
  readonly rollouts?: ArgoRolloutsBuild;
}

/** Builds one after the other (each build already uses every core). */
export async function ensureBehaviourBinaries(root: string, minor: string, options: EnsureOptions & { readonly rolloutsRelease?: string } = {}): Promise<BehaviourBinaries> {
  const release = KUBERNETES_RELEASES[minor];
  if (!release) throw new ToolError(`no pinned Kubernetes release for ${minor}`, 'pin it in generators/src/tools/versions.ts');
  const kubeScheduler = await ensureKubernetesComponent(root, 'kube-scheduler', release, options);
  const kubeControllerManager = await ensureKubernetesComponent(root, 'kube-controller-manager', release, options);
  const kwok = await ensureGoTool('kwok', root, options);
  const kwokModuleDir = await downloadGoModule(GO_TOOLS.kwok.module, GO_TOOLS.kwok.version, options);
  const rollouts = options.rolloutsRelease ? await ensureArgoRollouts(root, options.rolloutsRelease, options) : undefined;
  return { kubernetesRelease: release, kubeControllerManager, kubeScheduler, kwok, kwokModuleDir, ...(rollouts ? { rollouts } : {}) };
}

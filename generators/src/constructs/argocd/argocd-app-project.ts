import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { argocdNamespace, inCluster } from '../../argocd/layout.js';
import { waveAnnotations } from './application-spec.js';

/** A kind (glob patterns allowed, as Argo CD matches them), for the namespaced whitelist. */
export interface GroupKind {
  /** API group, `''` for the core group. */
  readonly group: string;
  readonly kind: string;
}

/** A cluster-scoped kind, optionally limited to names (glob). */
export interface ClusterGroupKind extends GroupKind {
  /** @default every name */
  readonly name?: string;
}

/** A sync window as Argo CD takes it. */
export interface SyncWindow {
  readonly kind: 'allow' | 'deny';
  readonly schedule: string;
  readonly duration: string;
  readonly timeZone: string;
  readonly manualSync: boolean;
  /** Application name patterns the window applies to. */
  readonly applications: readonly string[];
  readonly description?: string;
}

export interface ArgocdAppProjectProps {
  readonly name: string;
  readonly description: string;
  readonly labels: Record<string, string>;
  /** Repositories the project's Applications may use: this one and pinned chart repositories. */
  readonly sourceRepos: readonly string[];
  /** Namespaces of the in-cluster destination the project may deploy into. */
  readonly namespaces: readonly string[];
  /**
   * Cluster-scoped kinds the project may create.
   * @default none
   */
  readonly clusterResources?: readonly ClusterGroupKind[];
  /**
   * Namespaced kinds the project may create (always explicit: Argo CD reads a missing list as
   * "everything").
   */
  readonly namespacedResources: readonly GroupKind[];
  /** @default none */
  readonly syncWindows?: readonly SyncWindow[];
  /**
   * Warn about objects in the project's namespaces that no Application manages.
   * @default false
   */
  readonly warnOrphans?: boolean;
  /** @default no wave */
  readonly syncWave?: number;
}

/** An AppProject (argoproj.io/v1alpha1): what its Applications may deploy, where, and from which repositories. */
export class ArgocdAppProject extends Construct {
  constructor(scope: Construct, id: string, props: ArgocdAppProjectProps) {
    super(scope, id);
    if (props.name === 'default') throw new Error('the default project is locked down by its own object, not described with ArgocdAppProject');
    if (props.sourceRepos.some((repo) => repo.includes('*'))) throw new Error(`project ${props.name}: source repositories are listed exactly, without wildcards`);
    new ApiObject(this, 'Resource', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AppProject',
      metadata: { name: props.name, namespace: argocdNamespace, labels: props.labels, annotations: waveAnnotations(props.syncWave) },
      spec: {
        description: props.description,
        sourceRepos: [...new Set(props.sourceRepos)].sort(),
        destinations: [...new Set(props.namespaces)].sort().map((namespace) => ({ server: inCluster, namespace })),
        clusterResourceWhitelist: (props.clusterResources ?? []).map((item) => ({ group: item.group, kind: item.kind, ...(item.name ? { name: item.name } : {}) })),
        namespaceResourceWhitelist: props.namespacedResources.map((item) => ({ group: item.group, kind: item.kind })),
        ...(props.syncWindows?.length
          ? {
              syncWindows: props.syncWindows.map((window) => ({
                kind: window.kind,
                schedule: window.schedule,
                duration: window.duration,
                timeZone: window.timeZone,
                manualSync: window.manualSync,
                applications: [...window.applications],
                ...(window.description ? { description: window.description } : {}),
              })),
            }
          : {}),
        ...(props.warnOrphans ? { orphanedResources: { warn: true } } : {}),
      },
    });
  }
}

/**
 * The `default` project with every permission removed (Argo CD creates it wide open and it
 * cannot be deleted): an Application that falls back to it is refused.
 */
export class LockedDefaultProject extends Construct {
  constructor(scope: Construct, id: string, props: { readonly labels: Record<string, string>; readonly syncWave?: number }) {
    super(scope, id);
    new ApiObject(this, 'Resource', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AppProject',
      metadata: { name: 'default', namespace: argocdNamespace, labels: props.labels, annotations: waveAnnotations(props.syncWave) },
      spec: {
        description: 'Locked: every Application names a least-privilege project.',
        sourceRepos: [],
        sourceNamespaces: [],
        destinations: [],
        clusterResourceWhitelist: [],
        namespaceResourceBlacklist: [{ group: '*', kind: '*' }],
      },
    });
  }
}

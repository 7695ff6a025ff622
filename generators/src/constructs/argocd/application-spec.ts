import { argocdAnnotations, inCluster } from '../../argocd/layout.js';

/** A folder of this repository, synced as plain manifests. */
export interface DirectorySource {
  readonly kind: 'directory';
  readonly repoURL: string;
  readonly targetRevision: string;
  /** Repository path, e.g. `clusters/staging/rendered/platform`. */
  readonly path: string;
  /**
   * Sync subfolders too.
   * @default false
   */
  readonly recurse?: boolean;
}

/** An upstream Helm chart, pinned, with its values inline (reviewable in the rendered diff). */
export interface HelmSource {
  readonly kind: 'helm';
  /** `https://` Helm repository, or `oci://registry/path/chart`. */
  readonly repoURL: string;
  /** Chart name (https:// repositories only). */
  readonly chart?: string;
  /** Exact chart version. */
  readonly version: string;
  /** Helm release name: names the chart's objects. */
  readonly releaseName: string;
  readonly values: Readonly<Record<string, unknown>>;
}

/**
 * A folder of an upstream Git repository at a release tag, built by the kustomization it holds
 * (Argo CD's own CRDs, `manifests/crds` of argoproj/argo-cd).
 */
export interface KustomizeSource {
  readonly kind: 'kustomize';
  /** The upstream repository (`https://`). */
  readonly repoURL: string;
  /** A release tag: never a branch, so what is installed only moves with the pin. */
  readonly targetRevision: string;
  /** Folder holding a kustomization.yaml. */
  readonly path: string;
  /**
   * Annotations kustomize adds to every object (`kustomize.commonAnnotations`).
   * @default none
   */
  readonly commonAnnotations?: Readonly<Record<string, string>>;
}

export type ApplicationSource = DirectorySource | HelmSource | KustomizeSource;

/** A field a controller owns, which Argo CD must neither report nor overwrite. */
export interface IgnoreDifference {
  readonly group?: string;
  readonly kind: string;
  readonly name?: string;
  readonly jsonPointers?: readonly string[];
  readonly jqPathExpressions?: readonly string[];
  /** Why the field is ignored: rendered nowhere, but required so every entry is justified. */
  readonly reason: string;
}

/** Retry of a failed sync: exponential backoff. */
export interface SyncRetry {
  readonly limit: number;
  /** First wait, e.g. `10s`. */
  readonly duration: string;
  readonly factor: number;
  /** Longest wait, e.g. `5m`. */
  readonly maxDuration: string;
}

/** Retries used unless an Application says otherwise: 10 tries, 10 s doubling up to 5 min. */
export const defaultRetry: SyncRetry = { limit: 10, duration: '10s', factor: 2, maxDuration: '5m' };

/** What every Application (and the ApplicationSet template) shares: how it syncs. */
export interface ApplicationSpecProps {
  readonly project: string;
  /** Namespace objects without one land in; must be rendered (or built in). */
  readonly destinationNamespace: string;
  readonly sources: readonly ApplicationSource[];
  /**
   * Delete objects removed from Git.
   * @default true
   */
  readonly prune?: boolean;
  /**
   * Revert changes made in the cluster.
   * @default true
   */
  readonly selfHeal?: boolean;
  /**
   * Apply server-side: needed where CRDs exceed the 256 KiB last-applied annotation, and by
   * Argo CD managing itself.
   * @default false
   */
  readonly serverSideApply?: boolean;
  /**
   * Extra sync options (`FailOnSharedResource=true` is always set: two Applications never fight
   * over one object).
   * @default none
   */
  readonly syncOptions?: readonly string[];
  /** @default none */
  readonly ignoreDifferences?: readonly IgnoreDifference[];
  /** @default defaultRetry */
  readonly retry?: SyncRetry;
}

/** The `spec` of an Application. */
export function applicationSpec(props: ApplicationSpecProps): Record<string, unknown> {
  if (props.project === 'default') throw new Error('Applications never use the default project: name a least-privilege AppProject');
  if (props.sources.length === 0) throw new Error('an Application needs at least one source');
  const retry = props.retry ?? defaultRetry;
  const syncOptions = [
    'FailOnSharedResource=true',
    ...(props.serverSideApply ? ['ServerSideApply=true'] : []),
    ...(props.ignoreDifferences?.length ? ['RespectIgnoreDifferences=true'] : []),
    ...(props.syncOptions ?? []),
  ];
  const sources = props.sources.map(sourceSpec);
  return {
    project: props.project,
    destination: { server: inCluster, namespace: props.destinationNamespace },
    ...(sources.length === 1 ? { source: sources[0] } : { sources }),
    syncPolicy: {
      automated: { prune: props.prune ?? true, selfHeal: props.selfHeal ?? true },
      syncOptions: [...new Set(syncOptions)],
      retry: { limit: retry.limit, backoff: { duration: retry.duration, factor: retry.factor, maxDuration: retry.maxDuration } },
    },
    ...(props.ignoreDifferences?.length
      ? {
          ignoreDifferences: props.ignoreDifferences.map((difference) => ({
            group: difference.group ?? '',
            kind: difference.kind,
            ...(difference.name ? { name: difference.name } : {}),
            ...(difference.jsonPointers ? { jsonPointers: [...difference.jsonPointers] } : {}),
            ...(difference.jqPathExpressions ? { jqPathExpressions: [...difference.jqPathExpressions] } : {}),
          })),
        }
      : {}),
  };
}

function sourceSpec(source: ApplicationSource): Record<string, unknown> {
  if (source.kind === 'directory') {
    return { repoURL: source.repoURL, targetRevision: source.targetRevision, path: source.path, ...(source.recurse ? { directory: { recurse: true } } : {}) };
  }
  if (source.kind === 'kustomize') {
    if (!source.repoURL.startsWith('https://')) throw new Error(`${source.repoURL}: an upstream Git repository must be https://`);
    if (!/^v?[0-9]+\.[0-9]+\.[0-9]+$/.test(source.targetRevision)) throw new Error(`${source.repoURL} ${source.path}: targetRevision must be a release tag such as v3.5.3, got "${source.targetRevision}"`);
    const annotations = source.commonAnnotations && Object.keys(source.commonAnnotations).length ? { kustomize: { commonAnnotations: { ...source.commonAnnotations } } } : {};
    return { repoURL: source.repoURL, targetRevision: source.targetRevision, path: source.path, ...annotations };
  }
  const oci = source.repoURL.startsWith('oci://');
  if (oci && source.chart) throw new Error(`${source.repoURL}: an oci:// chart reference names the chart; leave chart out`);
  if (!oci && !source.chart) throw new Error(`${source.repoURL}: a Helm repository source needs a chart name`);
  return {
    repoURL: source.repoURL,
    targetRevision: source.version,
    ...(oci ? { path: '.' } : { chart: source.chart }),
    helm: { releaseName: source.releaseName, valuesObject: structuredClone(source.values) },
  };
}

/** `metadata.annotations` of an object synced in a wave, with optional sync options. */
export function waveAnnotations(wave: number | undefined, syncOptions: readonly string[] = []): Record<string, string> | undefined {
  const annotations: Record<string, string> = {};
  if (wave !== undefined) annotations[argocdAnnotations.syncWave] = String(wave);
  if (syncOptions.length) annotations[argocdAnnotations.syncOptions] = syncOptions.join(',');
  return Object.keys(annotations).length ? annotations : undefined;
}

import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { argocdNamespace, resourcesFinalizer } from '../../argocd/layout.js';
import { applicationSpec, waveAnnotations, type ApplicationSpecProps } from './application-spec.js';

export interface ArgocdApplicationProps extends ApplicationSpecProps {
  /** Application name (unique in the argocd namespace). */
  readonly name: string;
  readonly labels: Record<string, string>;
  /**
   * Wave of the Application inside the root Application's sync.
   * @default no wave (0)
   */
  readonly syncWave?: number;
  /**
   * Deleting the Application deletes what it deployed (the resources finalizer). Off for
   * anything holding state or controllers: deleting the Application then leaves them running.
   * @default false
   */
  readonly cascadeDelete?: boolean;
  /**
   * Sync options of the Application object itself, as its parent syncs it
   * (`argocd.argoproj.io/sync-options`), e.g. `Prune=false`.
   * @default none
   */
  readonly ownSyncOptions?: readonly string[];
}

/**
 * An Argo CD Application (argoproj.io/v1alpha1) in the argocd namespace: automated sync with
 * prune and self-heal, retries with backoff, never the default project. A `null` in a chart's
 * values is rendered as `null` (Helm then removes that default of the chart), although cdk8s
 * drops nulls when it synthesizes an object: such values are patched back in whole afterwards.
 */
export class ArgocdApplication extends Construct {
  constructor(scope: Construct, id: string, props: ArgocdApplicationProps) {
    super(scope, id);
    const resource = new ApiObject(this, 'Resource', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: props.name,
        namespace: argocdNamespace,
        labels: props.labels,
        annotations: waveAnnotations(props.syncWave, props.ownSyncOptions),
        ...(props.cascadeDelete ? { finalizers: [resourcesFinalizer] } : {}),
      },
      spec: applicationSpec(props),
    });
    props.sources.forEach((source, index) => {
      if (source.kind !== 'helm' || !hasNull(source.values)) return;
      const base = props.sources.length === 1 ? '/spec/source' : `/spec/sources/${index}`;
      resource.addJsonPatch(JsonPatch.replace(`${base}/helm/valuesObject`, sortedKeys(source.values)));
    });
  }
}

function hasNull(value: unknown): boolean {
  if (value === null) return true;
  if (typeof value !== 'object') return false;
  return Object.values(value).some(hasNull);
}

/** A copy with object keys sorted, nulls kept: the order cdk8s gives every other object. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
  );
}

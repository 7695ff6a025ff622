import { ApiObject } from 'cdk8s';
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
 * prune and self-heal, retries with backoff, never the default project.
 */
export class ArgocdApplication extends Construct {
  constructor(scope: Construct, id: string, props: ArgocdApplicationProps) {
    super(scope, id);
    new ApiObject(this, 'Resource', {
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
  }
}

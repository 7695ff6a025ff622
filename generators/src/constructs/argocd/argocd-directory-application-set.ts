import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { argocdNamespace, resourcesFinalizer } from '../../argocd/layout.js';
import { applicationSpec, waveAnnotations, type ApplicationSpecProps } from './application-spec.js';

export interface ArgocdDirectoryApplicationSetProps {
  readonly name: string;
  readonly labels: Record<string, string>;
  /** Repository the git directory generator lists, and the generated Applications sync. */
  readonly repoURL: string;
  readonly revision: string;
  /** Directory pattern, e.g. `clusters/staging/rendered/apps/*`: one Application per match. */
  readonly directories: string;
  /**
   * The generated Applications (Go templates over `.path`): name, project, destination and
   * sources may use `{{.path.path}}` and `{{.path.basename}}`.
   */
  readonly template: { readonly name: string; readonly labels: Record<string, string> } & ApplicationSpecProps;
  /**
   * Removing a folder deletes the objects its Application deployed.
   * @default true
   */
  readonly cascadeDelete?: boolean;
  /** @default no wave */
  readonly syncWave?: number;
  /**
   * Sync options of the ApplicationSet object itself, as the root Application syncs it.
   * @default none
   */
  readonly ownSyncOptions?: readonly string[];
}

/**
 * An ApplicationSet (argoproj.io/v1alpha1) with one git directory generator: every folder
 * matching `directories` becomes an Application. Go templates, and a missing key is an error.
 */
export class ArgocdDirectoryApplicationSet extends Construct {
  constructor(scope: Construct, id: string, props: ArgocdDirectoryApplicationSetProps) {
    super(scope, id);
    if (!props.template.name.includes('{{')) throw new Error(`ApplicationSet ${props.name}: the template name must depend on the directory, e.g. "app-{{.path.basename}}"`);
    const { name, labels, ...spec } = props.template;
    new ApiObject(this, 'Resource', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ApplicationSet',
      metadata: { name: props.name, namespace: argocdNamespace, labels: props.labels, annotations: waveAnnotations(props.syncWave, props.ownSyncOptions) },
      spec: {
        goTemplate: true,
        goTemplateOptions: ['missingkey=error'],
        generators: [{ git: { repoURL: props.repoURL, revision: props.revision, directories: [{ path: props.directories }] } }],
        template: {
          metadata: {
            name,
            namespace: argocdNamespace,
            labels,
            ...((props.cascadeDelete ?? true) ? { finalizers: [resourcesFinalizer] } : {}),
          },
          spec: applicationSpec(spec),
        },
      },
    });
  }
}

import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { infraNamespace } from '../infra-context.js';

export interface CrossplaneConnectionStoreProps {
  /** Resource name: the store, its service account and its role are named after it. */
  readonly name: string;
  /** The connection Secret (in the infra namespace) the managed resource writes. */
  readonly connectionSecret: string;
  /** Namespaces (services) allowed to read it. */
  readonly users: readonly string[];
  readonly labels: Record<string, string>;
}

/** Name of the ClusterSecretStore that serves a resource's connection secret. */
export function connectionStoreName(resource: string): string {
  return `${resource}-connection`;
}

/**
 * Lets exactly the services that use a resource read its Crossplane connection secret: a
 * ClusterSecretStore (External Secrets, Kubernetes provider) limited to those namespaces, whose
 * service account may `get` that one Secret in the infra namespace and nothing else.
 */
export class CrossplaneConnectionStore extends Construct {
  constructor(scope: Construct, id: string, props: CrossplaneConnectionStoreProps) {
    super(scope, id);
    const name = connectionStoreName(props.name);
    const metadata = { name, namespace: infraNamespace, labels: props.labels };
    new kplus.k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata, automountServiceAccountToken: false });
    new kplus.k8s.KubeRole(this, 'Role', {
      metadata,
      rules: [
        { apiGroups: [''], resources: ['secrets'], resourceNames: [props.connectionSecret], verbs: ['get'] },
        // External Secrets checks the store with a SelfSubjectRulesReview.
        { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectrulesreviews'], verbs: ['create'] },
      ],
    });
    new kplus.k8s.KubeRoleBinding(this, 'RoleBinding', {
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace: infraNamespace }],
    });
    new ApiObject(this, 'Store', {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ClusterSecretStore',
      metadata: { name, labels: props.labels },
      spec: {
        conditions: [{ namespaces: [...props.users] }],
        provider: {
          kubernetes: {
            remoteNamespace: infraNamespace,
            server: { caProvider: { type: 'ConfigMap', name: 'kube-root-ca.crt', key: 'ca.crt', namespace: infraNamespace } },
            auth: { serviceAccount: { name, namespace: infraNamespace } },
          },
        },
      },
    });
  }
}

import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { secretStoreNames } from '../app/app-external-secret.js';

export interface ClusterSecretStoresProps {
  readonly region: string;
  readonly labels: Record<string, string>;
  /**
   * How External Secrets authenticates to AWS. `irsa`: the `external-secrets` service account
   * in namespace `external-secrets` (its role is annotated by the add-on). `instance-profile`: the
   * node's credentials (k3s on EC2); no auth block is rendered.
   */
  readonly auth: 'irsa' | 'instance-profile';
}

/**
 * The cluster's two ClusterSecretStores (external-secrets.io/v1): AWS Secrets Manager and SSM
 * Parameter Store. Apps' ExternalSecrets reference them by name.
 */
export class ClusterSecretStores extends Construct {
  constructor(scope: Construct, id: string, props: ClusterSecretStoresProps) {
    super(scope, id);
    const services = { 'secrets-manager': 'SecretsManager', 'parameter-store': 'ParameterStore' } as const;
    for (const store of Object.keys(services).sort() as (keyof typeof services)[]) {
      new ApiObject(this, store, {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ClusterSecretStore',
        metadata: { name: secretStoreNames[store], labels: props.labels },
        spec: {
          provider: {
            aws: {
              service: services[store],
              region: props.region,
              ...(props.auth === 'irsa' ? { auth: { jwt: { serviceAccountRef: { name: 'external-secrets', namespace: 'external-secrets' } } } } : {}),
            },
          },
        },
      });
    }
  }
}

import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

/** The ClusterSecretStore names, one per AWS secret backend. */
export const secretStoreNames = {
  'secrets-manager': 'aws-secrets-manager',
  'parameter-store': 'aws-parameter-store',
} as const;

export interface AppExternalSecretProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** Kubernetes Secret External Secrets writes and keeps in sync. */
  readonly targetSecretName: string;
  /** Environment variable → where its value lives in AWS. Only references, never values. */
  readonly env: Readonly<Record<string, { store: keyof typeof secretStoreNames; key: string; property?: string }>>;
  /**
   * How often External Secrets re-reads AWS.
   * @default '1h'
   */
  readonly refreshInterval?: string;
}

/**
 * An ExternalSecret (external-secrets.io/v1) that copies secret values from AWS Secrets Manager or
 * SSM Parameter Store into a Secret in the app's namespace. Git holds only where the values are.
 * One ExternalSecret per secret store used, named `<name>` or `<name>-<store>` when both are used.
 */
export class AppExternalSecret extends Construct {
  /** Names of the Secrets written, for the Deployment's envFrom. */
  readonly secretNames: string[] = [];

  constructor(scope: Construct, id: string, props: AppExternalSecretProps) {
    super(scope, id);
    const stores = [...new Set(Object.values(props.env).map((ref) => ref.store))].sort();
    for (const store of stores) {
      const entries = Object.entries(props.env)
        .filter(([, ref]) => ref.store === store)
        .sort(([a], [b]) => (a < b ? -1 : 1));
      const name = stores.length === 1 ? props.name : `${props.name}-${store}`;
      const target = stores.length === 1 ? props.targetSecretName : `${props.targetSecretName}-${store}`;
      this.secretNames.push(target);
      new ApiObject(this, store, {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: { name, namespace: props.namespace, labels: props.labels },
        spec: {
          refreshInterval: props.refreshInterval ?? '1h',
          secretStoreRef: { kind: 'ClusterSecretStore', name: secretStoreNames[store] },
          target: {
            name: target,
            creationPolicy: 'Owner',
            deletionPolicy: 'Retain',
          },
          data: entries.map(([envName, ref]) => ({
            secretKey: envName,
            remoteRef: { key: ref.key, ...(ref.property ? { property: ref.property } : {}) },
          })),
        },
      });
    }
  }
}

import { Construct } from 'constructs';
import type { SecretLocation } from '../../inputs/infra.js';
import { AppExternalSecret } from '../app/app-external-secret.js';
import { infraNamespace } from './infra-context.js';

export interface InfraSecretProps {
  /** Name of the ExternalSecret and of the Secret it writes in the infra namespace. */
  readonly name: string;
  readonly labels: Record<string, string>;
  /** Where the value lives in AWS. */
  readonly location: SecretLocation;
  /** JSON property of the value inside the AWS secret. */
  readonly property: string;
  /** Key of the value in the Kubernetes Secret. */
  readonly secretKey: string;
}

/**
 * A secret the controller passes to AWS (the RDS master password, the Redis AUTH token), copied
 * by External Secrets from Secrets Manager or Parameter Store into the infra namespace. Git and
 * the rendered YAML hold only where it lives.
 */
export class InfraSecret extends Construct {
  /** `{ namespace, name, key }` as ACK and Crossplane secret references take it. */
  readonly ref: { readonly namespace: string; readonly name: string; readonly key: string };

  constructor(scope: Construct, id: string, props: InfraSecretProps) {
    super(scope, id);
    new AppExternalSecret(this, 'Resource', {
      name: props.name,
      namespace: infraNamespace,
      labels: props.labels,
      targetSecretName: props.name,
      env: { [props.secretKey]: { store: props.location.store, key: props.location.key, property: props.property } },
    });
    this.ref = { namespace: infraNamespace, name: props.name, key: props.secretKey };
  }
}

import { Construct } from 'constructs';
import { ProviderConfig, ProviderConfigSpecCredentialsSource } from '../../../../imports/aws.upbound.io.js';
import { labelKeys, managedBy, partOf } from '../../app/labels.js';
import { crossplaneProviderConfigName } from '../infra-context.js';

export interface CrossplaneProviderConfigProps {
  /**
   * How provider-aws gets AWS credentials. `irsa` (EKS): the provider pod's service account role.
   * `instance-profile` (k3s on EC2): the node's instance profile.
   */
  readonly auth: 'irsa' | 'instance-profile';
}

/** Annotation saying which credentials a ProviderConfig really uses, for readers of the YAML. */
export const credentialsAnnotation = 'learning-platform.io/aws-credentials';

/**
 * The provider-aws ProviderConfig every managed resource names. Both flavors render source
 * `IRSA`: provider-aws resolves it with the AWS SDK's default credential chain
 * (`UseDefault` in provider-aws `internal/clients/provider_config.go`), which is the IRSA web
 * identity on EKS and, where no web identity token is mounted (k3s on EC2), the instance
 * profile through the instance metadata service. No static keys exist anywhere.
 */
export class CrossplaneProviderConfig extends Construct {
  constructor(scope: Construct, id: string, props: CrossplaneProviderConfigProps) {
    super(scope, id);
    new ProviderConfig(this, 'Resource', {
      metadata: {
        name: crossplaneProviderConfigName,
        labels: { [labelKeys.component]: 'infra', [labelKeys.partOf]: partOf, [labelKeys.managedBy]: managedBy },
        annotations: {
          [credentialsAnnotation]:
            props.auth === 'irsa'
              ? 'IRSA: the role annotated on the provider-aws service account'
              : 'EC2 instance profile, through the default credential chain (no web identity token on k3s)',
        },
      },
      spec: { credentials: { source: ProviderConfigSpecCredentialsSource.IRSA } },
    });
  }
}

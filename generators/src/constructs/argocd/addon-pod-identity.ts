import { Construct } from 'constructs';
import { PodIdentityAssociation, PodIdentityAssociationSpecDeletionPolicy } from '../../../imports/eks.aws.upbound.io.js';
import { ProviderConfig, ProviderConfigSpecCredentialsSource } from '../../../imports/aws.upbound.io.js';

export interface AddonPodIdentityProps {
  /** Names the ProviderConfig and the association (cluster-scoped objects): the add-on id. */
  readonly name: string;
  /** Namespace of the service account the add-on's pods run as. */
  readonly namespace: string;
  /** The service account the chart's workloads run as (the association binds the role to it). */
  readonly serviceAccount: string;
  /** The EKS cluster, as the EKS API names it. */
  readonly clusterName: string;
  readonly region: string;
  /** The IAM role the pods get; it must trust `pods.eks.amazonaws.com`. */
  readonly roleArn: string;
  readonly labels: Record<string, string>;
  /** Argo CD annotations (sync wave: before the chart, so its pods start with the credential). */
  readonly annotations?: Record<string, string>;
}

/**
 * An IAM role for an add-on whose chart renders no service-account annotation (so IRSA cannot
 * reach its pods): an EKS Pod Identity association, declared as a Crossplane
 * `PodIdentityAssociation` (provider-aws eks), with a ProviderConfig of its own so it does not
 * wait for `infra/` (the provider pods' IRSA role, `eks.addonRoles.crossplane`, creates it).
 * EKS injects the credential into pods created after the association exists: sync it before the
 * chart. The association is deleted with the add-on (it holds no data).
 */
export class AddonPodIdentity extends Construct {
  constructor(scope: Construct, id: string, props: AddonPodIdentityProps) {
    super(scope, id);
    const metadata = { name: props.name, labels: props.labels, ...(props.annotations ? { annotations: props.annotations } : {}) };
    new ProviderConfig(this, 'ProviderConfig', {
      metadata,
      spec: { credentials: { source: ProviderConfigSpecCredentialsSource.IRSA } },
    });
    new PodIdentityAssociation(this, 'Association', {
      metadata,
      spec: {
        forProvider: { region: props.region, clusterName: props.clusterName, namespace: props.namespace, serviceAccount: props.serviceAccount, roleArn: props.roleArn },
        providerConfigRef: { name: props.name },
        deletionPolicy: PodIdentityAssociationSpecDeletionPolicy.DELETE,
      },
    });
  }
}

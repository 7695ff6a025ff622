import type { Cluster } from '../inputs/clusters.js';
import type { CrossplaneProviderId } from '../inputs/schemas/addons.js';

/** AWS services the infra controllers cover. */
export const awsServices = ['rds', 'elasticache', 's3', 'sqs'] as const;
export type AwsService = (typeof awsServices)[number];

/**
 * The ACK controllers that can run: those whose CRDs `validate` reads from a Go module the proxy
 * serves. No sqs: every `aws-controllers-k8s/sqs-controller` version is refused, so no ACK Queue
 * can be validated or rendered (a queue on ack is an input error) and its controller would only
 * install CRDs nothing checks.
 */
export const ackServices = ['rds', 'elasticache', 's3'] as const satisfies readonly AwsService[];
export type AckService = (typeof ackServices)[number];

/** Infra resource kind → the AWS service whose controller manages it. */
const serviceOfKind: Readonly<Record<string, AwsService>> = { postgres: 'rds', redis: 'elasticache', bucket: 's3', queue: 'sqs' };

/** What a cluster's infra and add-ons need of each provider. */
export interface AwsControllers {
  /** ACK controllers to run, or undefined when no ACK is needed. */
  readonly ack?: readonly AckService[];
  /** provider-aws family members the infra resources need with Crossplane, or undefined when none. */
  readonly crossplane?: readonly AwsService[];
  /**
   * EKS: add-ons get IAM roles through EKS Pod Identity associations, rendered as Crossplane
   * `PodIdentityAssociation`s (provider-aws eks), so Crossplane runs with the eks provider.
   */
  readonly podIdentity: boolean;
}

/**
 * The controllers a cluster runs. Its own `provider` is installed whole (every service it can
 * serve, ready for any resource); a provider that a resource picks besides it (`infra/<r>.yaml`,
 * `clusters.<c>.provider`) brings only the services its resources need.
 */
export function awsControllers(cluster: Pick<Cluster, 'provider' | 'flavor'>, infra: readonly { readonly kind: string; readonly provider: Cluster['provider'] }[]): AwsControllers {
  const needed = <S extends AwsService>(provider: Cluster['provider'], served: readonly S[]): S[] | undefined => {
    if (cluster.provider === provider) return [...served];
    const services = new Set(infra.filter((resource) => resource.provider === provider).map((resource) => serviceOfKind[resource.kind]).filter((service) => service !== undefined));
    const wanted = served.filter((service) => services.has(service));
    return wanted.length ? wanted : undefined;
  };
  return { ack: needed('ack', ackServices), crossplane: needed('crossplane', awsServices), podIdentity: cluster.flavor === 'eks' };
}

/** True when Crossplane runs: for infra resources, or for the add-ons' Pod Identity associations. */
export function runsCrossplane(controllers: AwsControllers): boolean {
  return controllers.crossplane !== undefined || controllers.podIdentity;
}

/** The provider-aws family packages Crossplane installs, in a stable order. */
export function crossplanePackages(controllers: AwsControllers): CrossplaneProviderId[] {
  return [...(controllers.crossplane ?? []), ...(controllers.podIdentity ? (['eks'] as const) : [])];
}

import type { Cluster } from '../inputs/clusters.js';

/** AWS services the infra controllers cover. */
export const awsServices = ['rds', 'elasticache', 's3', 'sqs'] as const;
export type AwsService = (typeof awsServices)[number];

/** Infra resource kind → the AWS service whose controller manages it. */
const serviceOfKind: Readonly<Record<string, AwsService>> = { postgres: 'rds', redis: 'elasticache', bucket: 's3', queue: 'sqs' };

/** What a cluster's infra needs of each provider. */
export interface AwsControllers {
  /** ACK controllers to run, or undefined when no ACK is needed. */
  readonly ack?: readonly AwsService[];
  /** provider-aws family members to run with Crossplane, or undefined when no Crossplane is needed. */
  readonly crossplane?: readonly AwsService[];
}

/**
 * The controllers a cluster runs. Its own `provider` is installed whole (all four services, ready
 * for any resource); a provider that a resource picks besides it (`infra/<r>.yaml`,
 * `clusters.<c>.provider`) brings only the services its resources need.
 */
export function awsControllers(cluster: Pick<Cluster, 'provider'>, infra: readonly { readonly kind: string; readonly provider: Cluster['provider'] }[]): AwsControllers {
  const needed = (provider: Cluster['provider']): AwsService[] | undefined => {
    if (cluster.provider === provider) return [...awsServices];
    const services = new Set(infra.filter((resource) => resource.provider === provider).map((resource) => serviceOfKind[resource.kind]).filter((service) => service !== undefined));
    return services.size ? awsServices.filter((service) => services.has(service)) : undefined;
  };
  return { ack: needed('ack'), crossplane: needed('crossplane') };
}

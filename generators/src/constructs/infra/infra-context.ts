import type { Cluster } from '../../inputs/clusters.js';
import { labelKeys, managedBy, partOf } from '../app/labels.js';

/** Namespace of the namespaced infra objects: ACK resources, FieldExports, credential ExternalSecrets. */
export const infraNamespace = 'infra';

/** Name of the Crossplane ProviderConfig every managed resource uses. */
export const crossplaneProviderConfigName = 'default';

/** What an infra construct needs besides its resource. */
export interface InfraContext {
  readonly cluster: Cluster;
  /** Services (by name, sorted) that use the resource: they get its endpoint. */
  readonly users: readonly string[];
}

/** Labels of every object of one resource. */
export function infraLabels(resource: string): Record<string, string> {
  return {
    [labelKeys.name]: resource,
    [labelKeys.component]: 'infra',
    [labelKeys.partOf]: partOf,
    [labelKeys.managedBy]: managedBy,
  };
}

/** AWS tags of every resource: where it comes from, never secrets. */
export function awsTags(resource: string, cluster: string): Record<string, string> {
  return { 'learning-platform:cluster': cluster, 'learning-platform:resource': resource, 'learning-platform:managed-by': 'gitops' };
}

import { infraNamespace, crossplaneProviderConfigName } from '../infra-context.js';
import { crossplaneAnnotations } from '../protection.js';

/**
 * Metadata of every Crossplane managed resource rendered here: explicit name, labels, the Argo
 * CD annotation, and the AWS name where provider-aws takes it from `crossplane.io/external-name`.
 * Each managed resource also sets `deletionPolicy: Orphan` and `providerConfigRef` (`managedSpec`).
 */
export function managedMetadata(name: string, labels: Record<string, string>, externalName?: string) {
  return {
    name,
    labels,
    annotations: crossplaneAnnotations(externalName ? { 'crossplane.io/external-name': externalName } : {}),
  };
}

/** `providerConfigRef` of every managed resource. */
export const providerConfigRef = { name: crossplaneProviderConfigName };

/** Where a managed resource writes its connection details: `<resource>-connection` in the infra namespace. */
export function connectionSecretRef(resource: string) {
  return { name: `${resource}-connection`, namespace: infraNamespace };
}

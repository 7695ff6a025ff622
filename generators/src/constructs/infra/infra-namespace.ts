import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { labelKeys, managedBy, partOf } from '../app/labels.js';
import { infraNamespace } from './infra-context.js';

/**
 * The infra namespace: ACK resources, FieldExports, connection secrets and the ExternalSecrets of
 * credentials the controllers pass to AWS. No pods run in it: restricted Pod Security, and a
 * default-deny NetworkPolicy in case one ever does.
 */
export class InfraNamespace extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const labels = { [labelKeys.component]: 'infra', [labelKeys.partOf]: partOf, [labelKeys.managedBy]: managedBy };
    new kplus.Namespace(this, 'Resource', {
      metadata: {
        name: infraNamespace,
        labels: { ...labels, 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' },
      },
    });
    new kplus.k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
      metadata: { name: 'default-deny', namespace: infraNamespace, labels },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
  }
}

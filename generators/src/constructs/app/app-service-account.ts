import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';

export interface AppServiceAccountProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /**
   * IAM role the pods assume through IRSA (EKS only).
   * @default no role: the pods get no AWS identity of their own
   */
  readonly roleArn?: string;
}

/** The pods' service account. Its API token is never mounted automatically. */
export class AppServiceAccount extends Construct {
  constructor(scope: Construct, id: string, props: AppServiceAccountProps) {
    super(scope, id);
    new kplus.ServiceAccount(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: props.labels,
        annotations: props.roleArn ? { 'eks.amazonaws.com/role-arn': props.roleArn } : undefined,
      },
      automountToken: false,
    });
  }
}

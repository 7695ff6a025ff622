import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-28';

export interface AppNamespaceProps {
  /** Namespace name (the app name). */
  readonly name: string;
  /** Labels for the namespace. */
  readonly labels: Record<string, string>;
  /**
   * Pod Security Standard enforced, audited and warned on.
   * @default 'restricted'
   */
  readonly podSecurity?: 'restricted' | 'baseline';
}

/** The namespace an app lives in, with Pod Security admission labels. */
export class AppNamespace extends Construct {
  constructor(scope: Construct, id: string, props: AppNamespaceProps) {
    super(scope, id);
    const level = props.podSecurity ?? 'restricted';
    new kplus.Namespace(this, 'Resource', {
      metadata: {
        name: props.name,
        labels: {
          ...props.labels,
          'pod-security.kubernetes.io/enforce': level,
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/audit': level,
          'pod-security.kubernetes.io/warn': level,
        },
      },
    });
  }
}

import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';

export interface AppDisruptionBudgetProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** Pod labels the budget covers. */
  readonly selector: Record<string, string>;
  /**
   * Pods that may be evicted at once (node drains, upgrades).
   * @default 1
   */
  readonly maxUnavailable?: number;
}

/** A PodDisruptionBudget (policy/v1); render it only for apps with more than one replica. */
export class AppDisruptionBudget extends Construct {
  constructor(scope: Construct, id: string, props: AppDisruptionBudgetProps) {
    super(scope, id);
    new kplus.k8s.KubePodDisruptionBudget(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
      spec: {
        maxUnavailable: kplus.k8s.IntOrString.fromNumber(props.maxUnavailable ?? 1),
        selector: { matchLabels: props.selector },
      },
    });
  }
}

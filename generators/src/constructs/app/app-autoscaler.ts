import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';

export interface AppAutoscalerProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** Workload to scale: the Deployment, or the Argo Rollouts Rollout of a canary service (same name). */
  readonly target: { readonly kind: 'Deployment' | 'Rollout'; readonly name: string };
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Average CPU utilisation (percent of requests) to aim for. */
  readonly targetCPUUtilizationPercent: number;
}

/**
 * A HorizontalPodAutoscaler (autoscaling/v2) on CPU utilisation. Scale-down is damped (5 minute
 * window) so a short lull does not drop capacity.
 */
export class AppAutoscaler extends Construct {
  constructor(scope: Construct, id: string, props: AppAutoscalerProps) {
    super(scope, id);
    new kplus.k8s.KubeHorizontalPodAutoscalerV2(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
      spec: {
        scaleTargetRef: { apiVersion: props.target.kind === 'Rollout' ? 'argoproj.io/v1alpha1' : 'apps/v1', kind: props.target.kind, name: props.target.name },
        minReplicas: props.minReplicas,
        maxReplicas: props.maxReplicas,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: props.targetCPUUtilizationPercent } } },
        ],
        behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
      },
    });
  }
}

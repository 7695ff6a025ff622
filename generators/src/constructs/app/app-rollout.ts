import { Construct } from 'constructs';
import {
  Rollout,
  RolloutSpecStrategyCanaryMaxSurge,
  RolloutSpecStrategyCanaryMaxUnavailable,
  RolloutSpecStrategyCanaryStepsPauseDuration,
  type RolloutSpecStrategyCanarySteps,
  type RolloutSpecStrategyCanaryStepsAnalysisArgs,
} from '../../../imports/argoproj.io.js';
import { withVerbatimJson } from '../verbatim-json.js';
import { AppDeployment, type AppDeploymentProps } from './app-deployment.js';
import { selectorLabels } from './labels.js';

/** One canary step: shift `weight` percent of the traffic to the new version, hold for `pause`. */
export interface CanaryStep {
  readonly weight: number;
  /** Argo Rollouts duration, e.g. `5m`. */
  readonly pause: string;
}

export interface AppRolloutProps extends AppDeploymentProps {
  /**
   * Service that selects only the stable version during a rollout (Argo Rollouts adds the
   * pod-template-hash to its selector): with ALB routing. Without it, the main Service keeps
   * selecting every pod and the weights are reached by replica counts.
   * @default none
   */
  readonly stableService?: string;
  /** Service that selects the new version during a rollout. */
  readonly canaryService: string;
  readonly steps: readonly CanaryStep[];
  /**
   * AnalysisTemplate (in the same namespace) run after every step's pause, and its arguments; a
   * failed run aborts the rollout and sends all traffic back to the stable version.
   * @default no analysis
   */
  readonly analysis?: { readonly templateName: string; readonly args: readonly RolloutSpecStrategyCanaryStepsAnalysisArgs[] };
  /**
   * Traffic shifting through the AWS Load Balancer Controller: the Ingress whose forward action
   * the Rollout manages, and the Service port. Without it the weights are reached by replica
   * counts (the Services select stable and canary pods).
   * @default replica-weighted
   */
  readonly alb?: { readonly ingress: string; readonly servicePort: number };
}

/**
 * An Argo Rollouts canary `Rollout` (typed from the pinned CRD in `generators/imports/`) whose pod
 * template is the one `AppDeployment` builds with cdk8s-plus: the same restricted security
 * context, requests and limits, probes, volumes and annotations. The Deployment itself is built
 * off the tree (removed before synthesis), so a canary service has one workload object only.
 * Steps: for each one set the weight, pause, then run the analysis; after the last step the new
 * version takes 100%. A rollout stuck past its progress deadline is aborted.
 */
export class AppRollout extends Construct {
  constructor(scope: Construct, id: string, props: AppRolloutProps) {
    super(scope, id);
    const source = new AppDeployment(this, 'PodTemplate', { ...props, replicas: undefined });
    const template = (source.resource.toJson() as { spec: { template: Record<string, unknown> } }).spec.template;
    this.node.tryRemoveChild('PodTemplate');

    const steps: RolloutSpecStrategyCanarySteps[] = props.steps.flatMap((step) => [
      { setWeight: step.weight },
      { pause: { duration: RolloutSpecStrategyCanaryStepsPauseDuration.fromString(step.pause) } },
      ...(props.analysis ? [{ analysis: { templates: [{ templateName: props.analysis.templateName }], args: [...props.analysis.args] } }] : []),
    ]);
    const rollout = new Rollout(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
      spec: {
        ...(props.replicas === undefined ? {} : { replicas: props.replicas }),
        selector: { matchLabels: selectorLabels(props.name) },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
        progressDeadlineAbort: true,
        strategy: {
          canary: {
            ...(props.stableService ? { stableService: props.stableService } : {}),
            canaryService: props.canaryService,
            // Never fewer ready pods than asked for, as the Deployments' rolling update.
            maxSurge: RolloutSpecStrategyCanaryMaxSurge.fromString('25%'),
            maxUnavailable: RolloutSpecStrategyCanaryMaxUnavailable.fromNumber(0),
            ...(props.alb ? { trafficRouting: { alb: { ingress: props.alb.ingress, servicePort: props.alb.servicePort } } } : {}),
            steps,
          },
        },
      },
    });
    // The pod template is cdk8s-plus JSON: set after the generated class's typed mapping.
    withVerbatimJson(rollout, (json) => ({ ...json, spec: { ...json['spec'], template } }));
  }
}


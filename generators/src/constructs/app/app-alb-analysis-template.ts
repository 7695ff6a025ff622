import { Construct } from 'constructs';
import {
  AnalysisTemplate,
  AnalysisTemplateSpecMetricsCount,
  AnalysisTemplateSpecMetricsFailureLimit,
  AnalysisTemplateSpecMetricsProviderCloudWatchMetricDataQueriesMetricStatPeriod,
  type AnalysisTemplateSpecMetrics,
  type AnalysisTemplateSpecMetricsProviderCloudWatchMetricDataQueries,
} from '../../../imports/argoproj.io.js';

/** Arguments the Rollout passes: the ALB and the canary target group, from its own status. */
export const albAnalysisArgs = {
  loadBalancer: { name: 'load-balancer', fieldPath: 'status.alb.loadBalancer.fullName' },
  canaryTargetGroup: { name: 'canary-target-group', fieldPath: 'status.alb.canaryTargetGroup.fullName' },
} as const;

export interface AppAlbAnalysisTemplateProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** Highest share of 5xx responses of the canary target group, in percent. */
  readonly maxErrorRatePercent: number;
  /** Highest p95 `TargetResponseTime` of the canary target group, in milliseconds. */
  readonly maxP95LatencyMs: number;
  /** Time between two measurements, e.g. `1m`. */
  readonly interval: string;
  /** Measurements per run. */
  readonly measurements: number;
  /** Failed measurements tolerated before the run fails. */
  readonly failureLimit: number;
}

/** Seconds of one CloudWatch datapoint (ALB metrics are published per minute). */
const period = 60;

/**
 * The analysis of a canary behind an ALB: CloudWatch metrics (namespace `AWS/ApplicationELB`) of
 * the canary's own target group, read by Argo Rollouts' CloudWatch provider with the controller's
 * IAM role. Two metrics: the 5xx ratio (`HTTPCode_Target_5XX_Count` / `RequestCount`) and the p95
 * of `TargetResponseTime`. A window without requests yields no datapoint and passes (nothing to
 * judge); any datapoint over its threshold fails the measurement. The target group and load
 * balancer come from the Rollout's status (`status.alb`, written by the controller's target group
 * verification), as arguments.
 */
export class AppAlbAnalysisTemplate extends Construct {
  constructor(scope: Construct, id: string, props: AppAlbAnalysisTemplateProps) {
    super(scope, id);
    const dimensions = [
      { name: 'LoadBalancer', value: `{{args.${albAnalysisArgs.loadBalancer.name}}}` },
      { name: 'TargetGroup', value: `{{args.${albAnalysisArgs.canaryTargetGroup.name}}}` },
    ];
    const stat = (queryId: string, metricName: string, statistic: string, returnData: boolean): AnalysisTemplateSpecMetricsProviderCloudWatchMetricDataQueries => ({
      id: queryId,
      metricStat: {
        metric: { namespace: 'AWS/ApplicationELB', metricName, dimensions },
        period: AnalysisTemplateSpecMetricsProviderCloudWatchMetricDataQueriesMetricStatPeriod.fromNumber(period),
        stat: statistic,
      },
      returnData,
    });
    const metric = (name: string, successCondition: string, queries: AnalysisTemplateSpecMetricsProviderCloudWatchMetricDataQueries[]): AnalysisTemplateSpecMetrics => ({
      name,
      interval: props.interval,
      count: AnalysisTemplateSpecMetricsCount.fromNumber(props.measurements),
      failureLimit: AnalysisTemplateSpecMetricsFailureLimit.fromNumber(props.failureLimit),
      successCondition,
      // The last five minutes of per-minute datapoints at every measurement.
      provider: { cloudWatch: { interval: '5m', metricDataQueries: queries } },
    });
    new AnalysisTemplate(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
      spec: {
        args: [{ name: albAnalysisArgs.loadBalancer.name }, { name: albAnalysisArgs.canaryTargetGroup.name }],
        metrics: [
          metric('error-rate', `all(result[0].Values, {# <= ${props.maxErrorRatePercent / 100}})`, [
            { id: 'rate', expression: 'FILL(errors, 0) / requests', label: '5xx ratio of the canary target group' },
            stat('errors', 'HTTPCode_Target_5XX_Count', 'Sum', false),
            stat('requests', 'RequestCount', 'Sum', false),
          ]),
          metric('p95-latency', `all(result[0].Values, {# <= ${props.maxP95LatencyMs / 1000}})`, [stat('latency', 'TargetResponseTime', 'p95', true)]),
        ],
      },
    });
  }
}

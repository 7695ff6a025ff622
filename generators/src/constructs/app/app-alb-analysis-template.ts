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

/**
 * The CloudWatch dimensions of the canary's target group, built from those arguments.
 *
 * Argo Rollouts v1.9.0 fills `status.alb.loadBalancer.fullName` with the load balancer ARN's
 * resource after `loadbalancer/app/` (`<name>/<id>`) and `status.alb.canaryTargetGroup.fullName`
 * with the target group ARN's resource after `targetgroup/` (`<name>/<id>`):
 * argoproj/argo-rollouts v1.9.0 `rollout/trafficrouting/alb/alb.go`, the `FullName` lines
 * (`strings.Join(lbArnParts[2:], "/")`, `strings.Join(tgArnParts[1:], "/")`). CloudWatch publishes
 * `AWS/ApplicationELB` metrics under `LoadBalancer = app/<name>/<id>` and `TargetGroup =
 * targetgroup/<name>/<id>`, "the final portion of the ARN" (AWS, Elastic Load Balancing, "CloudWatch
 * metrics for your Application Load Balancer", Metric dimensions). So the prefixes are put back
 * here; without them CloudWatch matches no metric and returns no datapoints.
 */
export const albMetricDimensions = [
  { name: 'LoadBalancer', value: `app/{{args.${albAnalysisArgs.loadBalancer.name}}}` },
  { name: 'TargetGroup', value: `targetgroup/{{args.${albAnalysisArgs.canaryTargetGroup.name}}}` },
] as const;

export interface AppAlbAnalysisTemplateProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** Highest share of 5xx responses of the canary target group, in percent. */
  readonly maxErrorRatePercent: number;
  /** Highest p95 `TargetResponseTime` of the canary target group, in milliseconds. */
  readonly maxP95LatencyMs: number;
  /** Fewest requests of the canary target group in a window for a measurement to judge it. */
  readonly minRequests: number;
  /** Time between two measurements, e.g. `1m`. */
  readonly interval: string;
  /** Measurements per run. */
  readonly measurements: number;
  /** Failed measurements tolerated before the run fails. */
  readonly failureLimit: number;
}

/** Seconds of one CloudWatch datapoint (ALB metrics are published per minute). */
const period = 60;

/** The window every measurement reads: the last five minutes of per-minute datapoints. */
export const albAnalysisWindow = '5m';

/**
 * The analysis of a canary behind an ALB: CloudWatch metrics (namespace `AWS/ApplicationELB`) of
 * the canary's own target group, read by Argo Rollouts' CloudWatch provider with the controller's
 * IAM role. Three metrics, each measured over the last five minutes:
 *
 * - `requests`: the canary served at least `minRequests` requests (`RequestCount`, Sum). Fewer, or
 *   none, is **Inconclusive**, never Successful: the run ends Inconclusive and Argo Rollouts pauses
 *   the Rollout for a person (promote or abort). ALB publishes no datapoint for a minute without
 *   requests, and expr's `all(...)` is true over an empty list, so without this metric a canary that
 *   got no traffic, or a query that matched nothing, passed and went to 100%. A failing verdict
 *   would roll back healthy releases at quiet hours; a pause costs a person's look.
 * - `error-rate`: every per-minute 5xx ratio (`HTTPCode_Target_5XX_Count` / `RequestCount`) at or
 *   under the threshold.
 * - `p95-latency`: every per-minute p95 of `TargetResponseTime` at or under the threshold.
 *
 * A run is as bad as its worst metric (Failed over Inconclusive over Successful), so an error-rate
 * failure still aborts even with little traffic. Each metric returns one series (`result[0]`): the
 * order of several returned series is not something GetMetricData documents.
 */
export class AppAlbAnalysisTemplate extends Construct {
  constructor(scope: Construct, id: string, props: AppAlbAnalysisTemplateProps) {
    super(scope, id);
    const dimensions = albMetricDimensions.map((dimension) => ({ ...dimension }));
    const stat = (queryId: string, metricName: string, statistic: string, returnData: boolean): AnalysisTemplateSpecMetricsProviderCloudWatchMetricDataQueries => ({
      id: queryId,
      metricStat: {
        metric: { namespace: 'AWS/ApplicationELB', metricName, dimensions },
        period: AnalysisTemplateSpecMetricsProviderCloudWatchMetricDataQueriesMetricStatPeriod.fromNumber(period),
        stat: statistic,
      },
      returnData,
    });
    const metric = (name: string, conditions: { successCondition: string; failureCondition?: string }, queries: AnalysisTemplateSpecMetricsProviderCloudWatchMetricDataQueries[]): AnalysisTemplateSpecMetrics => ({
      name,
      interval: props.interval,
      count: AnalysisTemplateSpecMetricsCount.fromNumber(props.measurements),
      failureLimit: AnalysisTemplateSpecMetricsFailureLimit.fromNumber(props.failureLimit),
      ...conditions,
      provider: { cloudWatch: { interval: albAnalysisWindow, metricDataQueries: queries } },
    });
    new AnalysisTemplate(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
      spec: {
        args: [{ name: albAnalysisArgs.loadBalancer.name }, { name: albAnalysisArgs.canaryTargetGroup.name }],
        metrics: [
          // With a failure condition that never holds, too little traffic is neither success nor failure: Inconclusive
          // (argo-rollouts v1.9.0 utils/evaluate/evaluate.go EvaluateResult). expr's `sum` of an empty list is 0.
          metric('requests', { successCondition: `sum(result[0].Values) >= ${props.minRequests}`, failureCondition: 'false' }, [stat('requests', 'RequestCount', 'Sum', true)]),
          metric('error-rate', { successCondition: `all(result[0].Values, {# <= ${props.maxErrorRatePercent / 100}})` }, [
            { id: 'rate', expression: 'FILL(errors, 0) / requests', label: '5xx ratio of the canary target group' },
            stat('errors', 'HTTPCode_Target_5XX_Count', 'Sum', false),
            stat('requests', 'RequestCount', 'Sum', false),
          ]),
          metric('p95-latency', { successCondition: `all(result[0].Values, {# <= ${props.maxP95LatencyMs / 1000}})` }, [stat('latency', 'TargetResponseTime', 'p95', true)]),
        ],
      },
    });
  }
}

/**
 * Local endpoints of the two AWS APIs the Argo Rollouts controller calls, on 127.0.0.1, reached
 * through the AWS SDK's own endpoint settings (`endpointEnv`): aws-sdk-go-v2 `config` v1.29.14 (the
 * pinned controller's) reads `AWS_ENDPOINT_URL_<SERVICE ID>` (`env_config.go`: the service id upper
 * case, spaces as `_`): `CloudWatch` → `AWS_ENDPOINT_URL_CLOUDWATCH`, `Elastic Load Balancing v2` →
 * `AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2` (`ServiceID` in each client's `api_client.go`).
 *
 * - **Elastic Load Balancing v2** (version 2015-12-01): DescribeLoadBalancers, DescribeTargetGroups,
 *   DescribeTags, DescribeListeners, DescribeRules, DescribeTargetHealth, answered from the ALB
 *   model of the cluster's Ingresses at the time of the call (`alb-model.ts`).
 * - **CloudWatch** (2010-08-01): GetMetricData. A metric query is answered from `metrics` only when
 *   its dimensions are the ones a real ALB publishes (`LoadBalancer = app/<name>/<id>` of an ALB of
 *   the model, with `TargetGroup = targetgroup/<name>/<id>` of one of its target groups); any other
 *   dimension set matches nothing and gets an empty series, as CloudWatch answers. Metric math
 *   within the queries is evaluated (`metric-math.ts`).
 *
 * Requests must be SigV4-signed for the service they reach (`elasticloadbalancing`, `monitoring`).
 * Every call is recorded (`calls`) for the rehearsal's report and tests.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { albModel, loadBalancerDimension, RESOURCE_TAG, targetGroupDimension, type AlbModel, type AwsAccount, type IngressView, type ServicePorts } from './alb-model.js';
import { evaluateMetricMath, MetricMathError, type Series } from './metric-math.js';
import { listMembers, parseQueryBody, queryError, queryResponse, signedService, type XmlValue } from './query-protocol.js';

const ELBV2_NAMESPACE = 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/';
const CLOUDWATCH_NAMESPACE = 'http://monitoring.amazonaws.com/doc/2010-08-01/';

/** One metric query as CloudWatch receives it. */
export interface MetricQuery {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly stat: string;
  readonly period: number;
}

/** The ALB and target group a query's dimensions name (only dimension sets a real ALB publishes). */
export interface MetricTarget {
  readonly loadBalancerArn: string;
  readonly targetGroup?: { readonly arn: string; readonly namespace: string; readonly service: string };
}

/** The datapoint of one metric at one minute, or undefined when nothing was published then. */
export type MetricSource = (query: MetricQuery, target: MetricTarget, minute: number) => number | undefined;

export interface AwsEndpointsOptions extends AwsAccount {
  /** The Ingresses of the cluster now. */
  readonly ingresses: () => Promise<readonly IngressView[]>;
  /** Service ports by name now. */
  readonly servicePorts: () => Promise<ServicePorts>;
  readonly metrics: MetricSource;
}

export interface AwsCall {
  readonly service: 'elasticloadbalancing' | 'monitoring';
  readonly action: string;
  readonly status: number;
  /** GetMetricData: each metric query's dimensions and whether they matched a real ALB's. */
  readonly queries?: readonly { readonly id: string; readonly dimensions: Readonly<Record<string, string>>; readonly matched: boolean; readonly points: number }[];
}

export interface AwsEndpoints {
  readonly elbv2Url: string;
  readonly cloudWatchUrl: string;
  /** Environment that points the AWS SDK of a process at these endpoints. */
  readonly env: Readonly<Record<string, string>>;
  readonly calls: AwsCall[];
  /** The model as the last ELBv2 call saw it. */
  model(): Promise<AlbModel>;
  close(): Promise<void>;
}

/** Starts both endpoints on free ports of 127.0.0.1. */
export async function startAwsEndpoints(options: AwsEndpointsOptions): Promise<AwsEndpoints> {
  const calls: AwsCall[] = [];
  const model = async () => albModel(await options.ingresses(), options, await options.servicePorts());
  const elbv2 = await listen((params) => elbv2Answer(params, model), 'elasticloadbalancing', calls);
  const cloudWatch = await listen((params) => cloudWatchAnswer(params, model, options.metrics), 'monitoring', calls);
  const elbv2Url = `http://127.0.0.1:${port(elbv2)}`;
  const cloudWatchUrl = `http://127.0.0.1:${port(cloudWatch)}`;
  return {
    elbv2Url,
    cloudWatchUrl,
    env: {
      AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2: elbv2Url,
      AWS_ENDPOINT_URL_CLOUDWATCH: cloudWatchUrl,
      AWS_REGION: options.region,
      AWS_ACCESS_KEY_ID: 'AKIAREHEARSAL0000000',
      AWS_SECRET_ACCESS_KEY: 'rehearsal-local-endpoints-only',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    calls,
    model,
    close: async () => {
      await Promise.all([elbv2, cloudWatch].map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    },
  };
}

function port(server: Server): number {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly call?: Partial<AwsCall>;
}

function listen(answer: (params: Map<string, string>) => Promise<Answer>, service: AwsCall['service'], calls: AwsCall[]): Promise<Server> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void (async () => {
        const params = parseQueryBody(Buffer.concat(chunks).toString('utf8'));
        const action = params.get('Action') ?? '';
        let result: Answer;
        const signed = signedService(request.headers.authorization);
        if (request.method !== 'POST') result = { status: 405, body: queryError('InvalidAction', 'the Query protocol uses POST') };
        else if (signed !== service) result = { status: 403, body: queryError('IncompleteSignature', `request signed for ${signed ?? 'nothing'}, this endpoint is ${service}`) };
        else {
          try {
            result = await answer(params);
          } catch (error) {
            result = { status: error instanceof MetricMathError ? 400 : 500, body: queryError(error instanceof MetricMathError ? 'InvalidParameterValue' : 'InternalFailure', (error as Error).message) };
          }
        }
        calls.push({ service, action, status: result.status, ...result.call });
        response.writeHead(result.status, { 'content-type': 'text/xml' });
        response.end(result.body);
      })();
    });
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

async function elbv2Answer(params: Map<string, string>, modelOf: () => Promise<AlbModel>): Promise<Answer> {
  const action = params.get('Action') ?? '';
  const model = await modelOf();
  const ok = (result: { [field: string]: XmlValue }): Answer => ({ status: 200, body: queryResponse(action, ELBV2_NAMESPACE, result) });
  const notFound = (code: string, message: string): Answer => ({ status: 400, body: queryError(code, message) });
  switch (action) {
    case 'DescribeLoadBalancers': {
      const arns = listMembers(params, 'LoadBalancerArns').map((key) => params.get(key));
      const names = listMembers(params, 'Names').map((key) => params.get(key));
      const chosen = model.loadBalancers.filter((lb) => (arns.length === 0 || arns.includes(lb.arn)) && (names.length === 0 || names.includes(lb.name)));
      return ok({
        LoadBalancers: chosen.map((lb) => ({
          LoadBalancerArn: lb.arn,
          DNSName: lb.dnsName,
          CanonicalHostedZoneId: 'Z32O12XQLNTSW2',
          LoadBalancerName: lb.name,
          Scheme: lb.scheme,
          VpcId: 'vpc-0rehearsal',
          State: { Code: 'active' },
          Type: 'application',
          IpAddressType: 'ipv4',
        })),
      });
    }
    case 'DescribeTargetGroups': {
      const lb = params.get('LoadBalancerArn');
      const arns = listMembers(params, 'TargetGroupArns').map((key) => params.get(key));
      if (lb && !model.loadBalancers.some((l) => l.arn === lb)) return notFound('LoadBalancerNotFound', `One or more load balancers not found`);
      const chosen = model.targetGroups.filter((tg) => (!lb || tg.loadBalancerArn === lb) && (arns.length === 0 || arns.includes(tg.arn)));
      return ok({ TargetGroups: chosen.map((tg) => ({ TargetGroupArn: tg.arn, TargetGroupName: tg.name, Protocol: 'HTTP', Port: tg.port, VpcId: 'vpc-0rehearsal', TargetType: 'ip', LoadBalancerArns: [tg.loadBalancerArn] })) });
    }
    case 'DescribeTags': {
      const arns = listMembers(params, 'ResourceArns').map((key) => params.get(key) ?? '');
      return ok({
        TagDescriptions: arns.map((arn) => {
          const tg = model.targetGroups.find((t) => t.arn === arn);
          return { ResourceArn: arn, Tags: tg ? [{ Key: RESOURCE_TAG, Value: tg.resourceId }, { Key: 'elbv2.k8s.aws/cluster', Value: 'rehearsal' }] : [] };
        }),
      });
    }
    case 'DescribeListeners': {
      const lbArn = params.get('LoadBalancerArn');
      const chosen = model.loadBalancers.filter((lb) => lb.arn === lbArn);
      if (chosen.length === 0) return notFound('LoadBalancerNotFound', 'One or more load balancers not found');
      return ok({ Listeners: chosen.map((lb) => ({ ListenerArn: lb.listenerArn, LoadBalancerArn: lb.arn, Port: 443, Protocol: 'HTTPS' })) });
    }
    case 'DescribeRules': {
      const listener = params.get('ListenerArn');
      const lb = model.loadBalancers.find((l) => l.listenerArn === listener);
      if (!lb) return notFound('ListenerNotFound', 'One or more listeners not found');
      return ok({
        Rules: [
          ...lb.rules.map((rule) => ({
            RuleArn: rule.arn,
            Priority: String(rule.priority),
            IsDefault: false,
            Conditions: [...(rule.host ? [{ Field: 'host-header', HostHeaderConfig: { Values: [rule.host] } }] : []), { Field: 'path-pattern', PathPatternConfig: { Values: [rule.path === '/' ? '/*' : `${rule.path}*`] } }],
            Actions: [{ Type: 'forward', Order: 1, ForwardConfig: { TargetGroups: rule.targets.map((t) => ({ TargetGroupArn: t.targetGroupArn, Weight: t.weight })) } }],
          })),
          { RuleArn: `${lb.listenerArn.replace(':listener/', ':listener-rule/')}/default`, Priority: 'default', IsDefault: true, Conditions: [], Actions: [{ Type: 'fixed-response', Order: 1, FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain' } }] },
        ],
      });
    }
    case 'DescribeTargetHealth': {
      const arn = params.get('TargetGroupArn');
      if (!model.targetGroups.some((tg) => tg.arn === arn)) return notFound('TargetGroupNotFound', 'One or more target groups not found');
      return ok({ TargetHealthDescriptions: [] });
    }
    default:
      return { status: 400, body: queryError('InvalidAction', `${action} is not answered by the rehearsal's Elastic Load Balancing v2 endpoint`) };
  }
}

/** The ALB and target group a dimension set names, when a real ALB publishes exactly it. */
export function matchDimensions(dimensions: Readonly<Record<string, string>>, model: AlbModel): MetricTarget | undefined {
  const names = Object.keys(dimensions).sort().join(',');
  const lb = model.loadBalancers.find((l) => loadBalancerDimension(l.arn) === dimensions['LoadBalancer']);
  if (!lb) return undefined;
  if (names === 'LoadBalancer') return { loadBalancerArn: lb.arn };
  if (names !== 'LoadBalancer,TargetGroup') return undefined;
  const tg = model.targetGroups.find((t) => t.loadBalancerArn === lb.arn && targetGroupDimension(t.arn) === dimensions['TargetGroup']);
  return tg ? { loadBalancerArn: lb.arn, targetGroup: { arn: tg.arn, namespace: tg.namespace, service: tg.service } } : undefined;
}

async function cloudWatchAnswer(params: Map<string, string>, modelOf: () => Promise<AlbModel>, metrics: MetricSource): Promise<Answer> {
  const action = params.get('Action') ?? '';
  if (action !== 'GetMetricData') return { status: 400, body: queryError('InvalidAction', `${action} is not answered by the rehearsal's CloudWatch endpoint`) };
  const model = await modelOf();
  const start = Date.parse(params.get('StartTime') ?? '');
  const end = Date.parse(params.get('EndTime') ?? '');
  if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) return { status: 400, body: queryError('InvalidParameterValue', 'StartTime and EndTime must be times, StartTime first') };
  // CloudWatch rounds a recent StartTime down to the minute; one datapoint per period.
  const minute = 60_000;
  const queries = listMembers(params, 'MetricDataQueries').map((key) => {
    const dimensions: Record<string, string> = {};
    for (const member of listMembers(params, `${key}.MetricStat.Metric.Dimensions`)) dimensions[params.get(`${member}.Name`) ?? ''] = params.get(`${member}.Value`) ?? '';
    return {
      id: params.get(`${key}.Id`) ?? '',
      label: params.get(`${key}.Label`),
      expression: params.get(`${key}.Expression`),
      returnData: params.get(`${key}.ReturnData`) !== 'false',
      stat: params.has(`${key}.MetricStat.Stat`)
        ? { namespace: params.get(`${key}.MetricStat.Metric.Namespace`) ?? '', metricName: params.get(`${key}.MetricStat.Metric.MetricName`) ?? '', dimensions, stat: params.get(`${key}.MetricStat.Stat`) ?? '', period: Number(params.get(`${key}.MetricStat.Period`) ?? '60') }
        : undefined,
    };
  });
  const series = new Map<string, Series>();
  const recorded: NonNullable<AwsCall['queries']>[number][] = [];
  const stamps = new Set<number>();
  for (const query of queries) {
    if (!query.stat) continue;
    const target = query.stat.namespace === 'AWS/ApplicationELB' ? matchDimensions(query.stat.dimensions, model) : undefined;
    const points = new Map<number, number>();
    if (target) {
      const period = Math.max(60, query.stat.period) * 1000;
      for (let t = Math.floor(start / minute) * minute; t < end; t += period) {
        const value = metrics(query.stat, target, t);
        if (value !== undefined) {
          points.set(t, value);
          stamps.add(t);
        }
      }
    }
    series.set(query.id, points);
    recorded.push({ id: query.id, dimensions: query.stat.dimensions, matched: target !== undefined, points: points.size });
  }
  const timestamps = [...stamps].sort((a, b) => a - b);
  for (const query of queries) if (query.expression) series.set(query.id, evaluateMetricMath(query.expression, series, timestamps));
  const results = queries
    .filter((q) => q.returnData)
    .map((q) => {
      // TimestampDescending, CloudWatch's default order.
      const points = [...(series.get(q.id) ?? new Map<number, number>())].sort(([a], [b]) => b - a);
      return { Id: q.id, Label: q.label ?? q.id, StatusCode: 'Complete', Timestamps: points.map(([t]) => new Date(t).toISOString()), Values: points.map(([, v]) => v) };
    });
  return { status: 200, body: queryResponse(action, CLOUDWATCH_NAMESPACE, { MetricDataResults: results, Messages: [] }), call: { queries: recorded } };
}

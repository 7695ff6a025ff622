import { afterEach, describe, expect, it } from 'vitest';
import { albModel, loadBalancerDimension, targetGroupDimension, type IngressView } from '../../src/local-cluster/aws/alb-model.js';
import { matchDimensions, startAwsEndpoints, type AwsEndpoints, type MetricSource } from '../../src/local-cluster/aws/aws-endpoints.js';
import { evaluateMetricMath } from '../../src/local-cluster/aws/metric-math.js';
import { listMembers, parseQueryBody, signedService } from '../../src/local-cluster/aws/query-protocol.js';

const account = { region: 'eu-west-1', account: '123456789012' };
const ports = () => new Map([['http', 8080]]);

function ingress(namespace: string, weight?: number): IngressView {
  const annotations: Record<string, string> = { 'alb.ingress.kubernetes.io/group.name': 'learning-platform', 'alb.ingress.kubernetes.io/scheme': 'internet-facing' };
  if (weight !== undefined) {
    annotations[`alb.ingress.kubernetes.io/actions.${namespace}`] = JSON.stringify({
      Type: 'forward',
      ForwardConfig: { TargetGroups: [{ ServiceName: `${namespace}-canary`, ServicePort: '8080', Weight: weight }, { ServiceName: namespace, ServicePort: '8080', Weight: 100 - weight }] },
    });
  }
  return {
    metadata: { name: namespace, namespace, annotations },
    spec: { ingressClassName: 'alb', rules: [{ host: `${namespace}.example.com`, http: { paths: [{ path: '/', backend: { service: { name: namespace, port: { name: 'use-annotation' } } } }] } }] },
  };
}

/** What argo-rollouts v1.9.0 writes into status.alb (rollout/trafficrouting/alb/alb.go, the FullName lines). */
const controllerFullNames = (lbArn: string, tgArn: string) => ({ loadBalancer: lbArn.split('/').slice(2).join('/'), targetGroup: tgArn.split('/').slice(1).join('/') });

describe('the ALB model (the AWS Load Balancer Controller stand-in)', () => {
  it('builds one ALB per IngressGroup with ARNs, tags and weights as AWS forms them', () => {
    const model = albModel([ingress('frontend', 10), ingress('user-service', 0)], account, ports);
    expect(model.loadBalancers).toHaveLength(1);
    const [lb] = model.loadBalancers;
    expect(lb!.arn).toMatch(/^arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer\/app\/k8s-learningplatform-[0-9a-f]{10}\/[0-9a-f]{16}$/);
    expect(lb!.dnsName).toMatch(/^k8s-learningplatform-[0-9a-f]{10}-\d{10}\.eu-west-1\.elb\.amazonaws\.com$/);
    expect(model.targetGroups.map((tg) => tg.resourceId)).toEqual(['frontend/frontend-frontend-canary:8080', 'frontend/frontend-frontend:8080', 'user-service/user-service-user-service-canary:8080', 'user-service/user-service-user-service:8080']);
    expect(model.targetGroups[0]!.arn).toMatch(/^arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup\/k8s-frontend-frontend-[0-9a-f]{10}\/[0-9a-f]{16}$/);
    expect(lb!.rules.find((r) => r.host === 'frontend.example.com')!.targets.map((t) => t.weight)).toEqual([10, 90]);
  });

  it('has no rule for an Ingress whose action annotation is not written yet', () => {
    expect(albModel([ingress('frontend')], account, ports).loadBalancers[0]!.rules).toEqual([]);
  });

  it('dimensions that match nothing: the controller status fields without the prefixes name no metric; with app/ and targetgroup/ they do', () => {
    const model = albModel([ingress('frontend', 10)], account, ports);
    const lb = model.loadBalancers[0]!;
    const canary = model.targetGroups.find((tg) => tg.service === 'frontend-canary')!;
    const status = controllerFullNames(lb.arn, canary.arn);
    expect(matchDimensions({ LoadBalancer: status.loadBalancer, TargetGroup: status.targetGroup }, model)).toBeUndefined();
    expect(matchDimensions({ LoadBalancer: `app/${status.loadBalancer}`, TargetGroup: `targetgroup/${status.targetGroup}` }, model)).toEqual({ loadBalancerArn: lb.arn, targetGroup: { arn: canary.arn, namespace: 'frontend', service: 'frontend-canary' } });
    expect(`app/${status.loadBalancer}`).toBe(loadBalancerDimension(lb.arn));
    expect(`targetgroup/${status.targetGroup}`).toBe(targetGroupDimension(canary.arn));
    // A target group of another ALB, or a dimension set no ALB metric has, matches nothing either.
    expect(matchDimensions({ TargetGroup: targetGroupDimension(canary.arn) }, model)).toBeUndefined();
  });
});

describe('metric math', () => {
  it('FILL gives missing minutes a value; a division keeps the minutes both series have', () => {
    const errors = new Map([[2, 5]]);
    const requests = new Map([[1, 100], [2, 50]]);
    expect([...evaluateMetricMath('FILL(errors, 0) / requests', new Map([['errors', errors], ['requests', requests]]), [1, 2])]).toEqual([[1, 0], [2, 0.1]]);
    expect([...evaluateMetricMath('errors / requests', new Map([['errors', errors], ['requests', requests]]), [1, 2])]).toEqual([[2, 0.1]]);
    expect(() => evaluateMetricMath('ANOMALY_DETECTION_BAND(errors)', new Map([['errors', errors]]), [])).toThrow(/unsupported|unknown/);
  });
});

describe('the Query protocol', () => {
  it('reads lists as member.N and the service a SigV4 header signs for', () => {
    const params = parseQueryBody('Action=DescribeTags&ResourceArns.member.1=a&ResourceArns.member.2=b');
    expect(listMembers(params, 'ResourceArns').map((key) => params.get(key))).toEqual(['a', 'b']);
    expect(signedService('AWS4-HMAC-SHA256 Credential=AKID/20261208/eu-west-1/monitoring/aws4_request, SignedHeaders=host, Signature=00')).toBe('monitoring');
  });
});

describe('the local endpoints over HTTP', () => {
  let endpoints: AwsEndpoints | undefined;
  afterEach(async () => {
    await endpoints?.close();
    endpoints = undefined;
  });
  const sign = (service: string) => ({ authorization: `AWS4-HMAC-SHA256 Credential=AKIAREHEARSAL0000000/20261208/eu-west-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=00`, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' });
  const post = async (url: string, service: string, body: Record<string, string>) => {
    const response = await fetch(url, { method: 'POST', headers: sign(service), body: new URLSearchParams(body).toString() });
    return { status: response.status, text: await response.text() };
  };

  it('GetMetricData answers the canary target group of a real ALB, minute by minute, newest first, and nothing for other dimensions', async () => {
    const metrics: MetricSource = (query, target) => (target.targetGroup?.service === 'frontend-canary' ? (query.metricName === 'RequestCount' ? 100 : 2) : undefined);
    endpoints = await startAwsEndpoints({ ...account, ingresses: async () => [ingress('frontend', 10)], servicePorts: async () => ports, metrics });
    const model = await endpoints.model();
    const canary = model.targetGroups.find((tg) => tg.service === 'frontend-canary')!;
    const query = (index: number, id: string, metric: string, dimensions: [string, string][], returnData: boolean) => ({
      [`MetricDataQueries.member.${index}.Id`]: id,
      [`MetricDataQueries.member.${index}.MetricStat.Metric.Namespace`]: 'AWS/ApplicationELB',
      [`MetricDataQueries.member.${index}.MetricStat.Metric.MetricName`]: metric,
      ...Object.fromEntries(dimensions.flatMap(([name, value], d) => [[`MetricDataQueries.member.${index}.MetricStat.Metric.Dimensions.member.${d + 1}.Name`, name], [`MetricDataQueries.member.${index}.MetricStat.Metric.Dimensions.member.${d + 1}.Value`, value]])),
      [`MetricDataQueries.member.${index}.MetricStat.Period`]: '60',
      [`MetricDataQueries.member.${index}.MetricStat.Stat`]: 'Sum',
      [`MetricDataQueries.member.${index}.ReturnData`]: String(returnData),
    });
    const real: [string, string][] = [['LoadBalancer', loadBalancerDimension(model.loadBalancers[0]!.arn)], ['TargetGroup', targetGroupDimension(canary.arn)]];
    const end = Date.parse('2026-12-08T01:05:30Z');
    const answer = await post(endpoints.cloudWatchUrl, 'monitoring', {
      Action: 'GetMetricData',
      Version: '2010-08-01',
      StartTime: new Date(end - 5 * 60_000).toISOString(),
      EndTime: new Date(end).toISOString(),
      'MetricDataQueries.member.1.Id': 'rate',
      'MetricDataQueries.member.1.Expression': 'FILL(errors, 0) / requests',
      ...query(2, 'errors', 'HTTPCode_Target_5XX_Count', real, false),
      ...query(3, 'requests', 'RequestCount', real, false),
      ...query(4, 'stripped', 'RequestCount', real.map(([n, v]) => [n, v.replace(/^(app|targetgroup)\//, '')]), true),
    });
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('<GetMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><GetMetricDataResult><MetricDataResults>');
    expect(answer.text).toContain('<member><Id>rate</Id><Label>rate</Label><StatusCode>Complete</StatusCode><Timestamps><member>2026-12-08T01:05:00.000Z</member>');
    expect(answer.text.match(/<Id>rate<\/Id>.*?<Values>(.*?)<\/Values>/)![1]).toBe('<member>0.02</member>'.repeat(6));
    expect(answer.text).toContain('<member><Id>stripped</Id><Label>stripped</Label><StatusCode>Complete</StatusCode><Timestamps></Timestamps><Values></Values></member>');
    expect(endpoints.calls.at(-1)!.queries!.map((q) => [q.id, q.matched])).toEqual([['errors', true], ['requests', true], ['stripped', false]]);
  });

  it('ELBv2 describes the ALB, its target groups, tags and weighted rules; a request signed for another service is refused', async () => {
    endpoints = await startAwsEndpoints({ ...account, ingresses: async () => [ingress('frontend', 25)], servicePorts: async () => ports, metrics: () => undefined });
    const lbs = await post(endpoints.elbv2Url, 'elasticloadbalancing', { Action: 'DescribeLoadBalancers', Version: '2015-12-01', PageSize: '400' });
    const lbArn = /<LoadBalancerArn>(.*?)<\/LoadBalancerArn>/.exec(lbs.text)![1]!;
    const listeners = await post(endpoints.elbv2Url, 'elasticloadbalancing', { Action: 'DescribeListeners', Version: '2015-12-01', LoadBalancerArn: lbArn });
    const listenerArn = /<ListenerArn>(.*?)<\/ListenerArn>/.exec(listeners.text)![1]!;
    const rules = await post(endpoints.elbv2Url, 'elasticloadbalancing', { Action: 'DescribeRules', Version: '2015-12-01', ListenerArn: listenerArn });
    expect([...rules.text.matchAll(/<Weight>(\d+)<\/Weight>/g)].map((m) => m[1])).toEqual(['25', '75']);
    const tgs = await post(endpoints.elbv2Url, 'elasticloadbalancing', { Action: 'DescribeTargetGroups', Version: '2015-12-01', LoadBalancerArn: lbArn });
    const tgArn = /<TargetGroupArn>(.*?)<\/TargetGroupArn>/.exec(tgs.text)![1]!;
    const tags = await post(endpoints.elbv2Url, 'elasticloadbalancing', { Action: 'DescribeTags', Version: '2015-12-01', 'ResourceArns.member.1': tgArn });
    expect(tags.text).toContain('<Key>ingress.k8s.aws/resource</Key><Value>frontend/frontend-frontend-canary:8080</Value>');
    expect((await post(endpoints.elbv2Url, 'monitoring', { Action: 'DescribeLoadBalancers' })).status).toBe(403);
  });
});

import { describe, expect, it } from 'vitest';
import { buildAppChart } from '../../src/charts/app-chart.js';
import { loadPlatform } from '../../src/inputs/platform.js';
import type { Service } from '../../src/inputs/services.js';
import { synthChart, type Manifest } from '../../src/render/manifest-files.js';
import { repoRoot } from '../support/temp-repo.js';

const platform = await loadPlatform(repoRoot);
const clusterNamed = (name: string) => platform.clusters.find((c) => c.cluster.name === name)!;

function render(clusterName: string, serviceName: string, change: (s: Service) => Service = (s) => s): Manifest[] {
  const { cluster, services } = clusterNamed(clusterName);
  const service = change(services.find((s) => s.name === serviceName)!);
  return synthChart((chart) => buildAppChart(chart, service, { cluster, services }));
}

const find = (manifests: Manifest[], kind: string, name?: string) => manifests.find((m) => m.kind === kind && (!name || m.metadata.name === name)) as any;
/** The service's workload: its Deployment, or its Rollout when it releases as a canary (same pod template). */
const workload = (manifests: Manifest[]) => find(manifests, 'Deployment') ?? find(manifests, 'Rollout');

describe('app chart', () => {
  it('runs pods under the restricted Pod Security profile', () => {
    const deployment = workload(render('production', 'payment-service'));
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.automountServiceAccountToken).toBe(false);
    for (const container of pod.containers) {
      expect(container.securityContext).toMatchObject({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
    }
  });

  it('labels the namespace for restricted Pod Security admission', () => {
    const namespace = find(render('staging', 'frontend'), 'Namespace');
    expect(namespace.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
  });

  it('selects pods by app name only; no construct-address label anywhere', () => {
    const manifests = render('production', 'user-service');
    const deployment = workload(manifests);
    expect(deployment.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'user-service' } });
    expect(find(manifests, 'Service').spec.selector).toEqual({ 'app.kubernetes.io/name': 'user-service' });
    expect(find(manifests, 'PodDisruptionBudget').spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'user-service' } });
    expect(JSON.stringify(manifests)).not.toContain('cdk8s.io/metadata.addr');
    expect(JSON.stringify(manifests)).not.toMatch(/-c[0-9a-f]{7}/);
  });

  it('has requests, limits and all three probes', () => {
    const container = workload(render('production', 'course-service')).spec.template.spec.containers[0];
    expect(container.resources).toEqual({ requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1000m', memory: '512Mi' } });
    expect(container.readinessProbe.httpGet).toMatchObject({ path: '/health/ready', port: 8080 });
    expect(container.livenessProbe).toMatchObject({ httpGet: { path: '/health/live' }, periodSeconds: 20 });
    expect(container.startupProbe).toMatchObject({ failureThreshold: 30, periodSeconds: 5 });
  });

  it('leaves spec.replicas to the HPA when autoscaling is set', () => {
    const manifests = render('production', 'frontend');
    expect(workload(manifests).spec.replicas).toBeUndefined();
    expect(find(manifests, 'HorizontalPodAutoscaler')).toMatchObject({ apiVersion: 'autoscaling/v2', spec: { minReplicas: 3, maxReplicas: 12 } });
  });

  it('renders a PodDisruptionBudget only with more than one replica', () => {
    expect(find(render('staging', 'user-service'), 'PodDisruptionBudget')).toBeDefined();
    expect(find(render('staging', 'user-service', (s) => ({ ...s, replicas: 1 })), 'PodDisruptionBudget')).toBeUndefined();
    // frontend autoscales from 1 in staging
    expect(find(render('staging', 'frontend'), 'PodDisruptionBudget')).toBeUndefined();
  });

  it('rolls out without lowering capacity', () => {
    expect(find(render('staging', 'user-service'), 'Deployment').spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
  });

  it('spreads pods across zones and annotates the IRSA role on EKS only', () => {
    const eks = render('production', 'payment-service');
    expect(workload(eks).spec.template.spec.topologySpreadConstraints[0].topologyKey).toBe('topology.kubernetes.io/zone');
    expect(find(eks, 'ServiceAccount').metadata.annotations['eks.amazonaws.com/role-arn']).toMatch(/^arn:aws:iam::\d{12}:role\//);
    const k3s = render('staging', 'payment-service');
    expect(workload(k3s).spec.template.spec.topologySpreadConstraints).toBeUndefined();
    expect(find(k3s, 'ServiceAccount').metadata.annotations).toBeUndefined();
    expect(find(k3s, 'ServiceAccount').automountServiceAccountToken).toBe(false);
  });

  it('routes through ALB with certificate, WAF, Shield and ExternalDNS on EKS, Traefik on k3s', () => {
    const alb = find(render('production', 'payment-service'), 'Ingress');
    expect(alb.spec.ingressClassName).toBe('alb');
    expect(Object.keys(alb.metadata.annotations)).toEqual(
      expect.arrayContaining([
        'alb.ingress.kubernetes.io/certificate-arn',
        'alb.ingress.kubernetes.io/wafv2-acl-arn',
        'alb.ingress.kubernetes.io/shield-advanced-protection',
        'alb.ingress.kubernetes.io/ssl-redirect',
        'external-dns.alpha.kubernetes.io/hostname',
      ]),
    );
    const traefik = find(render('staging', 'payment-service'), 'Ingress');
    expect(traefik.spec.ingressClassName).toBe('traefik');
    expect(traefik.spec.rules[0].host).toBe('api.staging.learning-platform.example.com');
    expect(JSON.stringify(traefik)).not.toContain('alb.ingress');
  });

  it('denies by default and opens only the ingress controller, declared callers, callees and DNS', () => {
    const manifests = render('staging', 'notification-service');
    expect(find(manifests, 'NetworkPolicy', 'default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const allow = find(manifests, 'NetworkPolicy', 'notification-service').spec;
    const callers = allow.ingress.map((rule: any) => rule.from[0].podSelector.matchLabels['app.kubernetes.io/name']);
    expect(callers).toEqual(['user-service', 'course-service', 'payment-service']);
    // notification-service has no ingress route and calls no other service: DNS only.
    expect(allow.egress).toHaveLength(1);
    expect(allow.egress[0].ports).toEqual([
      { port: 53, protocol: 'UDP' },
      { port: 53, protocol: 'TCP' },
    ]);
    const frontendEgress = find(render('staging', 'frontend'), 'NetworkPolicy', 'frontend').spec.egress;
    expect(frontendEgress.map((rule: any) => rule.to[0].namespaceSelector?.matchLabels['kubernetes.io/metadata.name'])).toEqual([
      'kube-system',
      'course-service',
      'payment-service',
      'user-service',
    ]);
  });

  it('keeps secrets out: secret env becomes an ExternalSecret reference, plain env a ConfigMap', () => {
    const manifests = render('production', 'payment-service');
    expect(manifests.some((m) => m.kind === 'Secret')).toBe(false);
    const externalSecret = find(manifests, 'ExternalSecret');
    expect(externalSecret.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'aws-secrets-manager' });
    expect(externalSecret.spec.data).toEqual([
      { secretKey: 'STRIPE_API_KEY', remoteRef: { key: 'learning-platform/payment-service/stripe', property: 'api_key' } },
      { secretKey: 'STRIPE_WEBHOOK_SECRET', remoteRef: { key: 'learning-platform/payment-service/stripe', property: 'webhook_secret' } },
    ]);
    expect(find(manifests, 'ConfigMap').data).toEqual({ LOG_LEVEL: 'info', STRIPE_API_BASE: 'https://api.stripe.com' });
    const envFrom = workload(manifests).spec.template.spec.containers[0].envFrom;
    expect(envFrom).toEqual([{ configMapRef: { name: 'payment-service-env' } }, { secretRef: { name: 'payment-service-env' } }]);
  });

  it('rolls pods when a plain env value changes', () => {
    const checksum = (m: Manifest[]) => workload(m).spec.template.metadata.annotations['learning-platform.io/env-checksum'];
    const before = checksum(render('staging', 'user-service'));
    const after = checksum(render('staging', 'user-service', (s) => ({ ...s, env: { ...s.env, LOG_LEVEL: 'warn' } })));
    expect(after).not.toBe(before);
  });
});

describe('app chart: progressive delivery (Argo Rollouts)', () => {
  it('renders a production service with an ingress as a canary Rollout with ALB traffic routing and analysis after every step', () => {
    const manifests = render('production', 'user-service');
    expect(find(manifests, 'Deployment')).toBeUndefined();
    const rollout = find(manifests, 'Rollout');
    expect(rollout.apiVersion).toBe('argoproj.io/v1alpha1');
    expect(rollout.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'user-service' } });
    expect(rollout.spec.replicas).toBe(3);
    const canary = rollout.spec.strategy.canary;
    expect(canary).toMatchObject({ stableService: 'user-service', canaryService: 'user-service-canary', maxUnavailable: 0, trafficRouting: { alb: { ingress: 'user-service', servicePort: 8080 } } });
    const analysis = {
      analysis: {
        templates: [{ templateName: 'user-service-canary' }],
        args: [
          { name: 'load-balancer', valueFrom: { fieldRef: { fieldPath: 'status.alb.loadBalancer.fullName' } } },
          { name: 'canary-target-group', valueFrom: { fieldRef: { fieldPath: 'status.alb.canaryTargetGroup.fullName' } } },
        ],
      },
    };
    expect(canary.steps).toEqual([10, 25, 50].flatMap((weight) => [{ setWeight: weight }, { pause: { duration: '5m' } }, analysis]));
    // The pod template is the cdk8s-plus one, probe ports included.
    expect(rollout.spec.template.spec.containers[0].readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 8080, scheme: 'HTTP' });
    expect(rollout.spec.progressDeadlineAbort).toBe(true);
  });

  it('wires the stable and canary Services, the ALB action, the analysis, the PDB and the HPA to the Rollout', () => {
    const manifests = render('production', 'frontend');
    expect(find(manifests, 'Service', 'frontend-canary').spec.selector).toEqual(find(manifests, 'Service', 'frontend').spec.selector);
    const backend = find(manifests, 'Ingress').spec.rules[0].http.paths[0].backend;
    expect(backend).toEqual({ service: { name: 'frontend', port: { name: 'use-annotation' } } });
    expect(find(manifests, 'HorizontalPodAutoscaler').spec.scaleTargetRef).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'frontend' });
    expect(find(manifests, 'PodDisruptionBudget').spec.selector).toEqual(find(manifests, 'Rollout').spec.selector);
    const template = find(manifests, 'AnalysisTemplate', 'frontend-canary');
    expect(template.spec.args).toEqual([{ name: 'load-balancer' }, { name: 'canary-target-group' }]);
    const [requests, errorRate, latency] = template.spec.metrics;
    // Too little traffic is neither success nor failure (Inconclusive: the Rollout pauses for a person).
    expect(requests).toMatchObject({ name: 'requests', interval: '1m', count: 3, successCondition: 'sum(result[0].Values) >= 100', failureCondition: 'false' });
    expect(requests.provider.cloudWatch.metricDataQueries).toEqual([
      expect.objectContaining({ id: 'requests', returnData: true, metricStat: expect.objectContaining({ stat: 'Sum', metric: expect.objectContaining({ metricName: 'RequestCount' }) }) }),
    ]);
    expect(errorRate).toMatchObject({ name: 'error-rate', interval: '1m', count: 3, failureLimit: 0, successCondition: 'all(result[0].Values, {# <= 0.01})' });
    expect(errorRate.failureCondition).toBeUndefined();
    const queries = errorRate.provider.cloudWatch.metricDataQueries;
    expect(queries.map((q: any) => q.metricStat?.metric.metricName ?? q.expression)).toEqual(['FILL(errors, 0) / requests', 'HTTPCode_Target_5XX_Count', 'RequestCount']);
    // CloudWatch's dimensions are the ARNs' last portions, prefixes included; the controller's status leaves the prefixes out.
    for (const query of [...queries.slice(1), ...requests.provider.cloudWatch.metricDataQueries, ...latency.provider.cloudWatch.metricDataQueries]) {
      expect(query.metricStat.metric.dimensions).toEqual([
        { name: 'LoadBalancer', value: 'app/{{args.load-balancer}}' },
        { name: 'TargetGroup', value: 'targetgroup/{{args.canary-target-group}}' },
      ]);
    }
    expect(latency).toMatchObject({ name: 'p95-latency', successCondition: 'all(result[0].Values, {# <= 0.5})' });
    expect(latency.provider.cloudWatch.metricDataQueries[0].metricStat).toMatchObject({ stat: 'p95', metric: { namespace: 'AWS/ApplicationELB', metricName: 'TargetResponseTime' } });
  });

  it('takes the steps and thresholds from the rollout input, and no analysis when it is turned off', () => {
    const withSteps = (analysis: boolean) => (s: Service): Service => ({
      ...s,
      rollout: {
        strategy: 'canary',
        steps: [{ weight: 20, pause: '90s' }, { weight: 60, pause: '1h' }],
        ...(analysis ? { analysis: { maxErrorRatePercent: 2.5, maxP95LatencyMs: 800, minRequests: 40, interval: '2m', measurements: 5, failureLimit: 1 } } : {}),
      },
    });
    const manifests = render('production', 'course-service', withSteps(true));
    const steps = find(manifests, 'Rollout').spec.strategy.canary.steps;
    expect(steps.filter((step: any) => step.setWeight).map((step: any) => step.setWeight)).toEqual([20, 60]);
    expect(steps.filter((step: any) => step.pause).map((step: any) => step.pause.duration)).toEqual(['90s', '1h']);
    const [requests, errorRate] = find(manifests, 'AnalysisTemplate').spec.metrics;
    expect(requests).toMatchObject({ interval: '2m', count: 5, failureLimit: 1, successCondition: 'sum(result[0].Values) >= 40', failureCondition: 'false' });
    expect(errorRate).toMatchObject({ interval: '2m', count: 5, failureLimit: 1, successCondition: 'all(result[0].Values, {# <= 0.025})' });
    const bare = render('production', 'course-service', withSteps(false));
    expect(find(bare, 'AnalysisTemplate')).toBeUndefined();
    expect(find(bare, 'Rollout').spec.strategy.canary.steps.some((step: any) => step.analysis)).toBe(false);
  });

  it('keeps a Deployment for a rolling update: production services without an ingress, or strategy rolling', () => {
    const internal = render('production', 'notification-service');
    expect(find(internal, 'Rollout')).toBeUndefined();
    expect(find(internal, 'Deployment')).toBeDefined();
    const rolling = render('production', 'user-service', (s) => ({ ...s, rollout: { strategy: 'rolling' } }));
    expect(find(rolling, 'Rollout')).toBeUndefined();
    expect(find(rolling, 'Service', 'user-service-canary')).toBeUndefined();
    expect(find(rolling, 'Ingress').spec.rules[0].http.paths[0].backend.service.port).toEqual({ number: 8080 });
  });

  it('shifts staging by replica counts: no stable Service, no ALB; the HPA scales the Rollout', () => {
    const manifests = render('staging', 'frontend');
    const canary = find(manifests, 'Rollout').spec.strategy.canary;
    expect(canary.stableService).toBeUndefined();
    expect(canary.trafficRouting).toBeUndefined();
    expect(canary.canaryService).toBe('frontend-canary');
    expect(canary.steps).toEqual([
      { setWeight: 50 },
      { pause: { duration: '2m' } },
      { analysis: { templates: [{ templateName: 'frontend-canary' }], args: [{ name: 'revision', valueFrom: { podTemplateHashValue: 'Latest' } }] } },
    ]);
    expect(find(manifests, 'HorizontalPodAutoscaler').spec.scaleTargetRef.kind).toBe('Rollout');
    expect(find(manifests, 'Ingress').spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'frontend', port: { number: 8080 } });
  });

  it('analyses a staging canary with the integration tests as a restricted Job against the canary Service, network paths both ways', () => {
    const manifests = render('staging', 'frontend');
    const metric = find(manifests, 'AnalysisTemplate', 'frontend-canary').spec.metrics[0];
    expect(metric).toMatchObject({ name: 'integration-tests', failureLimit: 0 });
    const job = metric.provider.job.spec;
    expect(job).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 1800 });
    const pod = job.template.spec;
    expect(pod).toMatchObject({ restartPolicy: 'Never', automountServiceAccountToken: false, securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } });
    const container = pod.containers[0];
    expect(container.image).toBe('123456789012.dkr.ecr.eu-west-1.amazonaws.com/learning-platform/integration-tests:1.4.0');
    expect(container.env).toContainEqual({ name: 'BASE_URL', value: 'http://frontend-canary.frontend.svc.cluster.local:8080' });
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(container.resources).toEqual({ requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } });
    const own = find(manifests, 'NetworkPolicy', 'frontend-canary-analysis');
    expect(own.spec.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'frontend-canary-analysis' } });
    expect(own.spec.ingress).toBeUndefined();
    expect(own.spec.egress[1].ports).toEqual([{ port: 8080, protocol: 'TCP' }]);
    const service = find(manifests, 'NetworkPolicy', 'frontend');
    expect(service.spec.ingress).toContainEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'frontend' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'frontend-canary-analysis' } } }],
      ports: [{ port: 8080, protocol: 'TCP' }],
    });
  });
});

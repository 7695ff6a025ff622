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

describe('app chart', () => {
  it('runs pods under the restricted Pod Security profile', () => {
    const deployment = find(render('production', 'payment-service'), 'Deployment');
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
    const deployment = find(manifests, 'Deployment');
    expect(deployment.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'user-service' } });
    expect(find(manifests, 'Service').spec.selector).toEqual({ 'app.kubernetes.io/name': 'user-service' });
    expect(find(manifests, 'PodDisruptionBudget').spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'user-service' } });
    expect(JSON.stringify(manifests)).not.toContain('cdk8s.io/metadata.addr');
    expect(JSON.stringify(manifests)).not.toMatch(/-c[0-9a-f]{7}/);
  });

  it('has requests, limits and all three probes', () => {
    const container = find(render('production', 'course-service'), 'Deployment').spec.template.spec.containers[0];
    expect(container.resources).toEqual({ requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1000m', memory: '512Mi' } });
    expect(container.readinessProbe.httpGet).toMatchObject({ path: '/health/ready', port: 8080 });
    expect(container.livenessProbe).toMatchObject({ httpGet: { path: '/health/live' }, periodSeconds: 20 });
    expect(container.startupProbe).toMatchObject({ failureThreshold: 30, periodSeconds: 5 });
  });

  it('leaves spec.replicas to the HPA when autoscaling is set', () => {
    const manifests = render('production', 'frontend');
    expect(find(manifests, 'Deployment').spec.replicas).toBeUndefined();
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
    expect(find(eks, 'Deployment').spec.template.spec.topologySpreadConstraints[0].topologyKey).toBe('topology.kubernetes.io/zone');
    expect(find(eks, 'ServiceAccount').metadata.annotations['eks.amazonaws.com/role-arn']).toMatch(/^arn:aws:iam::\d{12}:role\//);
    const k3s = render('staging', 'payment-service');
    expect(find(k3s, 'Deployment').spec.template.spec.topologySpreadConstraints).toBeUndefined();
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
    const envFrom = find(manifests, 'Deployment').spec.template.spec.containers[0].envFrom;
    expect(envFrom).toEqual([{ configMapRef: { name: 'payment-service-env' } }, { secretRef: { name: 'payment-service-env' } }]);
  });

  it('rolls pods when a plain env value changes', () => {
    const checksum = (m: Manifest[]) => find(m, 'Deployment').spec.template.metadata.annotations['learning-platform.io/env-checksum'];
    const before = checksum(render('staging', 'user-service'));
    const after = checksum(render('staging', 'user-service', (s) => ({ ...s, env: { ...s.env, LOG_LEVEL: 'warn' } })));
    expect(after).not.toBe(before);
  });
});

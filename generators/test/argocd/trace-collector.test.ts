/**
 * Traces reach the collector: on a cluster that runs the ADOT collector, the rendered
 * NetworkPolicies let every service's pods send OTLP to it (egress from the service, ingress into
 * the collector's namespace), and the services carry the standard OpenTelemetry variables.
 */
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { planArgoCd } from '../../src/argocd/plan.js';
import { otlpPorts, traceCollectorOf } from '../../src/argocd/trace-collector.js';
import { buildAppChart } from '../../src/charts/app-chart.js';
import { synthChart } from '../../src/render/manifest-files.js';
import { renderExample } from './support.js';

type Labels = Record<string, string>;
interface Peer {
  namespaceSelector?: { matchLabels?: Labels };
  podSelector?: { matchLabels?: Labels };
  ipBlock?: unknown;
}
interface Rule {
  from?: Peer[];
  to?: Peer[];
  ports?: { port: number; protocol?: string }[];
}
interface Policy {
  metadata: { namespace: string };
  spec: { podSelector: { matchLabels?: Labels }; policyTypes: string[]; ingress?: Rule[]; egress?: Rule[] };
}
interface Pod {
  readonly namespace: string;
  readonly labels: Labels;
}

/** Every document of one rendered cluster, by kind. */
async function renderedObjects(cluster: string): Promise<{ kind: string; metadata: { name: string; namespace?: string; labels?: Labels }; [key: string]: unknown }[]> {
  const { tree } = await renderExample();
  return tree.get(cluster)!.flatMap((file) => (file.path.endsWith('.yaml') ? parseAllDocuments(file.content).map((doc) => doc.toJS()).filter(Boolean) : []));
}

const selects = (selector: { matchLabels?: Labels } | undefined, labels: Labels) => Object.entries(selector?.matchLabels ?? {}).every(([key, value]) => labels[key] === value);

/**
 * Whether the NetworkPolicies allow TCP `port` from `source` to `target`, as Kubernetes judges it
 * (matchLabels selectors; namespaces carry their `kubernetes.io/metadata.name` label): allowed out
 * of the source unless a policy isolating its pods for egress has no rule for it, and likewise in.
 */
function allows(policies: readonly Policy[], source: Pod, target: Pod, port: number): boolean {
  const matches = (peer: Peer, policyNamespace: string, pod: Pod) => {
    if (peer.ipBlock) return false;
    const namespaceOk = peer.namespaceSelector ? selects(peer.namespaceSelector, { 'kubernetes.io/metadata.name': pod.namespace }) : pod.namespace === policyNamespace;
    return namespaceOk && selects(peer.podSelector, pod.labels);
  };
  const ruleAllows = (rule: Rule, peers: Peer[] | undefined, policyNamespace: string, other: Pod) =>
    (peers === undefined || peers.some((peer) => matches(peer, policyNamespace, other))) &&
    (rule.ports === undefined || rule.ports.some((p) => p.port === port && (p.protocol ?? 'TCP') === 'TCP'));
  const direction = (pod: Pod, type: 'Egress' | 'Ingress', other: Pod) => {
    const isolating = policies.filter((p) => p.metadata.namespace === pod.namespace && p.spec.policyTypes.includes(type) && selects(p.spec.podSelector, pod.labels));
    if (isolating.length === 0) return true;
    return isolating.some((p) => (type === 'Egress' ? p.spec.egress : p.spec.ingress)?.some((rule) => ruleAllows(rule, type === 'Egress' ? rule.to : rule.from, p.metadata.namespace, other)));
  };
  return direction(source, 'Egress', target) && direction(target, 'Ingress', source);
}

describe('traces reach the collector', () => {
  it('Pass when every service of a cluster that runs the collector may send OTLP (4317, 4318) to its pods, and no other port is opened', async () => {
    const { platform } = await renderExample();
    const production = platform.clusters.find((c) => c.cluster.name === 'production')!;
    const collector = traceCollectorOf(production.cluster)!;
    expect(collector).toBeDefined();
    const objects = await renderedObjects('production');
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy') as unknown as Policy[];
    // The chart's collector pods: its selector labels (name and release).
    const collectorPod: Pod = { namespace: collector.namespace, labels: { 'app.kubernetes.io/name': 'opentelemetry-collector', ...collector.podLabels } };
    expect(production.services.length).toBeGreaterThan(0);
    for (const service of production.services) {
      const deployment = objects.find((o) => (o.kind === 'Deployment' || o.kind === 'Rollout') && o.metadata.name === service.name) as { spec: { template: { metadata: { labels: Labels } } } } | undefined;
      const pod: Pod = { namespace: service.name, labels: deployment!.spec.template.metadata.labels };
      for (const port of [4317, 4318]) expect(allows(policies, pod, collectorPod, port), `${service.name} → collector :${port}`).toBe(true);
      expect(allows(policies, pod, collectorPod, 8888), `${service.name} → collector :8888`).toBe(false);
    }
  });

  it('Pass when each service gets the standard OpenTelemetry variables naming the collector Service and itself', async () => {
    const objects = await renderedObjects('production');
    const deployments = objects.filter((o) => (o.kind === 'Deployment' || o.kind === 'Rollout') && o.metadata.namespace === o.metadata.name);
    expect(deployments.length).toBeGreaterThan(0);
    for (const deployment of deployments) {
      const [container] = (deployment as unknown as { spec: { template: { spec: { containers: { env?: { name: string; value: string }[] }[] } } } }).spec.template.spec.containers;
      expect(Object.fromEntries((container!.env ?? []).map((e) => [e.name, e.value]))).toMatchObject({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://adot-collector-opentelemetry-collector.adot-collector.svc:4318',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_SERVICE_NAME: deployment.metadata.name,
      });
    }
  });

  it('Pass when a cluster without a collector gets neither the variables nor the egress', async () => {
    const objects = await renderedObjects('staging');
    expect(JSON.stringify(objects)).not.toMatch(/OTEL_|adot-collector|4317|4318/);
  });

  it("Pass when a service sets an OpenTelemetry variable itself: its value wins (container env would override envFrom)", async () => {
    const { platform } = await renderExample();
    const { cluster, services } = platform.clusters.find((c) => c.cluster.name === 'production')!;
    const service = services.find((s) => s.name === 'user-service')!;
    const manifests = synthChart((chart) => buildAppChart(chart, { ...service, env: { ...service.env, OTEL_SERVICE_NAME: 'users' } }, { cluster, services }));
    const container = (manifests.find((m) => m.kind === 'Deployment' || m.kind === 'Rollout') as unknown as { spec: { template: { spec: { containers: { env: { name: string }[] }[] } } } }).spec.template.spec.containers[0]!;
    expect(container.env.map((e) => e.name)).toEqual(['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_PROTOCOL']);
  });

  it('the collector the services target is the adot-collector add-on of exactly the clusters that run it', async () => {
    const { platform } = await renderExample();
    // At least one example cluster runs the collector, so the loop below checks something.
    expect(platform.clusters.some((c) => traceCollectorOf(c.cluster))).toBe(true);
    for (const clusterPlatform of platform.clusters) {
      const addon = planArgoCd(clusterPlatform, platform.addons).addons.find((a) => a.id === 'adot-collector');
      const collector = traceCollectorOf(clusterPlatform.cluster);
      expect(Boolean(collector), clusterPlatform.cluster.name).toBe(Boolean(addon));
      if (!collector || !addon) continue;
      expect(addon.namespace).toBe(collector.namespace);
      expect(addon.charts.map((c) => c.releaseName)).toEqual([collector.releaseName]);
      expect(addon.network?.servedToCluster).toEqual(otlpPorts(collector));
      expect(platform.addons.charts['adot-collector'].chart).toBe('opentelemetry-collector');
    }
  });
});

import type { Cluster } from '../inputs/clusters.js';

/**
 * The OTLP trace collector of a cluster: the `adot-collector` add-on (the opentelemetry-collector
 * chart running the ADOT image, `clusterAddons`), which receives the services' traces and sends
 * them to X-Ray. One place for where it runs and how the services reach it, so the add-on's
 * namespace policy, the services' egress and their OpenTelemetry environment agree.
 */
export interface TraceCollector {
  /** Namespace of the add-on (and of its Argo CD Application's destination). */
  readonly namespace: string;
  /** Helm release name of the chart. */
  readonly releaseName: string;
  /** Labels of the collector pods: the chart's selector labels carry the release name. */
  readonly podLabels: Readonly<Record<string, string>>;
  /** Cluster DNS name of the collector's Service. */
  readonly serviceHost: string;
  /** OTLP ports: gRPC and HTTP. */
  readonly ports: { readonly grpc: number; readonly http: number };
}

const releaseName = 'adot-collector';
/** The chart names its objects `<release>-<chart>` unless the release name contains the chart name. */
const chartName = 'opentelemetry-collector';
const namespace = 'adot-collector';

/** The `adot-collector` add-on as the services reach it. */
export const adotCollector: TraceCollector = {
  namespace,
  releaseName,
  podLabels: { 'app.kubernetes.io/instance': releaseName },
  serviceHost: `${releaseName.includes(chartName) ? releaseName : `${releaseName}-${chartName}`}.${namespace}.svc`,
  ports: { grpc: 4317, http: 4318 },
};

/** The collector the cluster runs: EKS clusters run the `adot-collector` add-on (`clusterAddons`), k3s clusters none. */
export function traceCollectorOf(cluster: Pick<Cluster, 'flavor'>): TraceCollector | undefined {
  return cluster.flavor === 'eks' ? adotCollector : undefined;
}

/** Every port the collector serves OTLP on. */
export function otlpPorts(target: TraceCollector): number[] {
  return [target.ports.grpc, target.ports.http];
}

/**
 * The standard OpenTelemetry SDK variables that send a service's traces to the collector without
 * code: OTLP over HTTP (the SDKs' default protocol) to the collector's Service, under the
 * service's name.
 */
export function otelEnvironment(target: TraceCollector, serviceName: string): Record<string, string> {
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://${target.serviceHost}:${target.ports.http}`,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_SERVICE_NAME: serviceName,
  };
}

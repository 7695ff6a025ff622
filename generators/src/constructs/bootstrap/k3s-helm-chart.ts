import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';

export interface K3sHelmChartProps {
  /** HelmChart name: also the Helm release name. */
  readonly name: string;
  readonly labels: Record<string, string>;
  /** `https://` Helm repository. */
  readonly repo: string;
  readonly chart: string;
  /** Exact chart version. */
  readonly version: string;
  /** Namespace the chart is installed into. */
  readonly targetNamespace: string;
  /** Helm values, serialized into `valuesContent`. */
  readonly valuesContent: string;
  /**
   * Create the target namespace when it does not exist.
   * @default true
   */
  readonly createNamespace?: boolean;
}

/**
 * A k3s HelmChart (helm.cattle.io/v1) in kube-system: the k3s helm-controller installs the chart
 * when the object appears, e.g. from the server's auto-deploy folder.
 */
export class K3sHelmChart extends Construct {
  constructor(scope: Construct, id: string, props: K3sHelmChartProps) {
    super(scope, id);
    if (!props.repo.startsWith('https://')) throw new Error(`HelmChart ${props.name}: repo must be an https:// Helm repository`);
    if (!/^[0-9]+\.[0-9]+\.[0-9]+/.test(props.version)) throw new Error(`HelmChart ${props.name}: version must be exact, got "${props.version}"`);
    new ApiObject(this, 'Resource', {
      apiVersion: 'helm.cattle.io/v1',
      kind: 'HelmChart',
      metadata: { name: props.name, namespace: 'kube-system', labels: props.labels },
      spec: {
        repo: props.repo,
        chart: props.chart,
        version: props.version,
        targetNamespace: props.targetNamespace,
        createNamespace: props.createNamespace ?? true,
        valuesContent: props.valuesContent,
      },
    });
  }
}

import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';

export interface AppServiceProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** Pod labels the Service selects; explicit, never a construct address. */
  readonly selector: Record<string, string>;
  /** Ports exposed with the same number as the container port, targeted by name. */
  readonly ports: readonly { name: string; port: number }[];
}

/** A ClusterIP Service in front of an app's pods. */
export class AppService extends Construct {
  constructor(scope: Construct, id: string, props: AppServiceProps) {
    super(scope, id);
    const service = new kplus.Service(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
      type: kplus.ServiceType.CLUSTER_IP,
      ports: props.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port, protocol: kplus.Protocol.TCP })),
    });
    for (const [key, value] of Object.entries(props.selector)) service.selectLabel(key, value);
  }
}

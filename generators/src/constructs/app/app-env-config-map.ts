import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';

export interface AppEnvConfigMapProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** Plain (non-secret) environment variables; written sorted by key. */
  readonly env: Readonly<Record<string, string>>;
}

/** The ConfigMap holding an app's plain environment variables. */
export class AppEnvConfigMap extends Construct {
  constructor(scope: Construct, id: string, props: AppEnvConfigMapProps) {
    super(scope, id);
    const data = Object.fromEntries(Object.entries(props.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    new kplus.ConfigMap(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
      data,
    });
  }
}

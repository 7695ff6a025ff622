import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { waveAnnotations } from './application-spec.js';

export type PodSecurityLevel = 'restricted' | 'baseline' | 'privileged';

export interface AddonNamespaceProps {
  readonly name: string;
  readonly labels: Record<string, string>;
  /**
   * Pod Security level enforced. Upstream charts that need host access (log and metric agents)
   * get `privileged`; the rest `baseline`.
   * @default 'baseline'
   */
  readonly enforce?: PodSecurityLevel;
  /**
   * Level audited and warned about, so the gap to `restricted` stays visible.
   * @default 'restricted'
   */
  readonly audit?: PodSecurityLevel;
  /** @default no wave */
  readonly syncWave?: number;
}

/** The namespace of an add-on, rendered (never created implicitly) so its Pod Security labels are reviewed. */
export class AddonNamespace extends Construct {
  constructor(scope: Construct, id: string, props: AddonNamespaceProps) {
    super(scope, id);
    const enforce = props.enforce ?? 'baseline';
    const audit = props.audit ?? 'restricted';
    new kplus.k8s.KubeNamespace(this, 'Resource', {
      metadata: {
        name: props.name,
        labels: {
          ...props.labels,
          'pod-security.kubernetes.io/enforce': enforce,
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/audit': audit,
          'pod-security.kubernetes.io/warn': audit,
        },
        annotations: waveAnnotations(props.syncWave),
      },
    });
  }
}

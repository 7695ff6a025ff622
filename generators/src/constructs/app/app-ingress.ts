import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';

/** AWS Load Balancer Controller settings (EKS). */
export interface AlbSettings {
  readonly certificateArn: string;
  readonly wafAclArn: string;
  readonly shieldAdvanced: boolean;
  readonly scheme: 'internet-facing' | 'internal';
  readonly groupName: string;
  readonly sslPolicy: string;
  /** Target group health check path (the readiness probe's). */
  readonly healthCheckPath?: string;
}

/** Traefik settings (k3s). */
export interface TraefikSettings {
  readonly entrypoint: string;
  readonly tlsSecretName?: string;
}

export interface AppIngressProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly host: string;
  readonly path: string;
  readonly serviceName: string;
  readonly servicePort: number;
  /**
   * The backend port is `use-annotation`: the forward action Argo Rollouts writes into the
   * `alb.ingress.kubernetes.io/actions.<serviceName>` annotation splits the traffic between the
   * stable and canary Services (EKS canary).
   * @default false
   */
  readonly rolloutManagedAction?: boolean;
  /** Which controller serves it: `alb` on EKS, `traefik` on k3s. */
  readonly controller: { readonly kind: 'alb'; readonly settings: AlbSettings } | { readonly kind: 'traefik'; readonly settings: TraefikSettings };
}

/**
 * The public route to an app. On EKS: class `alb` with the ACM certificate, WAF ACL, Shield
 * Advanced, HTTPS redirect and an ExternalDNS host name. On k3s: class `traefik` on HTTPS.
 */
export class AppIngress extends Construct {
  constructor(scope: Construct, id: string, props: AppIngressProps) {
    super(scope, id);
    const { controller } = props;
    const annotations: Record<string, string> =
      controller.kind === 'alb'
        ? {
            'alb.ingress.kubernetes.io/scheme': controller.settings.scheme,
            'alb.ingress.kubernetes.io/target-type': 'ip',
            'alb.ingress.kubernetes.io/group.name': controller.settings.groupName,
            'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP":80},{"HTTPS":443}]',
            'alb.ingress.kubernetes.io/ssl-redirect': '443',
            'alb.ingress.kubernetes.io/certificate-arn': controller.settings.certificateArn,
            'alb.ingress.kubernetes.io/ssl-policy': controller.settings.sslPolicy,
            'alb.ingress.kubernetes.io/wafv2-acl-arn': controller.settings.wafAclArn,
            'alb.ingress.kubernetes.io/shield-advanced-protection': String(controller.settings.shieldAdvanced),
            ...(controller.settings.healthCheckPath ? { 'alb.ingress.kubernetes.io/healthcheck-path': controller.settings.healthCheckPath } : {}),
            'external-dns.alpha.kubernetes.io/hostname': props.host,
          }
        : {
            'traefik.ingress.kubernetes.io/router.entrypoints': controller.settings.entrypoint,
            'traefik.ingress.kubernetes.io/router.tls': 'true',
          };
    const tlsSecret = controller.kind === 'traefik' ? controller.settings.tlsSecretName : undefined;
    new kplus.k8s.KubeIngress(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels, annotations },
      spec: {
        ingressClassName: controller.kind,
        rules: [
          {
            host: props.host,
            http: {
              paths: [
                {
                  path: props.path,
                  pathType: 'Prefix',
                  backend: { service: { name: props.serviceName, port: props.rolloutManagedAction ? { name: 'use-annotation' } : { number: props.servicePort } } },
                },
              ],
            },
          },
        ],
        ...(tlsSecret ? { tls: [{ hosts: [props.host], secretName: tlsSecret }] } : {}),
      },
    });
  }
}

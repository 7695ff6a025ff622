/**
 * What the AWS Load Balancer Controller would have built in AWS for the cluster's Ingresses, as
 * Elastic Load Balancing v2 describes it: the rehearsal's stand-in for the controller (which cannot
 * run without AWS), read fresh from the Ingresses at every call, so traffic weights follow the
 * action annotation Argo Rollouts writes exactly as a reconciled ALB would.
 *
 * - One ALB per IngressGroup (`alb.ingress.kubernetes.io/group.name`; else one per Ingress), named
 *   `k8s-<group>-<hash>`, internet-facing or internal (`scheme`), DNS
 *   `[internal-]<name>-<number>.<region>.elb.amazonaws.com`; that DNS name is written into each
 *   Ingress's `status.loadBalancer` (what the controller does), which is how Argo Rollouts finds it.
 * - ARNs as AWS forms them: `arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<16 hex>`,
 *   `...:targetgroup/<name>/<16 hex>`, `...:listener/app/<lb name>/<lb id>/<16 hex>`,
 *   `...:listener-rule/app/<lb name>/<lb id>/<listener id>/<16 hex>`.
 * - One target group per Ingress, Service and port, tagged `ingress.k8s.aws/resource` =
 *   `<namespace>/<ingress>-<service>:<port>` (the tag Argo Rollouts v1.9.0 matches:
 *   `utils/aws/aws.go` BuildTargetGroupResourceID, after the AWS Load Balancer Controller's
 *   `model_build_target_group.go`).
 * - One HTTPS listener; a rule per host and path whose backend is `use-annotation` forwards by the
 *   weights of `alb.ingress.kubernetes.io/actions.<service>`.
 */
import { createHash } from 'node:crypto';

export interface IngressView {
  readonly metadata: { readonly name: string; readonly namespace: string; readonly annotations?: Readonly<Record<string, string>> };
  readonly spec?: {
    readonly ingressClassName?: string;
    readonly rules?: readonly { readonly host?: string; readonly http?: { readonly paths?: readonly { readonly path?: string; readonly backend?: { readonly service?: { readonly name: string; readonly port?: { readonly name?: string; readonly number?: number } } } }[] } }[];
  };
}

/** Ports of a Service by name (the ALB action names a port by number or name). */
export type ServicePorts = (namespace: string, service: string) => ReadonlyMap<string, number>;

export interface TargetGroup {
  readonly arn: string;
  readonly name: string;
  readonly loadBalancerArn: string;
  /** `ingress.k8s.aws/resource` */
  readonly resourceId: string;
  readonly namespace: string;
  readonly service: string;
  readonly port: number;
}

export interface ForwardRule {
  readonly arn: string;
  readonly priority: number;
  readonly host?: string;
  readonly path: string;
  readonly targets: readonly { readonly targetGroupArn: string; readonly weight: number }[];
}

export interface LoadBalancer {
  readonly arn: string;
  readonly name: string;
  readonly dnsName: string;
  readonly scheme: 'internet-facing' | 'internal';
  readonly listenerArn: string;
  readonly rules: readonly ForwardRule[];
  /** `<namespace>/<name>` of the Ingresses it serves. */
  readonly ingresses: readonly string[];
}

export interface AlbModel {
  readonly loadBalancers: readonly LoadBalancer[];
  readonly targetGroups: readonly TargetGroup[];
}

export interface AwsAccount {
  readonly region: string;
  /** 12 digits */
  readonly account: string;
}

/** The tag Argo Rollouts reads to tell a target group's Ingress, Service and port. */
export const RESOURCE_TAG = 'ingress.k8s.aws/resource';

const hex = (text: string, length: number) => createHash('sha256').update(text).digest('hex').slice(0, length);
const digits = (text: string, length: number) => String(BigInt(`0x${hex(text, 15)}`)).padStart(length, '0').slice(0, length);

/** True for an Ingress the AWS Load Balancer Controller serves (`ingressClassName: alb`). */
export function isAlbIngress(ingress: IngressView): boolean {
  return ingress.spec?.ingressClassName === 'alb' || ingress.metadata.annotations?.['kubernetes.io/ingress.class'] === 'alb';
}

/** The ALB name of an Ingress (`k8s-<group or namespace-name>-<10 hex>`, at most 32 characters). */
function albName(group: string): string {
  // The controller drops every character that is not a letter or digit from the group name.
  return `k8s-${group.replace(/[^A-Za-z0-9]/g, '').slice(0, 17)}-${hex(`lb/${group}`, 10)}`;
}

/** The model of every ALB of `ingresses` (others ignored). */
export function albModel(ingresses: readonly IngressView[], account: AwsAccount, servicePorts: ServicePorts): AlbModel {
  const prefix = `arn:aws:elasticloadbalancing:${account.region}:${account.account}`;
  const groups = new Map<string, IngressView[]>();
  for (const ingress of ingresses.filter(isAlbIngress)) {
    const group = ingress.metadata.annotations?.['alb.ingress.kubernetes.io/group.name'] ?? `${ingress.metadata.namespace}-${ingress.metadata.name}`;
    groups.set(group, [...(groups.get(group) ?? []), ingress]);
  }
  const loadBalancers: LoadBalancer[] = [];
  const targetGroups: TargetGroup[] = [];
  for (const [group, members] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const name = albName(group);
    const lbId = hex(`lb-id/${group}`, 16);
    const arn = `${prefix}:loadbalancer/app/${name}/${lbId}`;
    const scheme = members.some((m) => m.metadata.annotations?.['alb.ingress.kubernetes.io/scheme'] === 'internet-facing') ? 'internet-facing' : 'internal';
    const dnsName = `${scheme === 'internal' ? 'internal-' : ''}${name}-${digits(`dns/${group}`, 10)}.${account.region}.elb.amazonaws.com`;
    const listenerId = hex(`listener/${group}/443`, 16);
    const listenerArn = `${prefix}:listener/app/${name}/${lbId}/${listenerId}`;
    const rules: ForwardRule[] = [];
    const targetGroupOf = (ingress: IngressView, service: string, port: number): TargetGroup => {
      const resourceId = `${ingress.metadata.namespace}/${ingress.metadata.name}-${service}:${port}`;
      let found = targetGroups.find((tg) => tg.resourceId === resourceId);
      if (!found) {
        const tgName = `k8s-${ingress.metadata.namespace.slice(0, 8)}-${service.slice(0, 8)}-${hex(`tg/${resourceId}`, 10)}`;
        found = { arn: `${prefix}:targetgroup/${tgName}/${hex(`tg-id/${resourceId}`, 16)}`, name: tgName, loadBalancerArn: arn, resourceId, namespace: ingress.metadata.namespace, service, port };
        targetGroups.push(found);
      }
      return found;
    };
    for (const ingress of [...members].sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`))) {
      for (const rule of ingress.spec?.rules ?? []) {
        for (const entry of rule.http?.paths ?? []) {
          const backend = entry.backend?.service;
          if (!backend) continue;
          const ports = servicePorts(ingress.metadata.namespace, backend.name);
          let targets: { targetGroupArn: string; weight: number }[] = [];
          if (backend.port?.name === 'use-annotation') {
            const action = ingress.metadata.annotations?.[`alb.ingress.kubernetes.io/actions.${backend.name}`];
            if (!action) continue; // the controller refuses such a rule until the action exists
            const parsed = JSON.parse(action) as { Type?: string; ForwardConfig?: { TargetGroups?: { ServiceName?: string; ServicePort?: string; Weight?: number }[] } };
            for (const tg of parsed.ForwardConfig?.TargetGroups ?? []) {
              if (!tg.ServiceName) continue;
              const port = /^\d+$/.test(tg.ServicePort ?? '') ? Number(tg.ServicePort) : servicePorts(ingress.metadata.namespace, tg.ServiceName).get(tg.ServicePort ?? '');
              if (port === undefined) continue;
              targets.push({ targetGroupArn: targetGroupOf(ingress, tg.ServiceName, port).arn, weight: tg.Weight ?? 0 });
            }
          } else {
            const port = backend.port?.number ?? ports.get(backend.port?.name ?? '');
            if (port === undefined) continue;
            targets = [{ targetGroupArn: targetGroupOf(ingress, backend.name, port).arn, weight: 1 }];
          }
          rules.push({ arn: `${prefix}:listener-rule/app/${name}/${lbId}/${listenerId}/${hex(`rule/${ingress.metadata.namespace}/${ingress.metadata.name}/${rule.host ?? ''}/${entry.path ?? '/'}`, 16)}`, priority: rules.length + 1, ...(rule.host ? { host: rule.host } : {}), path: entry.path ?? '/', targets });
        }
      }
    }
    loadBalancers.push({ arn, name, dnsName, scheme, listenerArn, rules, ingresses: members.map((m) => `${m.metadata.namespace}/${m.metadata.name}`) });
  }
  return { loadBalancers, targetGroups };
}

/** The CloudWatch `LoadBalancer` dimension of an ALB: its ARN after `loadbalancer/` (`app/<name>/<id>`). */
export function loadBalancerDimension(arn: string): string {
  return arn.slice(arn.indexOf(':loadbalancer/') + ':loadbalancer/'.length);
}

/** The CloudWatch `TargetGroup` dimension of a target group: its ARN's resource (`targetgroup/<name>/<id>`). */
export function targetGroupDimension(arn: string): string {
  return arn.slice(arn.indexOf(':targetgroup/') + 1);
}

import type { Finding, RenderedCheck, RenderedDoc } from '../rendered-check.js';
import { groupOf } from './argocd-tree.js';
import { findingFor } from './support.js';

/**
 * What exists on one flavor never leaks into the other. k3s on EC2 has no AWS Load Balancer
 * Controller (class `alb`), no IRSA (pods use the instance profile) and no EBS CSI driver; EKS
 * has no Traefik, no local-path provisioner and no k3s helm-controller.
 */

const ID = 'flavor-consistency';

const irsaAnnotation = 'eks.amazonaws.com/role-arn';
const ebsProvisioners = new Set(['ebs.csi.aws.com', 'kubernetes.io/aws-ebs']);
/** Storage classes EKS clusters commonly name after EBS volume types. */
const ebsClassNames = new Set(['gp2', 'gp3', 'io1', 'io2', 'st1', 'sc1', 'ebs-sc']);
const localPathProvisioner = 'rancher.io/local-path';

export const flavorConsistency: RenderedCheck = {
  id: ID,
  description: 'no alb ingress, IRSA annotation or EBS storage on k3s; no traefik, local-path or k3s HelmChart on EKS',
  run: ({ cluster, docs }) => {
    const findings: Finding[] = [];
    const k3s = cluster.flavor === 'k3s';
    const ebsClasses = new Set([...ebsClassNames, ...docs.filter((d) => d.object.kind === 'StorageClass' && ebsProvisioners.has(String(d.object['provisioner']))).map((d) => d.object.metadata.name)]);
    const localPathClasses = new Set(['local-path', ...docs.filter((d) => d.object.kind === 'StorageClass' && d.object['provisioner'] === localPathProvisioner).map((d) => d.object.metadata.name)]);
    for (const doc of docs) {
      const { kind } = doc.object;
      const group = groupOf(doc.object.apiVersion);
      const annotations = doc.object.metadata.annotations ?? {};
      const add = (message: string, fix: string) => findings.push(findingFor(ID, doc, message, fix));
      if (k3s) {
        if (kind === 'Ingress' && (ingressClass(doc) === 'alb' || Object.keys(annotations).some((key) => key.startsWith('alb.ingress.kubernetes.io/')))) {
          add('alb ingress on k3s: no AWS Load Balancer Controller runs there', 'use ingress class traefik on k3s (the app chart does when cluster.flavor is k3s)');
        }
        if (kind === 'IngressClass' && String((doc.object['spec'] as Record<string, unknown> | undefined)?.['controller'] ?? '').startsWith('ingress.k8s.aws/')) {
          add('IngressClass of the AWS Load Balancer Controller on k3s', 'remove it: k3s serves ingress with Traefik');
        }
        const irsaPaths = findKey(doc.object, irsaAnnotation);
        if (irsaPaths.length) {
          add(`IRSA annotation on k3s (${irsaPaths.join(', ')}): k3s on EC2 has no OIDC web identity; pods get the instance profile`, 'drop the role annotation for k3s clusters (grant the permission to the instance profile instead)');
        }
        if (kind === 'StorageClass' && ebsProvisioners.has(String(doc.object['provisioner']))) {
          add(`EBS storage class on k3s (provisioner ${String(doc.object['provisioner'])})`, 'use the built-in local-path storage class on k3s');
        }
        for (const claim of storageClassNames(doc)) {
          if (ebsClasses.has(claim)) add(`EBS storage class "${claim}" on k3s`, 'use storage class local-path on k3s');
        }
      } else {
        if (kind === 'Ingress' && (ingressClass(doc) === 'traefik' || Object.keys(annotations).some((key) => key.startsWith('traefik.ingress.kubernetes.io/')))) {
          add('traefik ingress on EKS: production ingress is the AWS Load Balancer Controller', 'use ingress class alb on EKS (the app chart does when cluster.flavor is eks)');
        }
        if (group === 'traefik.io' || group === 'traefik.containo.us') add(`Traefik ${kind} on EKS: Traefik runs only on k3s`, 'express the route as an Ingress of class alb');
        if (kind === 'StorageClass' && doc.object['provisioner'] === localPathProvisioner) {
          add('local-path storage class on EKS: node-local volumes are lost with the node', 'use an EBS (gp3) storage class on EKS');
        }
        for (const claim of storageClassNames(doc)) {
          if (localPathClasses.has(claim)) add(`local-path storage class "${claim}" on EKS`, 'use an EBS (gp3) storage class on EKS');
        }
        if (group === 'helm.cattle.io') add(`${kind} on EKS: the k3s helm-controller does not run there`, 'install the chart through an Argo CD Application instead');
      }
    }
    return findings;
  },
};

function ingressClass(doc: RenderedDoc): string | undefined {
  const spec = doc.object['spec'] as Record<string, unknown> | undefined;
  return (spec?.['ingressClassName'] as string | undefined) ?? doc.object.metadata.annotations?.['kubernetes.io/ingress.class'];
}

/** Storage class names a PersistentVolumeClaim or a workload's volumeClaimTemplates ask for. */
function storageClassNames(doc: RenderedDoc): string[] {
  const names: string[] = [];
  const spec = doc.object['spec'] as Record<string, unknown> | undefined;
  if (doc.object.kind === 'PersistentVolumeClaim' && typeof spec?.['storageClassName'] === 'string') names.push(spec['storageClassName'] as string);
  for (const template of (spec?.['volumeClaimTemplates'] as Record<string, unknown>[] | undefined) ?? []) {
    const name = (template['spec'] as Record<string, unknown> | undefined)?.['storageClassName'];
    if (typeof name === 'string') names.push(name);
  }
  return names;
}

/** Dotted paths where a key occurs anywhere in an object (annotations, Helm values, templates). */
function findKey(value: unknown, key: string, at = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => findKey(item, key, `${at}[${i}]`));
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [...(k === key ? [at ? `${at}.${k}` : k] : []), ...findKey(v, key, at ? `${at}.${k}` : k)]);
}

import { z } from 'zod';
import { dnsSubdomain, kubernetesMinor, stringOrParam } from './common.js';
import { argocdClusterRules, argocdSettings, eksSettings, k3sSettings } from './cluster-argocd.js';
import { workflowsClusterRules, workflowsSettings } from './cluster-workflows.js';

const awsRegion = z.string().regex(/^[a-z]{2}(-[a-z]+)+-[0-9]$/, 'must be an AWS region such as "eu-west-1"');

const ecrRegistry = z
  .string()
  .regex(/^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com$/, 'must be an ECR registry host such as "123456789012.dkr.ecr.eu-west-1.amazonaws.com"');

const argocd = z
  .strictObject({
    repoURL: z.string().regex(/^(https:\/\/|git@|ssh:\/\/)/, 'must be an https:// or SSH Git URL').describe('Git URL of this repository, as Argo CD reaches it.'),
    targetRevision: z.string().min(1).default('main').describe('Branch Argo CD follows. Default: main.'),
    ...argocdSettings,
  })
  .describe('How Argo CD reaches this repository, when it may sync and where it reports.');

const secretStores = z
  .strictObject({
    roleArn: stringOrParam
      .optional()
      .describe('IAM role External Secrets assumes (IRSA on EKS). On k3s leave it out: the EC2 instance profile is used.'),
  })
  .default({})
  .describe('The ClusterSecretStores (AWS Secrets Manager and SSM Parameter Store) services read secrets through.');

const eksIngress = z
  .strictObject({
    certificateArn: stringOrParam.describe('ACM certificate for the public hosts.'),
    wafAclArn: stringOrParam.describe('WAFv2 web ACL attached to the load balancer.'),
    shieldAdvanced: z.boolean().default(true).describe('Protect the load balancer with AWS Shield Advanced. Default: true.'),
    scheme: z.enum(['internet-facing', 'internal']).default('internet-facing').describe('Load balancer scheme. Default: internet-facing.'),
    groupName: z.string().regex(/^[a-z0-9][-a-z0-9.]{0,62}$/).default('learning-platform').describe('ALB IngressGroup shared by every service. Default: learning-platform.'),
    sslPolicy: z.string().default('ELBSecurityPolicy-TLS13-1-2-2021-06').describe('ALB TLS policy.'),
  })
  .describe('AWS Load Balancer Controller settings (class alb).');

const k3sIngress = z
  .strictObject({
    entrypoint: z.string().default('websecure').describe('Traefik entrypoint the routes bind to. Default: websecure.'),
    tlsSecretName: z.string().optional().describe('TLS secret for the hosts; by default Traefik serves its own certificate.'),
  })
  .default({ entrypoint: 'websecure' })
  .describe('Traefik settings (class traefik, built into k3s).');

const network = z
  .strictObject({
    vpcCidr: stringOrParam.describe('CIDR of the VPC: load balancers and managed databases reach pods from it.'),
  })
  .describe('Network facts, usually from params.yaml.');

const common = {
  kubernetesVersion: kubernetesMinor.describe('Kubernetes minor the cluster runs; manifests are validated at this version.'),
  region: awsRegion.describe('AWS region of the cluster and its resources.'),
  domain: dnsSubdomain.describe('Base DNS domain; service hosts are <host>.<domain> unless they are full names.'),
  registry: ecrRegistry.describe('Container registry (ECR) image repositories are relative to.'),
  provider: z.enum(['ack', 'crossplane']).describe('Controller that manages AWS resources: ACK or Crossplane.'),
  production: z
    .boolean()
    .optional()
    .describe('Production cluster: images must be pinned by digest and every change is flagged in pull-request diffs. Default: true for eks, false for k3s.'),
  network,
  argocd,
  secretStores,
  workflows: workflowsSettings,
};

/** `clusters/<name>/cluster.yaml`: one Kubernetes cluster that Argo CD syncs from this repository. */
export const clusterSchema = z.discriminatedUnion('flavor', [
  z.strictObject({
    flavor: z.literal('eks').describe('Amazon EKS (production).'),
    ...common,
    ingress: eksIngress,
    eks: eksSettings,
  }),
  z.strictObject({
    flavor: z.literal('k3s').describe('k3s on EC2 (staging).'),
    ...common,
    ingress: k3sIngress,
    k3s: k3sSettings,
  }),
])
  .superRefine(argocdClusterRules)
  .superRefine(workflowsClusterRules);

export type ClusterInput = z.infer<typeof clusterSchema>;

import { z } from 'zod';
import { stringOrParam } from './common.js';

/**
 * The parts of `clusters/<cluster>/cluster.yaml` that say how Argo CD runs the cluster: sync
 * windows, notifications, the k3s server of a k3s cluster and the EKS facts and IRSA roles the
 * add-ons need. Chart versions are not here: they are pinned once for every cluster in
 * `clusters/addons.yaml` (see `addons.ts`).
 *
 * Shape checks live in the schemas; rules across fields (which roles a provider needs, the k3s
 * release matching `kubernetesVersion`) live in `argocdClusterRules`.
 */

/** A reference to a value in AWS Secrets Manager or SSM Parameter Store: never the value itself. */
export const awsSecretRef = z.strictObject({
  store: z.enum(['secrets-manager', 'parameter-store']).describe('AWS Secrets Manager or SSM Parameter Store.'),
  key: z.string().min(1).describe('Secret name (Secrets Manager) or parameter name (Parameter Store).'),
  property: z.string().min(1).optional().describe('JSON property inside the secret. Default: the whole value.'),
});

const cronField = String.raw`(\*|[0-9]+(-[0-9]+)?)(\/[0-9]+)?(,(\*|[0-9]+(-[0-9]+)?)(\/[0-9]+)?)*`;
const cronFieldNamed = String.raw`(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?(,(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?)*`;
const cron = new RegExp(`^${cronField} ${cronField} ${cronField} ${cronFieldNamed} ${cronFieldNamed}$`);

/** The Applications a sync window may apply to, by the folder they sync. */
export const syncWindowTargets = ['apps', 'infra', 'platform', 'addons', 'workflows'] as const;
export type SyncWindowTarget = (typeof syncWindowTargets)[number];

const syncWindow = z.strictObject({
  kind: z.enum(['allow', 'deny']).describe('allow: syncs run only inside the window(s); deny: no sync runs inside it.'),
  schedule: z
    .string()
    .regex(cron, 'must be a five-field cron schedule such as "0 7 * * 1-5" (minute hour day-of-month month day-of-week)')
    .describe('When the window opens (cron, five fields).'),
  duration: z
    .string()
    .regex(/^(?=[0-9])([0-9]+h)?([0-9]+m)?$/, 'must be a duration in hours and minutes such as "10h" or "1h30m"')
    .describe('How long the window stays open, e.g. "10h".'),
  timeZone: z
    .string()
    .refine((zone) => isTimeZone(zone), 'must be an IANA time zone such as "Europe/Dublin" or "UTC"')
    .default('UTC')
    .describe('Time zone of the schedule. Default: UTC.'),
  manualSync: z.boolean().default(true).describe('Let people sync by hand while the window blocks automated syncs. Default: true.'),
  appliesTo: z
    .array(z.enum(syncWindowTargets))
    .min(1, 'must name at least one of apps, infra, platform, addons, workflows')
    .default(['apps'])
    .describe('Which Applications the window governs: apps (the services), infra, platform, addons, workflows (the Argo Workflows templates). Default: [apps].'),
  description: z.string().max(255).optional().describe('Why the window exists (shown in the Argo CD UI).'),
});

const notifications = z
  .strictObject({
    slack: z
      .strictObject({
        channel: z
          .string()
          .regex(/^[a-z0-9][a-z0-9._-]{0,79}$/, 'must be a Slack channel name without "#", such as "platform-deploys"')
          .describe('Channel deploy events go to.'),
        token: awsSecretRef.describe('Where the Slack bot token lives in AWS; External Secrets copies it into argocd-notifications-secret.'),
      })
      .optional()
      .describe('Deploy events to Slack.'),
    sqs: z
      .strictObject({
        queue: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,80}$/, 'must be an SQS queue name (letters, digits, "-", "_")')
          .describe('Queue deploy events are sent to. Argo CD has no SNS service: subscribe the topic through this queue (EventBridge Pipes SQS → SNS), outside this repository.'),
      })
      .optional()
      .describe('Deploy events to an SQS queue in the cluster region (IRSA on EKS, instance profile on k3s).'),
  })
  .default({})
  .describe('Argo CD notifications: deploys, failed syncs and degraded health. Default: none.');

/** Extra fields of the cluster's `argocd` section. */
export const argocdSettings = {
  syncWindows: z
    .array(syncWindow)
    .default([])
    .describe('Argo CD sync windows (AppProject syncWindows), e.g. production deploys only in office hours. Default: none, syncs run at any time.'),
  notifications,
};

/** k3s components the `disable` list may name (k3s `--disable`). */
export const k3sComponents = ['coredns', 'servicelb', 'traefik', 'local-storage', 'metrics-server', 'runtimes'] as const;

/** Components the platform relies on, and why: disabling them breaks the cluster. */
const requiredK3sComponents: Readonly<Partial<Record<(typeof k3sComponents)[number], string>>> = {
  coredns: 'cluster DNS',
  traefik: "the services' Ingresses use class traefik",
  'local-storage': 'local-path is the staging storage class',
  'metrics-server': 'HorizontalPodAutoscalers read CPU from it',
};

/** `k3s:` of a k3s cluster: the server the EC2 user data installs. */
export const k3sSettings = z
  .strictObject({
    version: z
      .string()
      .regex(/^v1\.[0-9]+\.[0-9]+\+k3s[0-9]+$/, 'must be a k3s release such as "v1.35.4+k3s1"')
      .describe('k3s release the EC2 user data installs (INSTALL_K3S_VERSION); its Kubernetes minor must equal kubernetesVersion.'),
    helmController: z
      .string()
      .regex(/^v[0-9]+\.[0-9]+\.[0-9]+$/, 'must be a helm-controller release such as "v0.17.1"')
      .describe(
        'The k3s-io/helm-controller release this k3s release embeds (its release notes, "Embedded Component Versions"): it installs the HelmChart CRD, so `validate` checks the rendered HelmChart against github.com/k3s-io/helm-controller at this version. Change it together with version.',
      ),
    disable: z
      .array(z.enum(k3sComponents))
      .default([])
      .describe('Packaged components not to deploy (k3s --disable). The platform needs coredns, traefik, local-storage and metrics-server. Default: none.'),
    secretsEncryption: z.boolean().default(true).describe('Encrypt Secrets at rest in the k3s datastore (k3s --secrets-encryption). Default: true.'),
  })
  .describe('The k3s server of this cluster, installed by the rendered EC2 user data.');

/**
 * Add-ons that run with an IAM role of their own on EKS, by add-on id: through IRSA (the chart
 * annotates the service account) or, where the chart renders no annotation, an EKS Pod Identity
 * association (amazon-cloudwatch-observability).
 */
export const irsaAddons = [
  'aws-load-balancer-controller',
  'external-dns',
  'ack-rds',
  'ack-elasticache',
  'ack-s3',
  'crossplane',
  'amazon-cloudwatch-observability',
  'adot-collector',
  'argocd-notifications',
  'argo-rollouts',
] as const;
export type IrsaAddon = (typeof irsaAddons)[number];

/** `eks:` of an EKS cluster: facts and IAM roles the add-ons need. */
export const eksSettings = z
  .strictObject({
    clusterName: stringOrParam.describe('Name of the EKS cluster (AWS Load Balancer Controller, Container Insights), e.g. { param: eks/cluster-name }.'),
    vpcId: stringOrParam.describe('VPC of the cluster: the AWS Load Balancer Controller is given it instead of reading instance metadata. Usually { param: network/vpc-id }.'),
    addonRoles: z
      .strictObject(Object.fromEntries(irsaAddons.map((id) => [id, stringOrParam.optional().describe(`IAM role of the ${id} service account.`)])) as Record<IrsaAddon, z.ZodOptional<typeof stringOrParam>>)
      .default({})
      .describe('IAM role ARN each add-on assumes, usually { param: iam/<add-on>-role-arn }: through IRSA, except amazon-cloudwatch-observability (EKS Pod Identity: its chart renders no service-account annotation). Required: aws-load-balancer-controller, external-dns, amazon-cloudwatch-observability, adot-collector, argo-rollouts (ALB target groups and CloudWatch metrics of the canaries), crossplane (it manages the Pod Identity associations, and the AWS resources of provider crossplane); ack-<service> for each ACK controller; argocd-notifications with notifications.sqs.'),
    externalDns: z
      .strictObject({
        policy: z
          .enum(['upsert-only', 'sync'])
          .default('upsert-only')
          .describe('upsert-only: ExternalDNS creates and updates records but never deletes them; sync: it also deletes records it owns. Default: upsert-only.'),
      })
      .default({ policy: 'upsert-only' })
      .describe('ExternalDNS settings (Route 53, records under the cluster domain).'),
  })
  .describe('Amazon EKS facts and the IAM roles of the add-ons.');

/** What the cross-field rules read: the parsed cluster input, before parameters are resolved. */
interface ClusterShape {
  readonly flavor: 'eks' | 'k3s';
  readonly kubernetesVersion: string;
  readonly secretStores: { readonly roleArn?: unknown };
  readonly k3s?: { readonly version: string; readonly disable: readonly string[] };
}

/**
 * Cross-field rules of the k3s settings and of the secret stores' identity; each issue names the
 * field to fix. Which add-on roles an EKS cluster needs depends on its infra resources too, so
 * that rule runs with the platform (`inputs/addon-roles.ts`).
 */
export function argocdClusterRules(cluster: ClusterShape, ctx: z.RefinementCtx): void {
  if (cluster.flavor === 'k3s' && cluster.k3s) {
    const minor = /^v(1\.[0-9]+)\./.exec(cluster.k3s.version)?.[1];
    if (minor && minor !== cluster.kubernetesVersion) {
      ctx.addIssue({
        code: 'custom',
        path: ['k3s', 'version'],
        message: `runs Kubernetes ${minor} but kubernetesVersion is "${cluster.kubernetesVersion}": pin a k3s v${cluster.kubernetesVersion}.x release or change kubernetesVersion`,
      });
    }
    cluster.k3s.disable.forEach((component, index) => {
      const reason = requiredK3sComponents[component as keyof typeof requiredK3sComponents];
      if (reason) ctx.addIssue({ code: 'custom', path: ['k3s', 'disable', index], message: `"${component}" cannot be disabled: ${reason}` });
    });
  }
  if (cluster.flavor === 'eks') {
    if (cluster.secretStores.roleArn === undefined) {
      ctx.addIssue({ code: 'custom', path: ['secretStores', 'roleArn'], message: 'is required on EKS: External Secrets assumes it through IRSA; add { param: iam/external-secrets-role-arn }' });
    }
  }
  if (cluster.flavor === 'k3s' && cluster.secretStores.roleArn !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['secretStores', 'roleArn'], message: 'IRSA roles exist only on EKS: k3s on EC2 uses the instance profile; remove it' });
  }
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

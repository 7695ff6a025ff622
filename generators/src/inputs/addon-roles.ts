import { awsControllers, crossplanePackages, runsCrossplane, type AwsControllers } from '../argocd/controllers.js';
import type { InputIssue } from '../errors.js';
import type { Cluster } from './clusters.js';
import type { IrsaAddon } from './schemas/cluster-argocd.js';
import { readYamlFile } from './yaml-file.js';
import { located } from './zod-issues.js';

/** The IAM roles an EKS cluster's add-ons need, by add-on id, with the reason. */
export function requiredAddonRoles(cluster: Cluster, controllers: AwsControllers): Map<IrsaAddon, string> {
  const required = new Map<IrsaAddon, string>([
    ['aws-load-balancer-controller', 'the AWS Load Balancer Controller creates the ALBs'],
    ['external-dns', 'ExternalDNS writes the Route 53 records'],
    ['amazon-cloudwatch-observability', 'the CloudWatch agent and Fluent Bit send Container Insights metrics and logs (EKS Pod Identity)'],
    ['adot-collector', 'the ADOT collector sends traces to X-Ray'],
    ['argo-rollouts', 'Argo Rollouts verifies the canary target groups (Elastic Load Balancing) and reads their CloudWatch metrics'],
  ]);
  for (const service of controllers.ack ?? []) required.set(`ack-${service}`, `the ACK ${service} controller manages the ${service} resources`);
  if (runsCrossplane(controllers)) required.set('crossplane', `the provider-aws family (${crossplanePackages(controllers).join(', ')}) manages AWS resources and the add-ons' Pod Identity associations`);
  if (cluster.argocd.notifications.sqs) required.set('argocd-notifications', 'the Argo CD notifications controller sends to SQS (argocd.notifications.sqs)');
  return required;
}

/**
 * On EKS every add-on that calls AWS needs its role in `eks.addonRoles`. Which controllers run
 * depends on the infra resources (a resource may pick the other provider), hence a rule over the
 * platform rather than the cluster schema. A role of an add-on that does not run is rendered
 * nowhere, so it is allowed: moving a resource between providers never breaks the inputs.
 */
export async function addonRoleRules(
  root: string,
  clusters: readonly { readonly cluster: Cluster; readonly infra: readonly { readonly kind: string; readonly provider: Cluster['provider'] }[] }[],
): Promise<InputIssue[]> {
  const issues: InputIssue[] = [];
  for (const { cluster, infra } of clusters) {
    if (cluster.flavor !== 'eks') continue;
    const required = requiredAddonRoles(cluster, awsControllers(cluster, infra));
    const roles = cluster.eks.addonRoles as Partial<Record<IrsaAddon, string>>;
    const problems: { addon: IrsaAddon; message: string }[] = [];
    for (const [addon, reason] of required) {
      if (!roles[addon]) problems.push({ addon, message: `is required: ${reason}; add { param: iam/${addon}-role-arn }` });
    }
    if (problems.length === 0) continue;
    const file = (await readYamlFile(root, cluster.file)).file;
    for (const { addon, message } of problems) issues.push(located([file], ['eks', 'addonRoles', addon], message));
  }
  return issues;
}

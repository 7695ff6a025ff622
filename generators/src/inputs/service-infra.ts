import type { InputIssue } from '../errors.js';
import type { Cluster } from './clusters.js';
import type { InfraResource } from './infra.js';
import type { InfraKind } from './schemas/infra.js';
import type { Service } from './services.js';
import { readYamlFile, type YamlFile } from './yaml-file.js';
import { located } from './zod-issues.js';

/** Kinds reached through the AWS API (S3, SQS): the pods need an AWS identity for them. */
const apiKinds: ReadonlySet<InfraKind> = new Set(['bucket', 'queue']);

/**
 * Rules between services and the resources they use, per cluster: on EKS a service that uses
 * a bucket or a queue needs its own IAM role (IRSA), since nothing else gives its pods AWS
 * permissions there. (Unknown names in `uses` are reported by `readServices`.)
 */
export async function serviceInfraRules(
  root: string,
  clusters: readonly { readonly cluster: Cluster; readonly services: readonly Service[]; readonly infra: readonly InfraResource[] }[],
  declared: ReadonlyMap<string, InfraKind | undefined>,
): Promise<InputIssue[]> {
  const issues = new Map<string, InputIssue>();
  const files = new Map<string, YamlFile>();
  const yamlOf = async (file: string) => {
    let read = files.get(file);
    if (!read) {
      read = (await readYamlFile(root, file)).file;
      files.set(file, read);
    }
    return read;
  };
  for (const { cluster, services } of clusters) {
    if (cluster.flavor !== 'eks') continue;
    for (const service of services) {
      for (const [index, name] of service.uses.entries()) {
        const kind = declared.get(name);
        if (!kind || !apiKinds.has(kind) || service.roleArn) continue;
        const sources = await Promise.all(service.sources.map(yamlOf));
        const issue = located(
          sources,
          ['uses', index],
          `${name} is an S3/SQS resource: on EKS (cluster ${cluster.name}) the service needs an IAM role for it; set serviceAccount.roleArn in apps/${service.name}/${cluster.name}.yaml`,
        );
        issues.set(JSON.stringify(issue), issue);
      }
    }
  }
  return [...issues.values()];
}

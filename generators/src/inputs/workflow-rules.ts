import { existsSync } from 'node:fs';
import path from 'node:path';
import { workflowsNamespaceName } from '../argocd/layout.js';
import type { InputIssue } from '../errors.js';
import { hasWorkflows, httpPortName } from '../workflows/plan.js';
import type { Cluster } from './clusters.js';
import { readYamlFile } from './yaml-file.js';
import { located } from './zod-issues.js';

/**
 * Rules of `workflows:` in cluster.yaml over the other inputs of the cluster: the services the
 * tests and k6 call exist there and serve a port named `http`; db-migrate's database is a postgres
 * resource of the cluster; no service takes the workflows' namespace name. Each issue is located
 * in cluster.yaml. A service or resource whose own input is invalid is left to its own issues.
 */
export async function workflowRules(
  root: string,
  clusters: readonly {
    readonly cluster: Cluster;
    readonly services: readonly { readonly name: string; readonly ports: readonly { readonly name: string }[] }[];
    readonly infra: readonly { readonly name: string; readonly kind: string }[];
  }[],
  /** Every `infra/<name>.yaml` name with its kind (undefined when the file did not parse). */
  declaredInfra: ReadonlyMap<string, string | undefined>,
): Promise<InputIssue[]> {
  const issues: InputIssue[] = [];
  for (const { cluster, services, infra } of clusters) {
    const workflows = cluster.workflows;
    if (!workflows || !hasWorkflows(cluster)) continue;
    const problems: { path: (string | number)[]; message: string }[] = [];
    for (const key of ['integrationTests', 'loadTest'] as const) {
      workflows[key]?.services.forEach((name, index) => {
        const service = services.find((s) => s.name === name);
        if (!service && existsSync(path.join(root, 'apps', name, 'service.yaml'))) return; // invalid: reported with the service
        if (!service) problems.push({ path: ['workflows', key, 'services', index], message: `no service "${name}" in ${cluster.name}: expected apps/${name}/service.yaml` });
        else if (!service.ports.some((port) => port.name === httpPortName)) {
          problems.push({ path: ['workflows', key, 'services', index], message: `service "${name}" has no port named "${httpPortName}" (ports: ${service.ports.map((p) => p.name).join(', ')})` });
        }
      });
    }
    const database = workflows.dbMigrate?.database;
    if (database !== undefined) {
      const kind = infra.find((r) => r.name === database)?.kind ?? declaredInfra.get(database);
      if (!declaredInfra.has(database)) problems.push({ path: ['workflows', 'dbMigrate', 'database'], message: `no resource "${database}": expected infra/${database}.yaml` });
      else if (kind !== undefined && kind !== 'postgres') problems.push({ path: ['workflows', 'dbMigrate', 'database'], message: `"${database}" is a ${kind}, not a postgres database` });
    }
    if (services.some((service) => service.name === workflowsNamespaceName)) {
      problems.push({ path: ['workflows'], message: `service "${workflowsNamespaceName}" would share the workflows' namespace ${workflowsNamespaceName}; rename the service` });
    }
    if (problems.length === 0) continue;
    const file = (await readYamlFile(root, cluster.file)).file;
    for (const { path, message } of problems) issues.push(located([file], path, message));
  }
  return issues;
}

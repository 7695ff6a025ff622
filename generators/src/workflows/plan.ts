import { workflowsNamespaceName } from '../argocd/layout.js';
import type { Cluster } from '../inputs/clusters.js';
import type { InfraResource } from '../inputs/infra.js';
import { resolveRepository, type Service } from '../inputs/services.js';

/**
 * The Argo Workflows templates of one cluster (`workflows:` in cluster.yaml), resolved against
 * the services and infra resources: full image references, the service ports the pods call, the
 * database db-migrate migrates. One place, so the workflows chart, the services' network policies
 * (which let the pods in) and the infra wiring (which exports the database to the namespace) agree.
 */

/** WorkflowTemplate names: what `gitops verify --template` takes. */
export const templateNames = {
  integrationTests: 'integration-tests',
  loadTest: 'load-test',
  dbMigrate: 'db-migrate',
} as const;
export type TemplateKey = keyof typeof templateNames;

/** Service account the workflow pods run as: the executor's rights (workflowtaskresults), nothing else. */
export const executorAccountName = 'workflow-executor';

/** Service account whose token `gitops verify` sends (ARGO_TOKEN): submit, follow, read logs, stop. */
export const submitterAccountName = 'gitops-verify';

/** The k6 image repository (Docker Hub). */
export const k6Repository = 'grafana/k6';

/** Name of the port a service serves HTTP on, which the tests and k6 call. */
export const httpPortName = 'http';

/** A service the pods of a template call. */
export interface ServiceTarget {
  readonly service: string;
  readonly port: number;
  /** In-cluster URL of the service (its namespace is its name). */
  readonly url: string;
}

interface TemplateCommon {
  readonly name: string;
  readonly resources: { readonly requests: { cpu: string; memory: string }; readonly limits: { cpu: string; memory: string } };
  readonly activeDeadlineSeconds: number;
}

export interface IntegrationTestsPlan extends TemplateCommon {
  readonly image: string;
  readonly command: readonly string[];
  readonly targets: readonly ServiceTarget[];
}

export interface LoadTestPlan extends TemplateCommon {
  readonly image: string;
  readonly targets: readonly ServiceTarget[];
  readonly vus: number;
  readonly duration: string;
  readonly thresholds: { readonly p95Ms: number; readonly errorRate: number };
}

export interface DbMigratePlan extends TemplateCommon {
  readonly image: string;
  readonly command: readonly string[];
  readonly database: InfraResource;
}

export interface WorkflowsPlan {
  readonly namespace: string;
  readonly integrationTests?: IntegrationTestsPlan;
  readonly loadTest?: LoadTestPlan;
  readonly dbMigrate?: DbMigratePlan;
}

/** True when the cluster renders at least one WorkflowTemplate (and so `workflows/` and its Application). */
export function hasWorkflows(cluster: Pick<Cluster, 'workflows'>): boolean {
  const workflows = cluster.workflows;
  return Boolean(workflows && (workflows.integrationTests || workflows.loadTest || workflows.dbMigrate));
}

/** `repository[:tag][@digest]`, the repository relative to the registry unless it names a host. */
function imageRef(repository: string, tag: string | undefined, digest: string | undefined): string {
  return `${repository}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
}

/** In-cluster URL of a service's HTTP port. */
export function serviceUrl(service: string, port: number): string {
  return `http://${service}.${service}.svc.cluster.local:${port}`;
}

/** Full reference of the cluster's integration-test image (also what a k3s canary's analysis Job runs). */
export function integrationTestsImage(cluster: Pick<Cluster, 'registry'>, integrationTests: NonNullable<NonNullable<Cluster['workflows']>['integrationTests']>): string {
  return imageRef(resolveRepository(cluster.registry, integrationTests.image.repository), integrationTests.image.tag, integrationTests.image.digest);
}

/**
 * The cluster's templates, resolved. Inputs are validated first (`workflowRules`), so every
 * service named exists and serves `http`, and the database is a postgres resource of the cluster.
 */
export function planWorkflows(cluster: Cluster, services: readonly Service[], infra: readonly InfraResource[]): WorkflowsPlan | undefined {
  const workflows = cluster.workflows;
  if (!workflows || !hasWorkflows(cluster)) return undefined;
  const targets = (names: readonly string[]): ServiceTarget[] =>
    names.map((name) => {
      const port = services.find((service) => service.name === name)!.ports.find((p) => p.name === httpPortName)!.port;
      return { service: name, port, url: serviceUrl(name, port) };
    });
  const { integrationTests, loadTest, dbMigrate } = workflows;
  return {
    namespace: workflowsNamespaceName,
    ...(integrationTests && {
      integrationTests: {
        name: templateNames.integrationTests,
        image: integrationTestsImage(cluster, integrationTests),
        command: integrationTests.command,
        targets: targets(integrationTests.services),
        resources: integrationTests.resources,
        activeDeadlineSeconds: integrationTests.activeDeadlineSeconds,
      },
    }),
    ...(loadTest && {
      loadTest: {
        name: templateNames.loadTest,
        image: imageRef(k6Repository, loadTest.k6.tag, loadTest.k6.digest),
        targets: targets(loadTest.services),
        vus: loadTest.vus,
        duration: loadTest.duration,
        thresholds: loadTest.thresholds,
        resources: loadTest.resources,
        activeDeadlineSeconds: loadTest.activeDeadlineSeconds,
      },
    }),
    ...(dbMigrate && {
      dbMigrate: {
        name: templateNames.dbMigrate,
        image: imageRef(resolveRepository(cluster.registry, dbMigrate.image.repository), dbMigrate.image.tag, dbMigrate.image.digest),
        command: dbMigrate.command,
        database: infra.find((resource) => resource.name === dbMigrate.database)!,
        resources: dbMigrate.resources,
        activeDeadlineSeconds: dbMigrate.activeDeadlineSeconds,
      },
    }),
  };
}

/** Templates whose pods call a service (its NetworkPolicy lets them in on its http port), in a fixed order. */
export function workflowCallersOf(service: string, cluster: Pick<Cluster, 'workflows'>): string[] {
  const workflows = cluster.workflows;
  if (!workflows) return [];
  const callers: string[] = [];
  if (workflows.integrationTests?.services.includes(service)) callers.push(templateNames.integrationTests);
  if (workflows.loadTest?.services.includes(service)) callers.push(templateNames.loadTest);
  return callers;
}

/** Namespaces of the workflows that use an infra resource (they get its endpoint, as a service does). */
export function workflowUsersOf(resource: string, cluster: Pick<Cluster, 'workflows'>): string[] {
  return cluster.workflows?.dbMigrate?.database === resource ? [workflowsNamespaceName] : [];
}

import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderedChecks, runChecks } from '../../src/validate/checks.js';
import { allContainers, podTemplates } from '../../src/validate/pod-templates.js';
import { restrictedViolations } from '../../src/validate/policies/pod-security-restricted.js';
import type { TempRepo } from '../support/temp-repo.js';
import { checkContext, renderedRepo, renderExample } from '../argocd/support.js';

/**
 * `workflows/` as rendered from the example inputs: staging lists all three templates in
 * cluster.yaml, production only db-migrate.
 */

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: any; [key: string]: any };

async function objects(cluster: string, prefix: string): Promise<Obj[]> {
  const { tree } = await renderExample();
  return tree
    .get(cluster)!
    .filter((file) => file.path.startsWith(prefix) && file.path.endsWith('.yaml'))
    .map((file) => parse(file.content) as Obj);
}

const named = (all: Obj[], kind: string, name: string) => all.find((o) => o.kind === kind && o.metadata.name === name)!;

let repo: TempRepo | undefined;
afterEach(async () => {
  await repo?.cleanup();
  repo = undefined;
});

describe('workflows/ of the example clusters', () => {
  it('staging: the three templates with what they need, all in namespace verification', async () => {
    const all = await objects('staging', 'workflows/');
    expect(all.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ConfigMap/load-test-script',
      'ConfigMap/platform-db-connection',
      'ExternalSecret/platform-db-credentials',
      'ExternalSecret/platform-db-endpoint',
      'Namespace/verification',
      'NetworkPolicy/db-migrate',
      'NetworkPolicy/default-deny',
      'NetworkPolicy/integration-tests',
      'NetworkPolicy/load-test',
      'Role/gitops-verify',
      'Role/workflow-executor',
      'RoleBinding/gitops-verify',
      'RoleBinding/workflow-executor',
      'ServiceAccount/gitops-verify',
      'ServiceAccount/workflow-executor',
      'WorkflowTemplate/db-migrate',
      'WorkflowTemplate/integration-tests',
      'WorkflowTemplate/load-test',
    ]);
    for (const object of all.filter((o) => o.kind !== 'Namespace')) expect(object.metadata.namespace, `${object.kind}/${object.metadata.name}`).toBe('verification');
    expect(named(all, 'Namespace', 'verification').metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted' });
  });

  it('production: db-migrate only, its image pinned by digest', async () => {
    const all = await objects('production', 'workflows/');
    expect(all.filter((o) => o.kind === 'WorkflowTemplate').map((o) => o.metadata.name)).toEqual(['db-migrate']);
    const image = named(all, 'WorkflowTemplate', 'db-migrate').spec.arguments.parameters.find((p: any) => p.name === 'migration-image').value;
    expect(image).toMatch(/^123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/learning-platform\/db-migrate:2\.3\.0@sha256:[a-f0-9]{64}$/);
    expect(all.some((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'integration-tests')).toBe(false);
  });

  for (const cluster of ['staging', 'production']) {
    it(`${cluster}: every container of every template meets Pod Security restricted, with requests, limits and a deadline`, async () => {
      const templates = (await objects(cluster, 'workflows/')).filter((o) => o.kind === 'WorkflowTemplate');
      expect(templates.length).toBeGreaterThan(0);
      for (const template of templates) {
        const pods = podTemplates(template);
        expect(pods.length, template.metadata.name).toBe(1);
        expect(restrictedViolations(pods[0]!.spec), template.metadata.name).toEqual([]);
        for (const { container } of allContainers(pods[0]!.spec)) {
          expect(container.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
          expect(Object.keys(container.resources?.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
          expect(Object.keys(container.resources?.limits ?? {}).sort()).toEqual(['cpu', 'memory']);
          expect(container['volumeMounts']).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
          expect((container['command'] as string[]).length).toBeGreaterThan(0);
        }
        expect(template.spec.serviceAccountName).toBe('workflow-executor');
        expect(template.spec.activeDeadlineSeconds).toBeGreaterThan(0);
        expect(template.spec.ttlStrategy).toBeDefined();
        expect(template.spec.podGC).toEqual({ strategy: 'OnPodSuccess' });
      }
    });
  }

  it('staging: the parameters gitops verify passes, with their defaults', async () => {
    const all = await objects('staging', 'workflows/');
    const parameters = (name: string) => Object.fromEntries(named(all, 'WorkflowTemplate', name).spec.arguments.parameters.map((p: any) => [p.name, p.value]));
    expect(parameters('integration-tests')).toEqual({ revision: '', 'base-url': 'http://frontend.frontend.svc.cluster.local:8080' });
    expect(parameters('load-test')).toEqual({ revision: '', 'base-url': 'http://frontend.frontend.svc.cluster.local:8080', vus: '20', duration: '5m' });
    expect(parameters('db-migrate')).toEqual({ revision: '', 'migration-image': '123456789012.dkr.ecr.eu-west-1.amazonaws.com/learning-platform/db-migrate:2.3.0' });
    const k6 = named(all, 'WorkflowTemplate', 'load-test').spec.templates[0].container;
    expect(k6.image).toBe('grafana/k6:1.8.1');
    expect(k6.args).toEqual(['run', '--no-usage-report', '--vus', '{{workflow.parameters.vus}}', '--duration', '{{workflow.parameters.duration}}', '/scripts/load-test.js']);
    expect(named(all, 'ConfigMap', 'load-test-script').data['load-test.js']).toContain('http_req_duration');
    const migrate = named(all, 'WorkflowTemplate', 'db-migrate').spec.templates[0].container;
    expect(migrate.image).toBe('{{workflow.parameters.migration-image}}');
    expect(migrate.envFrom).toEqual([
      { configMapRef: { name: 'platform-db-connection' } },
      { secretRef: { name: 'platform-db-credentials' } },
      { secretRef: { name: 'platform-db-endpoint' } },
    ]);
  });

  it('staging: each template may reach DNS, the API server and exactly its targets; nothing reaches the pods', async () => {
    const all = await objects('staging', 'workflows/');
    const egressOf = (name: string) => named(all, 'NetworkPolicy', name).spec.egress.map((rule: any) => rule.to.map((peer: any) => peer.ipBlock?.cidr ?? peer.namespaceSelector.matchLabels['kubernetes.io/metadata.name']).join(',') + ':' + rule.ports.map((p: any) => p.port).join(','));
    expect(egressOf('integration-tests')).toEqual(['kube-system:53,53', '10.30.0.0/16:6443', 'frontend:8080', 'user-service:8080', 'course-service:8080']);
    expect(egressOf('load-test')).toEqual(['kube-system:53,53', '10.30.0.0/16:6443', 'frontend:8080']);
    expect(egressOf('db-migrate')).toEqual(['kube-system:53,53', '10.30.0.0/16:6443', '10.30.64.0/24,10.30.65.0/24:5432']);
    for (const name of ['integration-tests', 'load-test', 'db-migrate']) {
      const policy = named(all, 'NetworkPolicy', name);
      expect(policy.spec.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': name } });
      expect(policy.spec.ingress ?? []).toEqual([]);
      expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    }
    expect(named(all, 'NetworkPolicy', 'default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  it('production (EKS): the executor reaches the API server on 443 in the VPC', async () => {
    const policy = named(await objects('production', 'workflows/'), 'NetworkPolicy', 'db-migrate');
    expect(policy.spec.egress[1].ports).toEqual([{ port: 443, protocol: 'TCP' }]);
  });

  it('staging: the services the templates call let exactly those pods in, on their http port', async () => {
    const fromWorkflows = async (service: string) =>
      named(await objects('staging', `apps/${service}/`), 'NetworkPolicy', service)
        .spec.ingress.filter((rule: any) => rule.from.some((peer: any) => peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'verification'))
        .map((rule: any) => `${rule.from[0].podSelector.matchLabels['app.kubernetes.io/name']}:${rule.ports.map((p: any) => p.port).join(',')}`);
    expect(await fromWorkflows('frontend')).toEqual(['integration-tests:8080', 'load-test:8080']);
    expect(await fromWorkflows('user-service')).toEqual(['integration-tests:8080']);
    expect(await fromWorkflows('notification-service')).toEqual([]);
    const production = named(await objects('production', 'apps/frontend/'), 'NetworkPolicy', 'frontend');
    expect(JSON.stringify(production.spec.ingress)).not.toContain('verification');
  });

  it('exports the database db-migrate migrates to the namespace, as to a service', async () => {
    const store = named(await objects('staging', 'infra/platform-db/'), 'ClusterSecretStore', 'platform-db-connection');
    expect(store.spec.conditions[0].namespaces).toContain('verification');
    const exported = named(await objects('production', 'infra/platform-db/'), 'FieldExport', 'platform-db-to-verification');
    expect(exported.spec.to).toEqual({ kind: 'configmap', name: 'platform-db-connection', namespace: 'verification', key: 'PLATFORM_DB_HOST' });
  });

  it('configures the Argo Workflows executor (init and wait containers) for the restricted namespace', async () => {
    for (const cluster of ['staging', 'production']) {
      const app = named(await objects(cluster, 'argocd/'), 'Application', 'addon-argo-workflows');
      const source = (app.spec.sources ?? [app.spec.source]).find((s: any) => s.chart === 'argo-workflows');
      const values = parse(source.helm.valuesObject ? JSON.stringify(source.helm.valuesObject) : source.helm.values);
      expect(restrictedViolations({ containers: [{ name: 'wait', securityContext: values.executor.securityContext }] })).toEqual([]);
      expect(values.executor.securityContext.readOnlyRootFilesystem).toBe(true);
      expect(Object.keys(values.executor.resources.limits).sort()).toEqual(['cpu', 'memory']);
      expect(values.controller.workflowRestrictions).toEqual({ templateReferencing: 'Strict' });
    }
  });

  for (const cluster of ['staging', 'production']) {
    it(`${cluster}: every check of gitops validate passes on the rendered tree`, async () => {
      repo = await renderedRepo();
      const { findings } = runChecks(await checkContext(repo.root, cluster), renderedChecks);
      expect(findings.map((f) => `${f.check} ${f.file}: ${f.message}`)).toEqual([]);
    });
  }
});

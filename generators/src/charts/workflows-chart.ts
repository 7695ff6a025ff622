import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { AppNamespace } from '../constructs/app/app-namespace.js';
import { appPeer, type NetworkRule } from '../constructs/app/app-network-policy.js';
import { labelKeys, managedBy, partOf } from '../constructs/app/labels.js';
import { ServiceWiring } from '../constructs/infra/service-wiring.js';
import { RestrictedWorkflowTemplate, type WorkflowParameter } from '../constructs/workflows/restricted-workflow-template.js';
import { WorkflowNetworkPolicies } from '../constructs/workflows/workflow-network-policies.js';
import { WorkflowExecutorAccount, WorkflowSubmitterAccount } from '../constructs/workflows/workflow-accounts.js';
import type { Cluster } from '../inputs/clusters.js';
import { executorAccountName, submitterAccountName, type ServiceTarget, type WorkflowsPlan } from '../workflows/plan.js';

/** Labels of every object in `workflows/`. */
export function workflowsLabels(): Record<string, string> {
  return { [labelKeys.component]: 'workflows', [labelKeys.partOf]: partOf, [labelKeys.managedBy]: managedBy };
}

/** ConfigMap holding the k6 script, mounted read-only into the load-test pods. */
export const loadTestScriptConfigMap = 'load-test-script';
const loadTestScriptDir = '/scripts';

/**
 * The k6 script of `load-test`: GET the base URL from every virtual user; the thresholds (from
 * cluster.yaml) fail the run. VUs and duration are command-line flags from the workflow parameters.
 */
export const loadTestScript = [
  '// k6 load test of the Learning Platform, rendered by `gitops render` (generators/src/charts/workflows-chart.ts).',
  "import http from 'k6/http';",
  "import { check } from 'k6';",
  '',
  'export const options = {',
  '  thresholds: {',
  '    http_req_failed: [`rate<${__ENV.MAX_ERROR_RATE}`],',
  '    http_req_duration: [`p(95)<${__ENV.P95_MS}`],',
  '  },',
  '};',
  '',
  'export default function () {',
  '  const res = http.get(__ENV.BASE_URL, { tags: { revision: __ENV.REVISION } });',
  "  check(res, { 'status is 2xx or 3xx': (r) => r.status >= 200 && r.status < 400 });",
  '}',
  '',
].join('\n');

const revision: WorkflowParameter = {
  name: 'revision',
  value: '',
  description: 'Commit of this repository the cluster runs (gitops verify --param revision=<sha>); passed to the run as REVISION.',
};

function baseUrl(targets: readonly ServiceTarget[]): WorkflowParameter {
  return { name: 'base-url', value: targets[0]!.url, description: `URL the run starts from. Default: ${targets[0]!.service}'s in-cluster HTTP port.` };
}

/** Egress to the services' HTTP ports: each service's pods, in its own namespace. */
function toServices(targets: readonly ServiceTarget[]): NetworkRule[] {
  return targets.map((target) => ({ peers: [appPeer(target.service, target.service)], ports: [{ port: target.port }] }));
}

/** `FRONTEND_URL`-style variables: each service's in-cluster URL. */
function serviceUrlEnv(targets: readonly ServiceTarget[]): { name: string; value: string }[] {
  return targets.map((target) => ({ name: `${target.service.toUpperCase().replace(/-/g, '_')}_URL`, value: target.url }));
}

/**
 * `workflows/`: the namespace (Pod Security restricted) the WorkflowTemplates `gitops verify`
 * submits live and run in, their service accounts, network policies and the templates themselves.
 */
export function buildWorkflowsChart(scope: Construct, plan: WorkflowsPlan, cluster: Cluster): void {
  const namespace = plan.namespace;
  const labels = workflowsLabels();
  new AppNamespace(scope, 'Namespace', { name: namespace, labels });
  new WorkflowExecutorAccount(scope, 'Executor', { name: executorAccountName, namespace, labels });
  new WorkflowSubmitterAccount(scope, 'Submitter', { name: submitterAccountName, namespace, labels });

  const templates: { name: string; egress: NetworkRule[] }[] = [];
  const { integrationTests, loadTest, dbMigrate } = plan;

  if (integrationTests) {
    new RestrictedWorkflowTemplate(scope, 'IntegrationTests', {
      name: integrationTests.name,
      namespace,
      labels,
      description: `Integration tests of ${cluster.name} against ${integrationTests.targets.map((t) => t.service).join(', ')}.`,
      serviceAccountName: executorAccountName,
      parameters: [revision, baseUrl(integrationTests.targets)],
      container: {
        image: integrationTests.image,
        command: integrationTests.command,
        env: [
          { name: 'CLUSTER', value: cluster.name },
          { name: 'REVISION', value: '{{workflow.parameters.revision}}' },
          { name: 'BASE_URL', value: '{{workflow.parameters.base-url}}' },
          ...serviceUrlEnv(integrationTests.targets),
        ],
        resources: integrationTests.resources,
      },
      activeDeadlineSeconds: integrationTests.activeDeadlineSeconds,
    });
    templates.push({ name: integrationTests.name, egress: toServices(integrationTests.targets) });
  }

  if (loadTest) {
    new kplus.k8s.KubeConfigMap(scope, 'LoadTestScript', {
      metadata: { name: loadTestScriptConfigMap, namespace, labels: { ...labels, 'app.kubernetes.io/name': loadTest.name } },
      data: { 'load-test.js': loadTestScript },
    });
    new RestrictedWorkflowTemplate(scope, 'LoadTest', {
      name: loadTest.name,
      namespace,
      labels,
      description: `k6 load test of ${cluster.name} against ${loadTest.targets.map((t) => t.service).join(', ')}; fails above p95 ${loadTest.thresholds.p95Ms} ms or ${loadTest.thresholds.errorRate * 100}% errors.`,
      serviceAccountName: executorAccountName,
      parameters: [
        revision,
        baseUrl(loadTest.targets),
        { name: 'vus', value: String(loadTest.vus), description: 'Virtual users (k6 --vus).' },
        { name: 'duration', value: loadTest.duration, description: 'How long the load runs (k6 --duration), e.g. 30s, 2m.' },
      ],
      container: {
        image: loadTest.image,
        command: ['k6'],
        args: ['run', '--no-usage-report', '--vus', '{{workflow.parameters.vus}}', '--duration', '{{workflow.parameters.duration}}', `${loadTestScriptDir}/load-test.js`],
        env: [
          { name: 'BASE_URL', value: '{{workflow.parameters.base-url}}' },
          { name: 'REVISION', value: '{{workflow.parameters.revision}}' },
          { name: 'P95_MS', value: String(loadTest.thresholds.p95Ms) },
          { name: 'MAX_ERROR_RATE', value: String(loadTest.thresholds.errorRate) },
          // k6 keeps its state under HOME; the root file system is read-only.
          { name: 'HOME', value: '/tmp' },
        ],
        resources: loadTest.resources,
        configMapMounts: [{ configMap: loadTestScriptConfigMap, mountPath: loadTestScriptDir }],
      },
      activeDeadlineSeconds: loadTest.activeDeadlineSeconds,
    });
    templates.push({ name: loadTest.name, egress: toServices(loadTest.targets) });
  }

  if (dbMigrate) {
    // The database reaches this namespace as it reaches a service: connection ConfigMap, credentials
    // ExternalSecret, the provider's endpoint export, and one egress rule to its CIDRs and port.
    const wiring = new ServiceWiring(scope, 'Database', { service: namespace, labels, resources: [dbMigrate.database], cluster });
    new RestrictedWorkflowTemplate(scope, 'DbMigrate', {
      name: dbMigrate.name,
      namespace,
      labels,
      description: `Database migration of ${dbMigrate.database.name} in ${cluster.name}: runs the migration-image parameter.`,
      serviceAccountName: executorAccountName,
      parameters: [
        revision,
        {
          name: 'migration-image',
          value: dbMigrate.image,
          description: 'Migration image to run, pinned by tag or digest (a digest in production); gitops verify refuses latest.',
        },
      ],
      container: {
        image: '{{workflow.parameters.migration-image}}',
        command: dbMigrate.command,
        env: [
          { name: 'REVISION', value: '{{workflow.parameters.revision}}' },
          { name: 'DATABASE_ENV_PREFIX', value: dbMigrate.database.envPrefix },
        ],
        envFrom: { configMaps: wiring.envConfigMaps, secrets: wiring.envSecrets },
        resources: dbMigrate.resources,
      },
      activeDeadlineSeconds: dbMigrate.activeDeadlineSeconds,
    });
    templates.push({ name: dbMigrate.name, egress: wiring.egress });
  }

  new WorkflowNetworkPolicies(scope, 'NetworkPolicies', {
    namespace,
    labels,
    apiServer: { peers: [{ ipBlock: { cidr: cluster.network.vpcCidr } }], ports: [{ port: cluster.flavor === 'k3s' ? 6443 : 443 }] },
    templates,
  });
}

import { z } from 'zod';
import { isProduction } from '../production.js';
import { cpuMillis, memoryBytes } from '../quantities.js';
import { cpuQuantity, dnsLabel, memoryQuantity } from './common.js';
import { imageDigest, imageTag } from './service.js';

/**
 * `workflows:` of `clusters/<cluster>/cluster.yaml`: the Argo Workflows templates `gitops verify`
 * submits in this cluster (rendered into `rendered/workflows/`). Each template is optional; a
 * cluster without the section renders no `workflows/` folder.
 *
 * Shape checks live here; rules over the other inputs (the services named exist and serve a port
 * named `http`, the database is a postgres resource of the cluster) live in
 * `inputs/workflow-rules.ts`.
 */

const repositoryPath = z
  .string()
  .regex(/^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/, 'must be a repository path such as "learning-platform/integration-tests"');

/** An image of this platform's own, in the cluster's ECR registry. */
const registryImage = z
  .strictObject({
    repository: repositoryPath.describe("Repository inside the cluster's registry (ECR)."),
    tag: imageTag.optional().describe('Image tag, never "latest". Set a tag, a digest, or both (then the digest decides).'),
    digest: imageDigest.optional().describe('Image digest (sha256:…). Production clusters require one.'),
  })
  .describe('Container image from the cluster registry; its tag (and digest) come from here.');

const command = z
  .array(z.string().min(1))
  .min(1, 'must name the program to run')
  .describe("Program and arguments the container runs. Required: Argo Workflows' emissary executor wraps it, so it cannot fall back to the image entrypoint.");

const cpuMemory = z.strictObject({ cpu: cpuQuantity, memory: memoryQuantity });

const resources = z
  .strictObject({
    requests: cpuMemory.describe('What the scheduler reserves.'),
    limits: cpuMemory.describe('Hard ceiling; memory over it kills the container.'),
  })
  .describe('CPU and memory of the container; requests no larger than limits.');

const deadline = (seconds: number) =>
  z
    .number()
    .int()
    .min(60, 'must be at least 60 seconds')
    .max(86_400, 'must be at most 86400 seconds (a day)')
    .default(seconds)
    .describe(`activeDeadlineSeconds of the workflow: Argo Workflows stops it after this long. Default: ${seconds}.`);

const services = z
  .array(dnsLabel)
  .min(1, 'must name at least one service')
  .describe('Services (apps/<service>/) the pods call on their port named "http": egress is opened to exactly these, and each lets these pods in. The first is the default base-url.');

const integrationTests = z
  .strictObject({
    image: registryImage,
    command,
    services,
    resources: resources.default({ requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } }),
    activeDeadlineSeconds: deadline(1800),
  })
  .describe('WorkflowTemplate integration-tests: the test-runner image against the services. Parameters: revision, base-url.');

const loadTest = z
  .strictObject({
    k6: z
      .strictObject({
        tag: imageTag.describe('grafana/k6 release, e.g. "1.7.1" (keep the `# renovate:` comment above it).'),
        digest: imageDigest.optional().describe('Digest of that release. Production clusters require one.'),
      })
      .describe('The grafana/k6 image, pinned by tag.'),
    services,
    vus: z.number().int().min(1, 'must be >= 1').max(1000, 'must be <= 1000').default(10).describe('Default of the vus parameter (virtual users). Default: 10.'),
    duration: z
      .string()
      .regex(/^[1-9][0-9]*(s|m|h)$/, 'must be a k6 duration such as "30s", "2m" or "1h"')
      .default('2m')
      .describe('Default of the duration parameter. Default: 2m.'),
    thresholds: z
      .strictObject({
        p95Ms: z.number().int().min(1).default(500).describe('95th percentile request duration, in milliseconds, the run must stay under. Default: 500.'),
        errorRate: z.number().min(0).max(1).default(0.01).describe('Share of failed requests the run may not exceed. Default: 0.01.'),
      })
      .default({ p95Ms: 500, errorRate: 0.01 })
      .describe('k6 thresholds: a run that breaks one fails the workflow.'),
    resources: resources.default({ requests: { cpu: '500m', memory: '256Mi' }, limits: { cpu: '2', memory: '1Gi' } }),
    activeDeadlineSeconds: deadline(3600),
  })
  .describe('WorkflowTemplate load-test: k6 against the services. Parameters: revision, base-url, vus, duration.');

const dbMigrate = z
  .strictObject({
    image: registryImage.describe('Default of the migration-image parameter (the migration image of a release), from the cluster registry.'),
    command,
    database: dnsLabel.describe('The postgres resource (infra/<name>.yaml) to migrate: its connection, credentials and network path are wired in as for a service.'),
    resources: resources.default({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } }),
    activeDeadlineSeconds: deadline(900),
  })
  .describe('WorkflowTemplate db-migrate: runs a migration image against the database. Parameters: revision, migration-image.');

/** `workflows:` of a cluster. */
export const workflowsSettings = z
  .strictObject({
    integrationTests: integrationTests.optional(),
    loadTest: loadTest.optional(),
    dbMigrate: dbMigrate.optional(),
  })
  .optional()
  .describe('Argo Workflows templates `gitops verify` submits in this cluster (rendered/workflows/, namespace verification). Default: none.');

export type WorkflowsInput = z.infer<typeof workflowsSettings>;

/** What the rules read of the parsed cluster. */
interface ClusterShape {
  readonly flavor?: unknown;
  readonly production?: unknown;
  readonly workflows?: WorkflowsInput;
}

/**
 * Rules across fields of `workflows:`: every image is pinned (a tag or a digest, a digest in
 * production), requests are no larger than limits.
 */
export function workflowsClusterRules(cluster: ClusterShape, ctx: z.RefinementCtx): void {
  const workflows = cluster.workflows;
  if (!workflows) return;
  const production = isProduction(cluster);
  const images: [string, { tag?: string; digest?: string } | undefined][] = [
    ['integrationTests', workflows.integrationTests?.image],
    ['dbMigrate', workflows.dbMigrate?.image],
  ];
  for (const [key, image] of images) {
    if (!image) continue;
    if (!image.tag && !image.digest) ctx.addIssue({ code: 'custom', path: ['workflows', key, 'image'], message: 'set image.tag or image.digest' });
    else if (production && !image.digest) {
      ctx.addIssue({ code: 'custom', path: ['workflows', key, 'image', 'digest'], message: 'is required in a production cluster: pin the image by digest (sha256:…)' });
    }
  }
  if (workflows.loadTest && production && !workflows.loadTest.k6.digest) {
    ctx.addIssue({ code: 'custom', path: ['workflows', 'loadTest', 'k6', 'digest'], message: 'is required in a production cluster: pin grafana/k6 by digest (sha256:…)' });
  }
  for (const key of ['integrationTests', 'loadTest', 'dbMigrate'] as const) {
    const resources = workflows[key]?.resources;
    if (!resources) continue;
    if (cpuMillis(resources.requests.cpu) > cpuMillis(resources.limits.cpu)) {
      ctx.addIssue({ code: 'custom', path: ['workflows', key, 'resources', 'requests', 'cpu'], message: `must be <= limits.cpu (${resources.limits.cpu})` });
    }
    if (memoryBytes(resources.requests.memory) > memoryBytes(resources.limits.memory)) {
      ctx.addIssue({ code: 'custom', path: ['workflows', key, 'resources', 'requests', 'memory'], message: `must be <= limits.memory (${resources.limits.memory})` });
    }
  }
}

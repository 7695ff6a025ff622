import { z } from 'zod';
import { cpuQuantity, dnsLabel, dnsSubdomain, envName, memoryQuantity, portName, portNumber, stringOrParam } from './common.js';

/** An image tag: never `latest`. Shared with `gitops deploy`, which checks `--tag` with it. */
export const imageTag = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'must be an image tag (letters, digits, "_", "." and "-", at most 128 characters)')
  .refine((tag) => tag !== 'latest', 'must not be "latest": pin a version tag or a digest so every render means one image');

/** An image digest (`sha256:` and 64 hex digits). Shared with `gitops deploy`. */
export const imageDigest = z.string().regex(/^sha256:[a-f0-9]{64}$/, 'must be a digest such as "sha256:" followed by 64 hex digits');

const image = z
  .strictObject({
    repository: z
      .string()
      .regex(/^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/, 'must be a repository path such as "learning-platform/user-service"')
      .describe("Repository inside the cluster's registry."),
    tag: imageTag.optional().describe('Image tag. Set a tag, a digest, or both (then the digest decides).'),
    digest: imageDigest.optional().describe('Image digest, e.g. sha256:… Production requires one.'),
  })
  .describe('Container image. In <cluster>.yaml, tag and digest are taken together: set either and both come from that file.');

const port = z.strictObject({
  name: portName.describe('Port name, referenced by probes and ingress.'),
  port: portNumber.describe('Container port; the Service exposes the same number.'),
});

const probe = z
  .strictObject({
    path: z.string().regex(/^\//, 'must start with "/"').optional().describe('HTTP GET path; without it the probe opens a TCP connection.'),
    port: portName.describe('Name of the port to probe.'),
    initialDelaySeconds: z.number().int().min(0).optional().describe('Default: 0.'),
    periodSeconds: z.number().int().min(1).optional().describe('Default: 10.'),
    timeoutSeconds: z.number().int().min(1).optional().describe('Default: 1.'),
    failureThreshold: z.number().int().min(1).optional().describe('Default: 3 (startup: 30).'),
  })
  .describe('An HTTP or TCP probe.');

const resources = z.strictObject({
  requests: z.strictObject({ cpu: cpuQuantity, memory: memoryQuantity }).describe('What the scheduler reserves.'),
  limits: z.strictObject({ cpu: cpuQuantity, memory: memoryQuantity }).describe('Hard ceiling; memory over it kills the container.'),
});

const autoscaling = z
  .strictObject({
    minReplicas: z.number().int().min(1, 'must be >= 1'),
    maxReplicas: z.number().int().min(1, 'must be >= 1'),
    targetCPUUtilizationPercent: z.number().int().min(1).max(100).default(70).describe('Average CPU utilisation to aim for. Default: 70.'),
  })
  .describe('HorizontalPodAutoscaler bounds; then replicas must not be set.');

const secretRef = z
  .strictObject({
    store: z.enum(['secrets-manager', 'parameter-store']).describe('AWS Secrets Manager or SSM Parameter Store.'),
    key: z.string().min(1).describe('Secret name (Secrets Manager) or parameter name (SSM), never the value.'),
    property: z.string().min(1).optional().describe('JSON property inside the secret, when it holds a JSON object.'),
  })
  .describe('Where the secret lives; External Secrets copies it into the namespace.');

const ingress = z
  .strictObject({
    host: dnsSubdomain.describe('Host name: a full name, or a name under the cluster domain (e.g. "api" → api.<domain>).'),
    path: z.string().regex(/^\//, 'must start with "/"').default('/').describe('Path prefix. Default: /.'),
    port: portName.describe('Name of the port the ingress forwards to.'),
  })
  .describe('Public HTTP(S) route to the service.');

/** A duration Argo Rollouts reads: a whole number of seconds, minutes or hours, above zero. */
export const rolloutDuration = z
  .string()
  .regex(/^[1-9][0-9]*(s|m|h)$/, 'must be a duration such as "30s", "5m" or "1h" (a whole number above 0 and s, m or h)');

const canaryStep = z
  .strictObject({
    weight: z.number().int().min(1, 'must be >= 1').max(100, 'must be <= 100').describe('Percent of the traffic sent to the new version at this step (1-100).'),
    pause: rolloutDuration.describe('How long the step holds before its analysis runs, e.g. "5m".'),
  })
  .describe('One canary step: shift to `weight` percent, hold for `pause`, then run the analysis.');

const rolloutAnalysis = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Run the analysis after every step; a failed analysis aborts the rollout and returns all traffic to the stable version. Default: true.'),
    maxErrorRatePercent: z.number().min(0).max(100).default(1).describe('Highest share of 5xx responses of the new version (its ALB target group on EKS), in percent. Default: 1.'),
    maxP95LatencyMs: z.number().int().min(1).default(500).describe('Highest p95 response time of the new version (ALB TargetResponseTime), in milliseconds. Default: 500.'),
    minRequests: z
      .number()
      .int()
      .min(1, 'must be >= 1')
      .default(100)
      .describe(
        'Fewest requests the new version must serve in a measurement window (the last 5 minutes; its ALB target group on EKS) for the measurement to judge it. Fewer, or no data at all, is Inconclusive: the rollout pauses for a person and never reaches 100% on silence. Default: 100 (below it, with the default 1% threshold, a single 5xx decides).',
      ),
    interval: rolloutDuration.default('1m').describe('Time between two measurements. Default: 1m.'),
    measurements: z.number().int().min(1).max(30).default(3).describe('Measurements per analysis run. Default: 3.'),
    failureLimit: z.number().int().min(0).default(0).describe('Failed measurements tolerated before the run fails. Default: 0.'),
  })
  .describe('The automated analysis between canary steps.');

/** The analysis a canary gets when its input names none. */
export const defaultRolloutAnalysis = rolloutAnalysis.parse({});

const rollout = z
  .strictObject({
    strategy: z
      .enum(['canary', 'rolling'])
      .optional()
      .describe('canary: an Argo Rollouts canary with traffic shifted step by step and analysed; rolling: a plain Deployment rolling update. Default: canary in a production cluster for a service with an ingress, else rolling.'),
    steps: z
      .array(canaryStep)
      .min(1, 'must list at least one step')
      .optional()
      .describe('Canary steps, weights rising; after the last one the new version takes 100%. Default: 10% → 25% → 50%, 5 minutes each.'),
    analysis: rolloutAnalysis.optional().describe('Analysis between the steps. Default: on, 1% 5xx, 500 ms p95, at least 100 requests per window, 3 measurements a minute apart.'),
  })
  .describe('How a new version is rolled out.');

/**
 * `apps/<service>/service.yaml`, after `apps/<service>/<cluster>.yaml` is deep-merged onto it.
 * The service name is the folder name.
 */
export const serviceSchema = z.strictObject({
  team: dnsLabel.describe('Owning team (CODEOWNERS, labels).'),
  image,
  ports: z.array(port).min(1, 'must list at least one port'),
  replicas: z.number().int().min(1, 'must be >= 1').optional().describe('Fixed replica count. Default: 2. Leave out when autoscaling is set.'),
  autoscaling: autoscaling.optional(),
  resources,
  probes: z.strictObject({
    readiness: probe,
    liveness: probe,
    startup: probe.optional().describe('Default: the readiness probe with a 30-try budget.'),
  }),
  env: z.record(envName, z.string()).default({}).describe('Plain environment variables (ConfigMap). Never secrets.'),
  secretEnv: z.record(envName, secretRef).default({}).describe('Environment variables read from AWS secret stores.'),
  ingress: ingress.optional(),
  allowFrom: z.array(dnsLabel).default([]).describe('Services allowed to call this one (NetworkPolicy).'),
  uses: z.array(dnsLabel).default([]).describe('Infrastructure resources (infra/<name>.yaml) this service uses.'),
  rollout: rollout.default({}),
  serviceAccount: z
    .strictObject({
      roleArn: stringOrParam.optional().describe('IAM role for the pods (IRSA, EKS only).'),
    })
    .default({})
    .describe('The pods\' Kubernetes service account.'),
});

export type ServiceInput = z.infer<typeof serviceSchema>;

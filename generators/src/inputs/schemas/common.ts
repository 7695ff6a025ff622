import { z } from 'zod';
import { KUBERNETES_RELEASES } from '../../tools/versions.js';

/** DNS-1035 label: what a Service, Namespace or app name must be (lower case, starts with a letter). */
export const dnsLabel = z
  .string()
  .max(63, 'must be at most 63 characters (a DNS-1035 label)')
  .regex(/^[a-z]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS-1035 label: lower-case letters, digits and "-", starting with a letter, e.g. "user-service"');

/** DNS-1123 subdomain: a host name part or a resource name. */
export const dnsSubdomain = z
  .string()
  .max(253, 'must be at most 253 characters')
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, 'must be a DNS name: lower-case letters, digits, "-" and ".", e.g. "api.example.com"');

/** IANA service name, which Kubernetes requires for named container ports. */
export const portName = z
  .string()
  .max(15, 'must be at most 15 characters (a Kubernetes port name)')
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be lower-case letters, digits and "-", e.g. "http"')
  .refine((name) => /[a-z]/.test(name), 'must contain at least one letter');

export const portNumber = z.number().int('must be a whole number').min(1, 'must be >= 1').max(65535, 'must be <= 65535');

/** CPU quantity: cores (`0.5`, `2`) or millicores (`250m`). */
export const cpuQuantity = z
  .union([z.number().positive(), z.string()])
  .transform(String)
  .pipe(z.string().regex(/^([0-9]+(\.[0-9]+)?|[0-9]+m)$/, 'must be a CPU quantity such as "250m" or "1"'));

/** Memory quantity in binary units (`256Mi`, `1Gi`). */
export const memoryQuantity = z
  .string()
  .regex(/^[0-9]+(Ki|Mi|Gi|Ti)$/, 'must be a memory quantity in binary units such as "256Mi" or "1Gi"');

/** Environment variable name. */
export const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name (letters, digits, "_"), e.g. "LOG_LEVEL"');

/**
 * A value read from the cluster's `params.yaml` (written by `gitops params pull` from SSM), written
 * `{ param: network/vpc-id }`; resolved when the model is built, a missing name is an input error.
 */
export const paramRef = z.strictObject({
  param: z.string().min(1).describe('Parameter name relative to the cluster SSM path, e.g. "ingress/certificate-arn".'),
});
export type ParamRef = z.infer<typeof paramRef>;

/** A literal string or a reference to a parameter in `clusters/<cluster>/params.yaml`. */
export const stringOrParam = z.union([z.string().min(1), paramRef]);
export type StringOrParam = z.infer<typeof stringOrParam>;

/**
 * Kubernetes minor version the cluster runs, e.g. "1.35": one of the minors whose release is
 * pinned (`KUBERNETES_RELEASES`), since manifests are validated against that release's schemas.
 */
export const kubernetesMinor = z
  .string()
  .regex(/^1\.[0-9]{2}$/, 'must be a Kubernetes minor version such as "1.35" (quote it in YAML)')
  .refine((minor) => Object.hasOwn(KUBERNETES_RELEASES, minor), {
    // Like a wrong type, an unsupported minor stops the cluster's cross-field rules (k3s.version
    // against kubernetesVersion, ...), which would only report consequences of it.
    abort: true,
    error: (issue) => `Kubernetes ${String(issue.input)} is not supported; supported minors: ${Object.keys(KUBERNETES_RELEASES).join(', ')} (pinned in generators/src/tools/versions.ts)`,
  });

import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AnalysisTemplate, AnalysisTemplateSpecMetricsFailureLimit } from '../../../imports/argoproj.io.js';
import { withVerbatimJson } from '../verbatim-json.js';
import { dnsRule, egressRule, type NetworkRule } from './app-network-policy.js';

/** The argument the Rollout passes: the pod-template hash of the version under test. */
export const jobAnalysisArgs = {
  revision: { name: 'revision', podTemplateHashValue: 'Latest' },
} as const;

export interface AppJobAnalysisTemplateProps {
  /** AnalysisTemplate name. */
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** `app.kubernetes.io/name` of the Job's pods (the service's NetworkPolicy lets them in). */
  readonly podName: string;
  /** Test-runner image (the cluster's integration-tests image). */
  readonly image: string;
  readonly command: readonly string[];
  /** Environment of the test runner (BASE_URL, CLUSTER, ...). */
  readonly env: readonly { readonly name: string; readonly value: string }[];
  readonly resources: { readonly requests: { cpu: string; memory: string }; readonly limits: { cpu: string; memory: string } };
  /** The Job is stopped (and the analysis fails) after this long. */
  readonly activeDeadlineSeconds: number;
  /** Service account of the pod (its token is not mounted). */
  readonly serviceAccountName: string;
  /** Where the pods may connect besides DNS (the canary's port). */
  readonly egress: readonly NetworkRule[];
}

/**
 * The analysis of a canary without load balancer metrics (k3s): a Job that runs the cluster's
 * integration-test image against the new version; the Job failing fails the analysis, which aborts
 * the rollout. The pod runs Pod Security restricted (non-root, read-only root file system with a
 * `/tmp` emptyDir, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp) with
 * requests and limits, and a NetworkPolicy of its own opens DNS and the listed egress only.
 */
export class AppJobAnalysisTemplate extends Construct {
  constructor(scope: Construct, id: string, props: AppJobAnalysisTemplateProps) {
    super(scope, id);
    const labels = { ...props.labels, 'app.kubernetes.io/name': props.podName };
    const restricted = { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } };
    const jobSpec = {
      backoffLimit: 0,
      activeDeadlineSeconds: props.activeDeadlineSeconds,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          serviceAccountName: props.serviceAccountName,
          automountServiceAccountToken: false,
          securityContext: { ...restricted, fsGroup: 10001 },
          containers: [
            {
              name: 'integration-tests',
              image: props.image,
              imagePullPolicy: 'IfNotPresent',
              command: [...props.command],
              env: props.env.map((variable) => ({ name: variable.name, value: variable.value })),
              resources: props.resources,
              securityContext: { ...restricted, allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
        },
      },
    };
    const template = new AnalysisTemplate(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
      spec: {
        args: [{ name: jobAnalysisArgs.revision.name }],
        // The Job spec is plain Kubernetes JSON, set after the generated class's typed mapping (below).
        metrics: [{ name: 'integration-tests', failureLimit: AnalysisTemplateSpecMetricsFailureLimit.fromNumber(0), provider: { job: { spec: { template: {} } } } }],
      },
    });
    withVerbatimJson(template, (json) => ({
      ...json,
      spec: { ...json['spec'], metrics: (json['spec'].metrics as Record<string, unknown>[]).map((metric) => ({ ...metric, provider: { job: { spec: jobSpec } } })) },
    }));
    new kplus.k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata: { name: props.podName, namespace: props.namespace, labels },
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': props.podName } },
        // No `ingress` list: with policyType Ingress, an absent list allows nothing (an empty one is dropped by the API server).
        policyTypes: ['Ingress', 'Egress'],
        egress: [dnsRule, ...props.egress].map(egressRule),
      },
    });
  }
}


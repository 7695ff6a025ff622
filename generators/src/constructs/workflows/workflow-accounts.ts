import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';

interface AccountProps {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
}

/** A ServiceAccount with a Role of its own, bound to it: `name` for all three. */
function accountWithRole(scope: Construct, props: AccountProps, automount: boolean, rules: kplus.k8s.PolicyRule[], annotations?: Record<string, string>): void {
  const metadata = { name: props.name, namespace: props.namespace, labels: props.labels };
  new kplus.k8s.KubeServiceAccount(scope, 'ServiceAccount', { metadata: { ...metadata, ...(annotations ? { annotations } : {}) }, automountServiceAccountToken: automount });
  new kplus.k8s.KubeRole(scope, 'Role', { metadata, rules });
  new kplus.k8s.KubeRoleBinding(scope, 'RoleBinding', {
    metadata,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: props.name },
    subjects: [{ kind: 'ServiceAccount', name: props.name, namespace: props.namespace }],
  });
}

/**
 * The service account the workflow pods run as, with exactly what the Argo Workflows emissary
 * executor needs (`workflowtaskresults` create and patch, Argo Workflows >= 3.4) and nothing else.
 * Its token is mounted: the executor's `wait` container reports the step's result through the API
 * with it (Argo Workflows can only keep a token out with a legacy token Secret, which would have to
 * be committed). The templates hide it from the main containers.
 */
export class WorkflowExecutorAccount extends Construct {
  constructor(scope: Construct, id: string, props: AccountProps) {
    super(scope, id);
    accountWithRole(this, props, true, [{ apiGroups: ['argoproj.io'], resources: ['workflowtaskresults'], verbs: ['create', 'patch'] }], {
      'learning-platform.io/token-automount': 'the Argo Workflows executor (wait container) reports results with it; it may only create and patch workflowtaskresults',
    });
  }
}

/**
 * The identity `gitops verify` acts as: the Argo Server runs in client auth mode, so every call is
 * made with the caller's token (ARGO_TOKEN) and this Role bounds it to this namespace: read the
 * WorkflowTemplates, submit and follow workflows (create, get, list, watch), stop them (patch),
 * read their pods' logs. No token is mounted anywhere; one is issued outside Git
 * (`kubectl -n <namespace> create token <name>`).
 */
export class WorkflowSubmitterAccount extends Construct {
  constructor(scope: Construct, id: string, props: AccountProps) {
    super(scope, id);
    accountWithRole(this, props, false, [
      { apiGroups: ['argoproj.io'], resources: ['workflowtemplates'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['argoproj.io'], resources: ['workflows'], verbs: ['create', 'get', 'list', 'watch', 'patch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
    ]);
  }
}

import { describe, expect, it } from 'vitest';
import { WorkflowExecutorAccount, WorkflowSubmitterAccount } from '../../../src/constructs/workflows/workflow-accounts.js';
import { synthChart, type Manifest } from '../../../src/render/manifest-files.js';

const props = { namespace: 'verification', labels: { 'app.kubernetes.io/part-of': 'learning-platform' } };
const find = (manifests: Manifest[], kind: string) => manifests.find((m) => m.kind === kind) as any;

describe('WorkflowExecutorAccount', () => {
  const out = synthChart((chart) => new WorkflowExecutorAccount(chart, 'E', { ...props, name: 'workflow-executor' }));

  it('renders a ServiceAccount, a Role and a RoleBinding of one name', () => {
    expect(out.map((m) => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`)).toEqual([
      'ServiceAccount/verification/workflow-executor',
      'Role/verification/workflow-executor',
      'RoleBinding/verification/workflow-executor',
    ]);
  });

  it('grants exactly what the emissary executor needs: create and patch workflowtaskresults', () => {
    expect(find(out, 'Role').rules).toEqual([{ apiGroups: ['argoproj.io'], resources: ['workflowtaskresults'], verbs: ['create', 'patch'] }]);
    expect(find(out, 'RoleBinding')).toMatchObject({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'workflow-executor' },
      subjects: [{ kind: 'ServiceAccount', name: 'workflow-executor', namespace: 'verification' }],
    });
  });

  it('mounts its token (the wait container reports results with it) and says why', () => {
    const account = find(out, 'ServiceAccount');
    expect(account.automountServiceAccountToken).toBe(true);
    expect(account.metadata.annotations['learning-platform.io/token-automount']).toMatch(/workflowtaskresults/);
  });
});

describe('WorkflowSubmitterAccount', () => {
  const out = synthChart((chart) => new WorkflowSubmitterAccount(chart, 'S', { ...props, name: 'gitops-verify' }));

  it('never mounts a token and may only submit, follow, stop and read logs in its namespace', () => {
    expect(find(out, 'ServiceAccount').automountServiceAccountToken).toBe(false);
    expect(find(out, 'Role').rules).toEqual([
      { apiGroups: ['argoproj.io'], resources: ['workflowtemplates'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['argoproj.io'], resources: ['workflows'], verbs: ['create', 'get', 'list', 'watch', 'patch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
    ]);
    expect(out.some((m) => m.kind === 'ClusterRole' || m.kind === 'ClusterRoleBinding')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import type { RehearsalResult } from '../../src/rehearse/rehearsal.js';
import { formatRehearsal, noiseOf } from '../../src/rehearse/report.js';
import type { AppVerdict } from '../../src/rehearse/verdict.js';

// Messages as Argo CD v3.5.3 wrote them in a rehearsal of staging (2026-12-08).
const lastApplied = (plural: string) => `Warning: resource ${plural} is missing the kubectl.kubernetes.io/last-applied-configuration annotation which is required by  apply.  apply should only be used on resources created declaratively by either  create --save-config or  apply.  The missing annotation will be patched automatically.`;
const reconcile = `role.rbac.authorization.k8s.io/gitops-verify reconciled. reconciliation required create\n\tmissing rules added:\n\t\t{Verbs:[get list watch] APIGroups:[argoproj.io] Resources:[workflowtemplates] ResourceNames:[] NonResourceURLs:[]}role.rbac.authorization.k8s.io/gitops-verify configured. ${lastApplied('roles/gitops-verify')}`;

const app = (name: string, results: AppVerdict['results'], extra: Partial<AppVerdict> = {}): AppVerdict =>
  ({ name, project: name, sources: [], rehearsed: true, sync: 'Synced', health: 'Healthy', revision: 'c', phase: 'Succeeded', operationMessage: '', syncStartedAt: 't', retrying: false, blocked: false, deleting: false, results, conditions: [], resources: [], cascadeDelete: false, settled: true, ...extra }) as AppVerdict;

const result = (apps: AppVerdict[]): RehearsalResult =>
  ({
    cluster: 'staging',
    argocdRelease: 'v3.5.3',
    kubernetesRelease: 'v1.35.4',
    head: { commit: 'c'.repeat(40), syncedCommit: 'c'.repeat(40), syncWindowsSetAside: [], apps, appSets: [], settled: true, diagnostics: [], seconds: 60 },
    skippedBootstrap: [],
    bootstrapApplied: ['AppProject argocd/argocd', 'Application argocd/root'],
  }) as unknown as RehearsalResult;

describe('the rehearsal report keeps noise out of the way', () => {
  it('counts Role/RoleBinding reconcile notes and the bootstrap objects\' last-applied warnings; a passing Application is one line', () => {
    const lines = formatRehearsal(result([
      app('root', [{ resource: 'Application argocd/root', status: 'Synced', message: `application.argoproj.io/root configured. ${lastApplied('applications/root')}` }]),
      app('workflows', [{ resource: 'Role verification/gitops-verify', status: 'Synced', message: reconcile }, { resource: 'ConfigMap verification/x', status: 'Synced', message: 'configmap/x created' }]),
    ]));
    expect(lines.slice(1)).toEqual([
      '  root (project root): Synced, last sync Succeeded; 1 noise (--verbose shows it)',
      '  workflows (project workflows): Synced, last sync Succeeded; 1 noise (--verbose shows it)',
      "  noise, counted (--verbose shows it verbatim): 1 last-applied-configuration warnings on objects the rehearsal's bootstrap applied server-side; 1 Role/RoleBinding reconcile notes (kubectl auth reconcile, then apply)",
    ]);
  });

  it('keeps every failure and real warning in full, and --verbose shows the noise verbatim', () => {
    const real = { resource: 'Deployment web/web', status: 'Synced', message: `deployment.apps/web configured. ${lastApplied('deployments/web')}` };
    const failed = { resource: 'Service web/web', status: 'SyncFailed', message: 'Service "web" is invalid: spec.ports[0].port: Invalid value: 70000' };
    const lines = formatRehearsal(result([app('web', [real, failed], { phase: 'Failed', sync: 'OutOfSync' })]));
    expect(lines.join('\n')).toContain(`    Synced Deployment web/web: deployment.apps/web configured. ${lastApplied('deployments/web')}`);
    expect(lines.join('\n')).toContain('    SyncFailed Service web/web: Service "web" is invalid');
    const verbose = formatRehearsal(result([app('workflows', [{ resource: 'Role verification/gitops-verify', status: 'Synced', message: reconcile }])]), { verbose: true });
    expect(verbose.join('\n')).toContain('Synced Role verification/gitops-verify: role.rbac.authorization.k8s.io/gitops-verify reconciled.');
    expect(verbose.join('\n')).not.toContain('noise');
  });

  it('a last-applied warning is noise only on an object the bootstrap applied, and any other warning is never noise', () => {
    const bootstrap = new Set(['Application argocd/root']);
    expect(noiseOf({ resource: 'Application argocd/other', status: 'Synced', message: lastApplied('applications/other') }, bootstrap)).toBeUndefined();
    expect(noiseOf({ resource: 'Role a/b', status: 'Synced', message: `${reconcile} Warning: would violate PodSecurity "restricted:latest"` }, bootstrap)).toBeUndefined();
    expect(noiseOf({ resource: 'Role a/b', status: 'SyncFailed', message: reconcile }, bootstrap)).toBeUndefined();
  });
});

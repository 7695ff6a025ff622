import { describe, expect, it } from 'vitest';
import { RestrictedWorkflowTemplate, serviceAccountTokenPath, type RestrictedWorkflowTemplateProps } from '../../../src/constructs/workflows/restricted-workflow-template.js';
import { synthChart } from '../../../src/render/manifest-files.js';
import { allContainers, podTemplates } from '../../../src/validate/pod-templates.js';
import { restrictedViolations } from '../../../src/validate/policies/pod-security-restricted.js';

const props: RestrictedWorkflowTemplateProps = {
  name: 'smoke',
  namespace: 'verification',
  labels: { 'app.kubernetes.io/part-of': 'learning-platform' },
  description: 'Smoke test.',
  serviceAccountName: 'workflow-executor',
  parameters: [
    { name: 'revision', value: '', description: 'Commit.' },
    { name: 'target', description: 'Required at submit time.' },
  ],
  container: {
    image: 'registry.example.com/smoke:1.0.0',
    command: ['/app/smoke'],
    args: ['--target', '{{workflow.parameters.target}}'],
    env: [{ name: 'REVISION', value: '{{workflow.parameters.revision}}' }],
    envFrom: { configMaps: ['db-connection'], secrets: ['db-credentials'] },
    resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
    configMapMounts: [{ configMap: 'scripts', mountPath: '/scripts' }],
  },
  activeDeadlineSeconds: 600,
};

function render(overrides: Partial<RestrictedWorkflowTemplateProps> = {}): any {
  const [template] = synthChart((chart) => new RestrictedWorkflowTemplate(chart, 'T', { ...props, ...overrides }));
  return template;
}

describe('RestrictedWorkflowTemplate', () => {
  it('is a WorkflowTemplate named after its template, entrypoint included, run as the given account', () => {
    const template = render();
    expect(template).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', kind: 'WorkflowTemplate', metadata: { name: 'smoke', namespace: 'verification' } });
    expect(template.metadata.annotations).toEqual({ 'workflows.argoproj.io/description': 'Smoke test.' });
    expect(template.spec.entrypoint).toBe('smoke');
    expect(template.spec.templates.map((t: any) => t.name)).toEqual(['smoke']);
    expect(template.spec.serviceAccountName).toBe('workflow-executor');
  });

  it('takes the parameters verify passes, with their defaults; one without a default is required', () => {
    expect(render().spec.arguments.parameters).toEqual([
      { name: 'revision', value: '', description: 'Commit.' },
      { name: 'target', description: 'Required at submit time.' },
    ]);
  });

  it('meets Pod Security restricted on every container, with a read-only root file system and /tmp', () => {
    const template = render();
    const pods = podTemplates(template);
    expect(pods).toHaveLength(1);
    expect(restrictedViolations(pods[0]!.spec)).toEqual([]);
    expect(template.spec.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    for (const { container } of allContainers(pods[0]!.spec)) {
      expect(container.securityContext).toEqual({
        runAsNonRoot: true,
        runAsUser: 10001,
        runAsGroup: 10001,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(container.resources).toEqual({ requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } });
      expect(container['volumeMounts']).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    }
    expect(template.spec.volumes).toContainEqual({ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } });
  });

  it('hides the service-account token (the executor needs it) from the main container', () => {
    const container = render().spec.templates[0].container;
    expect(container.volumeMounts).toContainEqual({ name: 'no-api-token', mountPath: serviceAccountTokenPath, readOnly: true });
    expect(render().spec.volumes).toContainEqual({ name: 'no-api-token', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
  });

  it('spells out the command (the emissary executor needs it), args, env, envFrom and read-only ConfigMap mounts', () => {
    const container = render().spec.templates[0].container;
    expect(container).toMatchObject({
      image: 'registry.example.com/smoke:1.0.0',
      imagePullPolicy: 'IfNotPresent',
      command: ['/app/smoke'],
      args: ['--target', '{{workflow.parameters.target}}'],
      env: [{ name: 'REVISION', value: '{{workflow.parameters.revision}}' }],
      envFrom: [{ configMapRef: { name: 'db-connection' } }, { secretRef: { name: 'db-credentials' } }],
    });
    expect(container.volumeMounts).toContainEqual({ name: 'scripts', mountPath: '/scripts', readOnly: true });
    expect(render().spec.volumes).toContainEqual({ name: 'scripts', configMap: { name: 'scripts' } });
  });

  it('bounds the run and cleans up: deadline, TTL, pod GC', () => {
    const spec = render().spec;
    expect(spec.activeDeadlineSeconds).toBe(600);
    expect(spec.ttlStrategy).toEqual({ secondsAfterSuccess: 3600, secondsAfterFailure: 86400 });
    expect(spec.podGC).toEqual({ strategy: 'OnPodSuccess' });
  });

  it('labels the pods (and workflows) with the template name, which the network policies select on', () => {
    const spec = render().spec;
    expect(spec.podMetadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'smoke', 'app.kubernetes.io/part-of': 'learning-platform' });
    expect(spec.workflowMetadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'smoke' });
  });
});

import { describe, expect, it } from 'vitest';
import { allContainers, podTemplates } from '../../src/validate/pod-templates.js';
import { restrictedViolations } from '../../src/validate/policies/pod-security-restricted.js';

/**
 * Argo Workflows objects hold one pod per template that runs a container: the policies (and the
 * risk flags of `gitops diff`) must see them as the workflow controller builds them.
 */

const restricted = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };

function workflowTemplate(spec: Record<string, unknown>, apiVersion = 'argoproj.io/v1alpha1', kind = 'WorkflowTemplate') {
  return { apiVersion, kind, metadata: { name: 'wt', namespace: 'verification' }, spec };
}

describe('podTemplates on Argo Workflows objects', () => {
  it('finds one pod per container, script and containerSet template, none for steps/dag templates', () => {
    const templates = podTemplates(
      workflowTemplate({
        entrypoint: 'main',
        templates: [
          { name: 'main', steps: [[{ name: 'a', template: 'a' }]] },
          { name: 'a', container: { image: 'r/a:1', command: ['a'] } },
          { name: 'b', script: { image: 'r/b:1', command: ['sh'], source: 'true' } },
          { name: 'c', containerSet: { containers: [{ name: 'x', image: 'r/x:1' }, { name: 'y', image: 'r/y:1' }] } },
          { name: 'd', dag: { tasks: [] } },
          { name: 'e', resource: { action: 'create', manifest: '{}' } },
        ],
      }),
    );
    expect(templates.map((t) => t.path)).toEqual(['spec.templates[a]', 'spec.templates[b]', 'spec.templates[c]']);
    expect(templates.every((t) => t.runsToCompletion)).toBe(true);
    expect(allContainers(templates[0]!.spec).map(({ container, type }) => `${type} ${container.name}`)).toEqual(['container main']);
    expect(allContainers(templates[2]!.spec).map(({ container }) => container.name)).toEqual(['x', 'y']);
  });

  it('builds the pod as the controller does: init containers, sidecars, security context, volumes, host network', () => {
    const [template] = podTemplates(
      workflowTemplate({
        hostNetwork: true,
        securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        volumes: [{ name: 'tmp', emptyDir: {} }],
        podMetadata: { annotations: { a: 'workflow' } },
        templates: [
          {
            name: 'run',
            metadata: { annotations: { b: 'template' } },
            securityContext: { runAsUser: 0 },
            initContainers: [{ name: 'init', image: 'r/i:1' }],
            container: { name: 'custom', image: 'r/a:1' },
            sidecars: [{ name: 'side', image: 'r/s:1' }],
            volumes: [{ name: 'host', hostPath: { path: '/' } }],
          },
        ],
      }),
    );
    expect(allContainers(template!.spec).map(({ container, type }) => `${type} ${container.name}`)).toEqual(['initContainer init', 'container custom', 'container side']);
    // The template's pod security context replaces the workflow's (not merged), as in the controller.
    expect(template!.spec.securityContext).toEqual({ runAsUser: 0 });
    expect(template!.spec.volumes?.map((v) => v['name'])).toEqual(['tmp', 'host']);
    expect(template!.spec.hostNetwork).toBe(true);
    expect(template!.annotations).toEqual({ a: 'workflow', b: 'template' });
    const problems = restrictedViolations(template!.spec, template!.annotations);
    expect(problems).toContain('hostNetwork must not be true');
    expect(problems).toContain('pod runAsUser must not be 0 (root)');
    expect(problems.some((p) => p.startsWith('volume "host" uses hostPath'))).toBe(true);
    expect(problems).toContain('container "side": securityContext.allowPrivilegeEscalation must be false');
  });

  it('checks an image given as a parameter as its default; an unknown parameter stays as written', () => {
    const [template] = podTemplates(
      workflowTemplate({
        arguments: { parameters: [{ name: 'image', value: 'r/migrate:2.3.0' }] },
        templates: [
          {
            name: 'run',
            inputs: { parameters: [{ name: 'side', default: 'r/side:1.0.0' }] },
            container: { image: '{{workflow.parameters.image}}', securityContext: restricted },
            sidecars: [{ name: 'side', image: '{{ inputs.parameters.side }}' }, { name: 'other', image: '{{workflow.parameters.missing}}' }],
          },
        ],
      }),
    );
    expect(allContainers(template!.spec).map(({ container }) => container.image)).toEqual(['r/migrate:2.3.0', 'r/side:1.0.0', '{{workflow.parameters.missing}}']);
  });

  it('covers Workflow, ClusterWorkflowTemplate and CronWorkflow, and only in the argoproj.io group', () => {
    const templates = [{ name: 't', container: { image: 'r/a:1' } }];
    expect(podTemplates(workflowTemplate({ templates }, 'argoproj.io/v1alpha1', 'Workflow'))).toHaveLength(1);
    expect(podTemplates(workflowTemplate({ templates }, 'argoproj.io/v1alpha1', 'ClusterWorkflowTemplate'))).toHaveLength(1);
    const cron = podTemplates({ apiVersion: 'argoproj.io/v1alpha1', kind: 'CronWorkflow', metadata: { name: 'c' }, spec: { schedule: '* * * * *', workflowSpec: { templates } } });
    expect(cron.map((t) => t.path)).toEqual(['spec.workflowSpec.templates[t]']);
    expect(podTemplates(workflowTemplate({ templates }, 'example.com/v1', 'WorkflowTemplate'))).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { chartName, externalSource } from '../../src/rehearse/verdict.js';

describe('how the rehearsal names a source outside the repository', () => {
  it('a Helm chart by name and version, an OCI chart by its last path segment', () => {
    expect(externalSource({ repoURL: 'https://argoproj.github.io/argo-helm', chart: 'argo-cd', targetRevision: '10.1.1' })).toBe('chart argo-cd 10.1.1 (https://argoproj.github.io/argo-helm)');
    expect(externalSource({ repoURL: 'oci://public.ecr.aws/aws-controllers-k8s/rds-chart', path: '.', targetRevision: '1.10.1' })).toBe('chart rds-chart 1.10.1 (oci://public.ecr.aws/aws-controllers-k8s/rds-chart)');
    expect(chartName({ repoURL: 'oci://public.ecr.aws/aws-controllers-k8s/rds-chart/' })).toBe('rds-chart');
  });

  it("another repository's folder as manifests, by path and revision (Argo CD's CRDs)", () => {
    expect(externalSource({ repoURL: 'https://github.com/argoproj/argo-cd.git', path: 'manifests/crds', targetRevision: 'v3.5.3' })).toBe('manifests manifests/crds v3.5.3 (https://github.com/argoproj/argo-cd.git)');
  });
});

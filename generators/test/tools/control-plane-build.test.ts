/**
 * How the kube-apiserver build module is made: the staging modules come from the pinned release's
 * own go.mod (the real one, fetched with go mod download), replaced at their published versions.
 * The build itself is exercised by every test that starts a server (apiserver/).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtToolPath, stagingModules, stagingVersion } from '../../src/tools/control-plane-build.js';
import { downloadGoModule } from '../../src/tools/go.js';
import { KUBERNETES_1_35, KUBERNETES_MODULE } from '../../src/tools/versions.js';

describe('the control-plane build', () => {
  it('reads the staging modules a Kubernetes release requires at v0.0.0 from its go.mod', { timeout: 300_000 }, async () => {
    const dir = await downloadGoModule(KUBERNETES_MODULE, KUBERNETES_1_35);
    const modules = stagingModules(await readFile(path.join(dir, 'go.mod'), 'utf8'));
    expect(modules).toHaveLength(29);
    expect(modules).toContain('k8s.io/api');
    expect(modules).toContain('k8s.io/apiextensions-apiserver');
    expect(modules.every((m) => m.startsWith('k8s.io/'))).toBe(true);
  });

  it('ignores modules required at a real version, and comments', () => {
    const goMod = 'module k8s.io/kubernetes\n\nrequire (\n\tk8s.io/api v0.0.0\n\tk8s.io/klog/v2 v2.130.1\n\tk8s.io/kubectl v0.0.0 // indirect\n)\nrequire k8s.io/metrics v0.0.0\n';
    expect(stagingModules(goMod)).toEqual(['k8s.io/api', 'k8s.io/kubectl', 'k8s.io/metrics']);
  });

  it('publishes the staging modules of v1.X.Y as v0.X.Y, and refuses anything else', () => {
    expect(stagingVersion('v1.35.4')).toBe('v0.35.4');
    expect(() => stagingVersion('v1.35')).toThrow(/cannot derive the staging module version of Kubernetes v1.35/);
  });

  it('keeps each binary under .tools/bin/<name>-<version>/', () => {
    expect(builtToolPath('/repo', 'kube-apiserver', 'v1.35.4')).toBe('/repo/.tools/bin/kube-apiserver-v1.35.4/kube-apiserver');
  });
});

/**
 * How the Argo CD build module is made: its replace lines come from the pinned release's own go.mod
 * (the real one, fetched with go mod download); a local folder replace becomes the published module
 * pinned for that release, which the Go module proxy really serves. The build itself is exercised by
 * the rehearsal tests (rehearse/).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ToolError } from '../../src/errors.js';
import { readAddonCatalogue } from '../../src/inputs/addons.js';
import { argoCdRelease } from '../../src/inputs/releases.js';
import { ARGOCD_MODULE, buildReplaces, goModReplaces, isLocalReplace } from '../../src/tools/argocd-build.js';
import { downloadGoModule } from '../../src/tools/go.js';
import { ARGOCD_NESTED_MODULES } from '../../src/tools/versions.js';
import { repoRoot } from '../support/temp-repo.js';

describe('the Argo CD build', () => {
  it('replaces the local gitops-engine folder of the pinned release by the published module the proxy serves', { timeout: 300_000 }, async () => {
    const { catalogue } = await readAddonCatalogue(repoRoot);
    const release = argoCdRelease(catalogue!);
    const dir = await downloadGoModule(ARGOCD_MODULE, release);
    const replaces = goModReplaces(await readFile(path.join(dir, 'go.mod'), 'utf8'));
    expect(replaces.find((r) => r.from === 'k8s.io/api')?.version).toMatch(/^v0\.\d+\.\d+$/);
    expect(replaces.filter(isLocalReplace).map((r) => r.to)).toEqual(['./gitops-engine']);

    const lines = buildReplaces(release, replaces);
    expect(lines.filter((line) => line.includes('./'))).toEqual([]);
    const engine = lines.find((line) => line.startsWith('replace github.com/argoproj/argo-cd/gitops-engine =>'));
    expect(engine).toBe(`replace github.com/argoproj/argo-cd/gitops-engine => ${ARGOCD_NESTED_MODULES[release]!['./gitops-engine']}`);
    const [module, version] = ARGOCD_NESTED_MODULES[release]!['./gitops-engine']!.split(' ');
    const engineDir = await downloadGoModule(module!, version!);
    await expect(readFile(path.join(engineDir, 'go.mod'), 'utf8')).resolves.toMatch(/^module github\.com\/argoproj\/argo-cd\/gitops-engine$/m);
    // The script the repo-server runs on every manifest generation ships in the module.
    await expect(readFile(path.join(dir, 'hack', 'git-verify-wrapper.sh'), 'utf8')).resolves.toContain('git verify-commit');
  });

  it('refuses a release whose local folder has no published module pinned, naming where to pin it', () => {
    const replaces = [{ from: 'github.com/argoproj/argo-cd/gitops-engine', to: './gitops-engine' }];
    expect(() => buildReplaces('v3.4.4', replaces, {})).toThrow(ToolError);
    expect(() => buildReplaces('v3.4.4', replaces, {})).toThrow(/ARGOCD_NESTED_MODULES in generators\/src\/tools\/versions\.ts; buildable: none/);
    expect(buildReplaces('v3.5.3', replaces, { 'v3.5.3': { './gitops-engine': 'github.com/argoproj/argo-cd/gitops-engine v0.0.0-1' } })).toEqual([
      'replace github.com/argoproj/argo-cd/gitops-engine => github.com/argoproj/argo-cd/gitops-engine v0.0.0-1',
    ]);
  });

  it('parses single lines and blocks, and ignores comments', () => {
    const goMod = 'module x\n\nreplace (\n\t// why\n\ta/b => a/b v1.2.3\n\tc/d v0.1.0 => e/f v0.2.0 // pinned\n)\n\nreplace g/h => ./h\n';
    expect(goModReplaces(goMod)).toEqual([
      { from: 'a/b', to: 'a/b', version: 'v1.2.3' },
      { from: 'c/d', to: 'e/f', version: 'v0.2.0' },
      { from: 'g/h', to: './h' },
    ]);
  });
});

/**
 * How the Argo CD build module is made: its replace lines come from the pinned release's own go.mod
 * (the real one, fetched with go mod download); a local folder replace is kept as a folder the build
 * fills from the release tag. The build itself is exercised by the rehearsal tests (rehearse/).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAddonCatalogue } from '../../src/inputs/addons.js';
import { ARGOCD_MODULE, goModReplaces, isLocalReplace } from '../../src/tools/argocd-build.js';
import { downloadGoModule } from '../../src/tools/go.js';
import { chartAppRelease } from '../../src/validate/crd-sources.js';
import { repoRoot } from '../support/temp-repo.js';

describe('the Argo CD build', () => {
  it('builds the release the clusters install: charts.argo-cd.appVersion of clusters/addons.yaml', async () => {
    const { catalogue } = await readAddonCatalogue(repoRoot);
    expect(chartAppRelease(catalogue!, 'argo-cd')).toMatch(/^v3\.\d+\.\d+$/);
  });

  it('reads the replace block of the pinned release, the Kubernetes modules and the local gitops-engine folder', { timeout: 300_000 }, async () => {
    const { catalogue } = await readAddonCatalogue(repoRoot);
    const dir = await downloadGoModule(ARGOCD_MODULE, chartAppRelease(catalogue!, 'argo-cd'));
    const replaces = goModReplaces(await readFile(path.join(dir, 'go.mod'), 'utf8'));
    expect(replaces.find((r) => r.from === 'k8s.io/api')?.version).toMatch(/^v0\.\d+\.\d+$/);
    expect(replaces.filter(isLocalReplace).map((r) => r.to)).toEqual(['./gitops-engine']);
    // The script the repo-server runs on every manifest generation ships in the module.
    await expect(readFile(path.join(dir, 'hack', 'git-verify-wrapper.sh'), 'utf8')).resolves.toContain('git verify-commit');
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

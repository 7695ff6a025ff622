import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ToolError } from '../../src/errors.js';
import { runProcess } from '../../src/tools/process.js';
import { GO_TOOLS } from '../../src/tools/versions.js';
import { repoRoot } from '../support/temp-repo.js';

const SLOW = { timeout: 600_000 };
const saved = { PATH: process.env['PATH'], KUBECONFORM_BIN: process.env['KUBECONFORM_BIN'] };
const scratch: string[] = [];

afterEach(async () => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await Promise.all(scratch.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/**
 * A fresh copy of go.ts, so its per-process memo (installs, `go version`) starts empty, with the
 * `ToolError` class of that same fresh module graph.
 */
async function freshGo(): Promise<typeof import('../../src/tools/go.js') & { ToolError: typeof ToolError }> {
  vi.resetModules();
  const [go, errors] = await Promise.all([import('../../src/tools/go.js'), import('../../src/errors.js')]);
  return { ...go, ToolError: errors.ToolError };
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gitops-go-'));
  scratch.push(dir);
  return dir;
}

describe('pinned Go tools', () => {
  it('Pass when kubeconform is installed at the pinned version into .tools/bin/<name>-<version>/', SLOW, async () => {
    delete process.env['KUBECONFORM_BIN'];
    const { ensureGoTool, goToolPath } = await freshGo();
    const binary = await ensureGoTool('kubeconform', repoRoot);
    expect(binary).toBe(goToolPath(repoRoot, 'kubeconform'));
    expect(binary).toBe(path.join(repoRoot, '.tools', 'bin', `kubeconform-${GO_TOOLS.kubeconform.version}`, 'kubeconform'));
    const info = await runProcess('go', ['version', '-m', binary]);
    expect(info.stdout).toMatch(new RegExp(`\\bmod\\s+github\\.com/yannh/kubeconform\\s+${GO_TOOLS.kubeconform.version.replace(/\./g, '\\.')}\\b`));
    // The second call finds it without installing.
    expect(await ensureGoTool('kubeconform', repoRoot)).toBe(binary);
  });

  it('Pass when KUBECONFORM_BIN names a binary: it is used as is', async () => {
    const dir = await tempDir();
    const fake = path.join(dir, 'my-kubeconform');
    await writeFile(fake, '#!/bin/sh\necho v0.8.0\n');
    await chmod(fake, 0o755);
    process.env['KUBECONFORM_BIN'] = fake;
    const { ensureGoTool } = await freshGo();
    expect(await ensureGoTool('kubeconform', dir)).toBe(fake);
  });

  it('Fail when KUBECONFORM_BIN names no executable file', async () => {
    process.env['KUBECONFORM_BIN'] = '/nonexistent/kubeconform';
    const { ensureGoTool } = await freshGo();
    await expect(ensureGoTool('kubeconform', await tempDir())).rejects.toThrow(/KUBECONFORM_BIN=\/nonexistent\/kubeconform is not an executable file/);
  });

  it('Fail when go is missing: a ToolError says what needed it', async () => {
    delete process.env['KUBECONFORM_BIN'];
    process.env['PATH'] = await tempDir();
    const { ensureGoTool, downloadGoModule, ToolError } = await freshGo();
    const install = ensureGoTool('kubeconform', await tempDir());
    await expect(install).rejects.toBeInstanceOf(ToolError);
    await expect(install).rejects.toThrow(/go is needed to install kubeconform v\d+\.\d+\.\d+/);
    await expect(downloadGoModule('k8s.io/kubernetes', 'v1.35.4')).rejects.toThrow(/go is needed to download k8s\.io\/kubernetes@v1\.35\.4/);
  });

  it('Pass when go mod download returns the module folder', SLOW, async () => {
    const { downloadGoModule } = await freshGo();
    const dir = await downloadGoModule('github.com/k3s-io/helm-controller', 'v0.17.9');
    expect(dir).toMatch(/github\.com\/k3s-io\/helm-controller@v0\.17\.9$/);
    expect(await readFile(path.join(dir, 'pkg/crds/yaml/generated/helm.cattle.io_helmcharts.yaml'), 'utf8')).toContain('kind: CustomResourceDefinition');
  });

  it('Fail when a module version cannot be downloaded: the ToolError names module and version', SLOW, async () => {
    const { downloadGoModule, ToolError } = await freshGo();
    const download = downloadGoModule('github.com/yannh/kubeconform', 'v0.0.0-does-not-exist');
    await expect(download).rejects.toBeInstanceOf(ToolError);
    await expect(download).rejects.toThrow(/^go mod download github\.com\/yannh\/kubeconform@v0\.0\.0-does-not-exist failed: /);
  });
});

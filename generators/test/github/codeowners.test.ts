import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CODEOWNERS_PATH, ownersOf, renderCodeowners } from '../../src/github/codeowners.js';
import { loadPlatform } from '../../src/inputs/platform.js';
import { repoRoot, tempRepo, type TempRepo } from '../support/temp-repo.js';
import { gitops } from '../support/cli.js';

const repos: TempRepo[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((repo) => repo.cleanup()));
});


/** The owner GitHub applies to a path: the last matching CODEOWNERS line (the patterns used here). */
function ownerOf(codeowners: string, file: string): string | undefined {
  let owner: string | undefined;
  for (const line of codeowners.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const [pattern, who] = line.split(/\s+/);
    const regex = new RegExp(
      `^${pattern!
        .replace(/^\//, '')
        .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '[^/]*')}${pattern!.endsWith('/') ? '' : '$'}`,
    );
    if (pattern === '*' || regex.test(file)) owner = who;
  }
  return owner;
}

describe('CODEOWNERS', () => {
  it('is committed as the inputs generate it (render writes it; render --check compares it)', async () => {
    const committed = await readFile(path.join(repoRoot, CODEOWNERS_PATH), 'utf8');
    expect(committed).toBe(renderCodeowners(ownersOf(await loadPlatform(repoRoot))));
  });

  it('gives each service folder to its team, production inputs and .github/ to the platform owners', async () => {
    const codeowners = renderCodeowners(ownersOf(await loadPlatform(repoRoot)));
    expect(ownerOf(codeowners, 'apps/user-service/service.yaml')).toBe('@example-org/identity');
    expect(ownerOf(codeowners, 'apps/user-service/staging.yaml')).toBe('@example-org/identity');
    expect(ownerOf(codeowners, 'clusters/staging/rendered/apps/user-service/deployment.user-service.yaml')).toBe('@example-org/identity');
    expect(ownerOf(codeowners, 'apps/user-service/production.yaml')).toBe('@example-org/platform');
    expect(ownerOf(codeowners, 'clusters/production/cluster.yaml')).toBe('@example-org/platform');
    expect(ownerOf(codeowners, 'clusters/production/rendered/apps/user-service/deployment.user-service.yaml')).toBe('@example-org/platform');
    expect(ownerOf(codeowners, '.github/workflows/pr.yaml')).toBe('@example-org/platform');
    expect(ownerOf(codeowners, 'README.md')).toBe('@example-org/platform');
  });

  it('Fail when a team changes and CODEOWNERS is not regenerated; render fixes it', async () => {
    const repo = await tempRepo({ fromExample: true });
    repos.push(repo);
    expect((await gitops(repo.root, 'render')).code).toBe(0);
    expect((await gitops(repo.root, 'render', '--check')).code).toBe(0);
    const service = await repo.read('apps/frontend/service.yaml');
    await repo.write('apps/frontend/service.yaml', service.replace(/^team: .*$/m, 'team: storefront'));
    const check = await gitops(repo.root, 'render', '--check');
    expect(check.code).toBe(1);
    expect(check.err.join('\n')).toContain(`changed: ${CODEOWNERS_PATH}`);
    expect((await gitops(repo.root, 'render')).code).toBe(0);
    expect(await repo.read(CODEOWNERS_PATH)).toMatch(/^\/apps\/frontend\/\s+@example-org\/storefront$/m);
    expect((await gitops(repo.root, 'render', '--check')).code).toBe(0);
  });
});

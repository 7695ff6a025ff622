import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCrds, importsFolder } from '../../src/tools/import-crds.js';
import { repoRoot } from '../support/temp-repo.js';

describe('npm run import', () => {
  it('regenerates generators/imports byte for byte from the pinned CRDs (nothing there is hand-edited)', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'gitops-imports-'));
    try {
      const result = await importCrds(repoRoot, undefined, path.join(out, 'imports'));
      const committed = (await readdir(path.join(repoRoot, importsFolder))).sort();
      expect(result.files).toEqual(committed);
      for (const file of committed) {
        const fresh = await readFile(path.join(out, 'imports', file), 'utf8');
        expect(fresh, `${importsFolder}/${file} differs from a fresh \`npm run import\``).toBe(await readFile(path.join(repoRoot, importsFolder, file), 'utf8'));
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 600_000);
});

import { cp, mkdtemp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import { stringify } from 'yaml';

/** Root of this repository (where the example inputs live). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface TempRepo {
  readonly root: string;
  /** Writes a file (objects are serialized as YAML). */
  write(file: string, content: string | object): Promise<void>;
  read(file: string): Promise<string>;
  remove(file: string): Promise<void>;
  cleanup(): Promise<void>;
}

/**
 * A temporary repository. With `fromExample`, it starts as a copy of this repository's inputs
 * (apps/, infra/, clusters/<c>/cluster.yaml and params.yaml, and what render writes when asked:
 * the rendered trees and .github/CODEOWNERS).
 */
export async function tempRepo(options: { fromExample?: boolean; withRendered?: boolean } = {}): Promise<TempRepo> {
  const root = await mkdtemp(path.join(tmpdir(), 'gitops-test-'));
  if (options.fromExample) {
    for (const folder of ['apps', 'infra']) {
      await cp(path.join(repoRoot, folder), path.join(root, folder), { recursive: true }).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    }
    await cp(path.join(repoRoot, 'clusters'), path.join(root, 'clusters'), {
      recursive: true,
      filter: (source) => options.withRendered === true || !source.split(path.sep).includes('rendered'),
    });
    if (options.withRendered) {
      // render writes .github/CODEOWNERS beside the rendered trees.
      await cp(path.join(repoRoot, '.github/CODEOWNERS'), path.join(root, '.github/CODEOWNERS'));
    }
  }
  return {
    root,
    async write(file, content) {
      const target = path.join(root, file);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, typeof content === 'string' ? content : stringify(content));
    },
    read: (file) => readFile(path.join(root, file), 'utf8'),
    remove: (file) => rm(path.join(root, file), { recursive: true, force: true }),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/**
 * Makes `cacheRoot` share this repository's binaries (`.tools/`) and converted schemas
 * (`.cache/schemas/`) through links, while its verdict caches (`.cache/verdicts/`) stay its own.
 */
export async function shareToolsAndSchemas(cacheRoot: string): Promise<void> {
  await mkdir(path.join(cacheRoot, '.cache'), { recursive: true });
  await symlink(path.join(repoRoot, '.tools'), path.join(cacheRoot, '.tools'));
  await symlink(path.join(repoRoot, '.cache', 'schemas'), path.join(cacheRoot, '.cache', 'schemas'));
}

/** `tempRepo` for the tests of one file: every repository made during a test is removed after it. */
export function tempReposOfEachTest(): (options?: Parameters<typeof tempRepo>[0]) => Promise<TempRepo> {
  const made: TempRepo[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((repo) => repo.cleanup()));
  });
  return async (options) => {
    const repo = await tempRepo(options);
    made.push(repo);
    return repo;
  };
}

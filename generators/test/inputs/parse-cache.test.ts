import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { flushParseCache } from '../../src/inputs/parse-cache.js';
import { loadPlatform } from '../../src/inputs/platform.js';
import { loadIssues } from '../support/input-fixtures.js';
import { tempReposOfEachTest } from '../support/temp-repo.js';

const newRepo = tempReposOfEachTest();
const cacheFile = (root: string) => path.join(root, '.cache/inputs/parsed.json');

/** Loads the inputs and keeps what was parsed, as `render` does. */
async function load(root: string) {
  try {
    return await loadPlatform(root);
  } finally {
    await flushParseCache(root);
  }
}

describe('input parse cache', () => {
  it('gives the platform a full parse gives, and keeps one entry per input file read', async () => {
    const repo = await newRepo({ fromExample: true });
    const cold = await load(repo.root);
    const cached = JSON.parse(await readFile(cacheFile(repo.root), 'utf8')) as { entries: Record<string, string> };
    expect(Object.keys(cached.entries).length).toBeGreaterThan(10);
    expect(await load(repo.root)).toEqual(cold);
    // A corrupt cache is a cold one.
    await writeFile(cacheFile(repo.root), '{"code": "x", "entries": {');
    expect(await load(repo.root)).toEqual(cold);
  });

  it('locates an error in a file that came from the cache as a full parse does', async () => {
    const repo = await newRepo({ fromExample: true });
    await load(repo.root);
    // Services whose (cached, unchanged) service.yaml uses platform-db now name a resource that is gone.
    await repo.remove('infra/platform-db.yaml');
    const fromCache = await loadIssues(repo.root);
    expect(fromCache.some((issue) => /^apps\/payment-service\/service\.yaml:\d+:\d+ uses/.test(issue)), fromCache.join('\n')).toBe(true);
    await rm(path.join(repo.root, '.cache'), { recursive: true, force: true });
    expect(fromCache).toEqual(await loadIssues(repo.root));
  });
});

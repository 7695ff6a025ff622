import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { flushParseCache, forgetParseCache, parseCacheStats } from '../../src/inputs/parse-cache.js';
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

/** Loads the inputs as a new process would: this process's copy of the cache is dropped first. Returns the platform and how the cache answered. */
async function loadFresh(root: string) {
  forgetParseCache(root);
  const platform = await load(root);
  return { platform, stats: await parseCacheStats(root) };
}

describe('input parse cache', () => {
  it('gives the platform a full parse gives, keeps one entry per input file parsed, and answers every file from them next time', async () => {
    const repo = await newRepo({ fromExample: true });
    const cold = await loadFresh(repo.root);
    // Cold: every input file is parsed (a text met twice in the run is answered by the first parse).
    expect(cold.stats.misses).toBeGreaterThan(10);
    const reads = cold.stats.hits + cold.stats.misses;
    const cached = JSON.parse(await readFile(cacheFile(repo.root), 'utf8')) as { entries: Record<string, string> };
    expect(Object.keys(cached.entries)).toHaveLength(cold.stats.misses);
    // Warm, from the file on disk: every read is a hit, nothing is parsed.
    const warm = await loadFresh(repo.root);
    expect(warm.platform).toEqual(cold.platform);
    expect(warm.stats).toEqual({ hits: reads, misses: 0 });
    // A corrupt cache is a cold one.
    await writeFile(cacheFile(repo.root), '{"code": "x", "entries": {');
    const corrupt = await loadFresh(repo.root);
    expect(corrupt.platform).toEqual(cold.platform);
    expect(corrupt.stats).toEqual(cold.stats);
  });

  it('locates an error in a file that came from the cache as a full parse does', async () => {
    const repo = await newRepo({ fromExample: true });
    const cold = await loadFresh(repo.root);
    // Services whose (cached, unchanged) service.yaml uses platform-db now name a resource that is gone.
    await repo.remove('infra/platform-db.yaml');
    forgetParseCache(repo.root);
    const fromCache = await loadIssues(repo.root);
    // Nothing was parsed: every file but the removed one came from the cache (some twice: the
    // services that name the missing resource are read again to locate the error).
    const stats = await parseCacheStats(repo.root);
    expect(stats.misses).toBe(0);
    expect(stats.hits).toBeGreaterThanOrEqual(cold.stats.hits + cold.stats.misses - 1);
    expect(fromCache.some((issue) => /^apps\/payment-service\/service\.yaml:\d+:\d+ uses/.test(issue)), fromCache.join('\n')).toBe(true);
    await rm(path.join(repo.root, '.cache'), { recursive: true, force: true });
    forgetParseCache(repo.root);
    expect(fromCache).toEqual(await loadIssues(repo.root));
  });
});

/**
 * The rendered documents the policy checks read, and the cache of parsed documents behind them:
 * the same documents with or without it, a corrupt or stale cache only costs time.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadRenderedDocs, openParsedDocs } from '../../src/validate/rendered-docs.js';
import { repoRoot } from '../support/temp-repo.js';

const scratch: string[] = [];
afterEach(async () => {
  await Promise.all(scratch.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gitops-rendered-docs-'));
  scratch.push(dir);
  return dir;
}

const stagingDir = path.join(repoRoot, 'clusters/staging/rendered');
const load = (parsed?: Awaited<ReturnType<typeof openParsedDocs>>) => loadRenderedDocs(repoRoot, 'staging', stagingDir, parsed);

describe('loadRenderedDocs', () => {
  it('reads the same documents from the cache of parsed documents as from the YAML, cold and warm', async () => {
    const cacheRoot = await tempDir();
    const parsed = await load();
    expect(parsed.length).toBeGreaterThan(100);
    const cold = await openParsedDocs(cacheRoot);
    expect(await load(cold)).toEqual(parsed);
    await cold.save();
    const stored = JSON.parse(await readFile(path.join(cacheRoot, '.cache/verdicts/rendered-docs.json'), 'utf8')) as { entries: Record<string, string> };
    expect(Object.keys(stored.entries).length).toBeGreaterThanOrEqual(parsed.length);
    expect(await load(await openParsedDocs(cacheRoot))).toEqual(parsed);
  });

  it('hands out objects of their own: a check that changes one does not change the next read', async () => {
    const cache = await openParsedDocs(await tempDir());
    const first = await load(cache);
    const expected = structuredClone(first[0]!.object);
    (first[0]!.object.metadata as { name: string }).name = 'changed';
    expect((await load(cache))[0]!.object).toEqual(expected);
  });

  it('parses again what the cache cannot answer for: a corrupt file, a changed document', async () => {
    const cacheRoot = await tempDir();
    const repo = await tempDir();
    const dir = path.join(repo, 'clusters/test/rendered');
    const file = path.join(dir, 'configmap.settings.yaml');
    await mkdir(dir, { recursive: true });
    await writeFile(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: debug\n');
    const warm = await openParsedDocs(cacheRoot);
    const before = await loadRenderedDocs(repo, 'test', dir, warm);
    await warm.save();
    await writeFile(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: info\n');
    const changed = await loadRenderedDocs(repo, 'test', dir, await openParsedDocs(cacheRoot));
    expect(changed[0]!.object['data']).toEqual({ level: 'info' });
    await writeFile(path.join(cacheRoot, '.cache/verdicts/rendered-docs.json'), '{"format": 1, "entries": ');
    await writeFile(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: debug\n');
    expect(await loadRenderedDocs(repo, 'test', dir, await openParsedDocs(cacheRoot))).toEqual(before);
  });
});

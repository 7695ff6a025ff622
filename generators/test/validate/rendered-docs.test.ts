/**
 * The rendered documents the policy checks read, and the cache of parsed documents behind them:
 * the same documents with or without it, a warm cache answers for every document (counted), a
 * corrupt or stale cache only costs time, and a document no policy could read is a finding.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { splitYamlDocuments } from '../../src/validate/documents.js';
import { listYamlFiles } from '../../src/validate/engines.js';
import { loadRenderedDocs, openParsedDocs, UNREADABLE_CHECK } from '../../src/validate/rendered-docs.js';
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
const load = async (parsed?: Awaited<ReturnType<typeof openParsedDocs>>) => {
  const { docs, unreadable } = await loadRenderedDocs(repoRoot, 'staging', stagingDir, parsed);
  expect(unreadable).toEqual([]);
  return docs;
};

/** Every document text of the staging tree, counted independently of the loader. */
async function stagingTexts(): Promise<string[]> {
  const texts: string[] = [];
  for (const file of await listYamlFiles(stagingDir)) texts.push(...splitYamlDocuments(await readFile(file, 'utf8')));
  return texts;
}

/** A temporary repository whose cluster `test` has one rendered file with this text. */
async function oneFile(text: string): Promise<{ repo: string; dir: string; file: string }> {
  const repo = await tempDir();
  const dir = path.join(repo, 'clusters/test/rendered');
  const file = path.join(dir, 'configmap.settings.yaml');
  await mkdir(dir, { recursive: true });
  await writeFile(file, text);
  return { repo, dir, file };
}

describe('loadRenderedDocs', () => {
  it('reads the same documents from the cache of parsed documents as from the YAML; warm, the cache answers for every one', async () => {
    const cacheRoot = await tempDir();
    const parsed = await load();
    const texts = await stagingTexts();
    const distinct = new Set(texts).size;
    expect(parsed).toHaveLength(texts.length);
    expect(parsed.length).toBeGreaterThan(100);
    const cold = await openParsedDocs(cacheRoot);
    expect(await load(cold)).toEqual(parsed);
    // Cold: each distinct document is parsed once; a repeated one is answered by what the run learnt.
    expect(cold.stats).toEqual({ hits: texts.length - distinct, misses: distinct });
    await cold.save();
    const stored = JSON.parse(await readFile(path.join(cacheRoot, '.cache/verdicts/rendered-docs.json'), 'utf8')) as { entries: Record<string, string> };
    expect(Object.keys(stored.entries)).toHaveLength(distinct);
    const warm = await openParsedDocs(cacheRoot);
    expect(await load(warm)).toEqual(parsed);
    expect(warm.stats).toEqual({ hits: texts.length, misses: 0 });
  });

  it('hands out objects of their own: a check that changes one does not change the next read', async () => {
    const cache = await openParsedDocs(await tempDir());
    const first = await load(cache);
    const expected = structuredClone(first[0]!.object);
    (first[0]!.object.metadata as { name: string }).name = 'changed';
    const hitsBefore = cache.stats.hits;
    expect((await load(cache))[0]!.object).toEqual(expected);
    expect(cache.stats.hits - hitsBefore).toBe(first.length);
  });

  it('parses again what the cache cannot answer for: a corrupt file, a changed document', async () => {
    const cacheRoot = await tempDir();
    const { repo, dir, file } = await oneFile('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: debug\n');
    const warm = await openParsedDocs(cacheRoot);
    const before = await loadRenderedDocs(repo, 'test', dir, warm);
    await warm.save();
    await writeFile(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: info\n');
    const stale = await openParsedDocs(cacheRoot);
    const changed = await loadRenderedDocs(repo, 'test', dir, stale);
    expect(changed.docs[0]!.object['data']).toEqual({ level: 'info' });
    expect(stale.stats).toEqual({ hits: 0, misses: 1 });
    await writeFile(path.join(cacheRoot, '.cache/verdicts/rendered-docs.json'), '{"format": 1, "entries": ');
    await writeFile(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: debug\n');
    const corrupt = await openParsedDocs(cacheRoot);
    expect(await loadRenderedDocs(repo, 'test', dir, corrupt)).toEqual(before);
    expect(corrupt.stats).toEqual({ hits: 0, misses: 1 });
  });
});

describe('loadRenderedDocs: documents no policy could read', () => {
  const good = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: good\n  namespace: web\ndata:\n  a: "1"\n';

  it('Fail when a document does not parse: a finding at the file line and column of the parser error, with its message; the other documents are read', async () => {
    // The broken document starts on line 10 of the file; its duplicate key is on its own line 5 (file line 14).
    const broken = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\n  name: again\n';
    const { repo, dir } = await oneFile(`# generated\n${good}---\n${broken}---\n${good.replace('good', 'after')}`);
    for (const cache of [undefined, await openParsedDocs(await tempDir())]) {
      const { docs, unreadable } = await loadRenderedDocs(repo, 'test', dir, cache);
      expect(docs.map((doc) => doc.object.metadata.name)).toEqual(['good', 'after']);
      expect(unreadable).toEqual([
        {
          check: UNREADABLE_CHECK,
          file: 'clusters/test/rendered/configmap.settings.yaml',
          line: 14,
          column: 3,
          resource: 'ConfigMap/broken',
          message: 'does not parse as YAML, so no policy could check it: Map keys must be unique',
          fix: expect.stringContaining('gitops render'),
        },
      ]);
    }
  });

  it('Fail when a document is no Kubernetes object: a finding at its first line', async () => {
    const { repo, dir } = await oneFile(`${good}---\n- just\n- a list\n`);
    const { docs, unreadable } = await loadRenderedDocs(repo, 'test', dir);
    expect(docs).toHaveLength(1);
    expect(unreadable).toMatchObject([{ check: UNREADABLE_CHECK, file: 'clusters/test/rendered/configmap.settings.yaml', line: 9, column: 1, resource: 'document', message: expect.stringMatching(/^is not a Kubernetes object/) }]);
  });

  it('Pass when the documents are comments and separators only: nothing to read, nothing reported', async () => {
    const { repo, dir } = await oneFile('# only a comment\n---\n---\n');
    expect(await loadRenderedDocs(repo, 'test', dir)).toEqual({ docs: [], unreadable: [] });
  });
});

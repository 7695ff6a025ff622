/** Reading a document's identity: off its plain top-level lines, or from a full parse. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { identityOf, parsedIdentity, quickIdentity, splitYamlDocuments } from '../../src/validate/documents.js';
import { listYamlFiles } from '../../src/validate/engines.js';
import { repoRoot } from '../support/temp-repo.js';

describe('quickIdentity', () => {
  it('reads the same identity as a full parse from every document of the committed rendered tree', async () => {
    let read = 0;
    for (const file of await listYamlFiles(path.join(repoRoot, 'clusters'))) {
      for (const text of splitYamlDocuments(await readFile(file, 'utf8'))) {
        const quick = quickIdentity(text);
        if (quick) read++;
        if (quick) expect(quick, file).toEqual(parsedIdentity(text));
      }
    }
    expect(read).toBeGreaterThan(250);
  });

  it('gives up (the caller parses) on flow-style metadata or a value it cannot read plainly', () => {
    expect(quickIdentity('apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\n')).toBeUndefined();
    expect(quickIdentity('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "a b"\n')).toBeUndefined();
    expect(quickIdentity('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels:\n    name: x\n  name: real\n  namespace: "shop"\n')).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', name: 'real', namespace: 'shop' });
  });
});

describe('identityOf', () => {
  it('reads plain top-level lines, and parses what it cannot read plainly', () => {
    expect(identityOf('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: shop\n')).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', name: 'a', namespace: 'shop' });
    expect(identityOf('apiVersion: v1\nkind: ConfigMap\nmetadata: { name: "a b" }\n')).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', name: 'a b' });
    expect(identityOf('apiVersion: v1\nkind: [\n')).toEqual({ apiVersion: '', kind: '', name: '' });
  });
});

import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import type { RenderedDoc } from './checks.js';
import { displayPath, splitYamlDocuments } from './documents.js';
import { listYamlFiles } from './engines.js';

/**
 * Every object of a cluster's rendered folder, parsed, for the policy checks. Documents that do
 * not parse or have no kind or name are left out: the schema engines report those.
 */
export async function loadRenderedDocs(root: string, cluster: string, dir: string): Promise<RenderedDoc[]> {
  const docs: RenderedDoc[] = [];
  for (const file of await listYamlFiles(dir)) {
    const relative = displayPath(root, file);
    for (const text of splitYamlDocuments(await readFile(file, 'utf8'))) {
      let object: unknown;
      try {
        object = parse(text, { maxAliasCount: -1 });
      } catch {
        continue;
      }
      if (!isManifest(object)) continue;
      docs.push({ cluster, file: relative, object });
    }
  }
  return docs;
}

function isManifest(value: unknown): value is RenderedDoc['object'] {
  if (typeof value !== 'object' || value === null) return false;
  const object = value as Record<string, unknown>;
  const metadata = object['metadata'];
  return typeof object['apiVersion'] === 'string' && typeof object['kind'] === 'string' && typeof metadata === 'object' && metadata !== null && typeof (metadata as Record<string, unknown>)['name'] === 'string';
}

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { losslessJson } from '../inputs/parse-cache.js';
import { codeKeyOf } from '../render/code-key.js';
import { mapLimit } from '../render/task-pool.js';
import type { RenderedDoc } from './checks.js';
import { displayPath, splitYamlDocuments } from './documents.js';
import { listYamlFiles } from './engines.js';
import { parseRenderedDocument } from './rendered-parse.js';
import { VerdictCache, verdictKey } from './verdict-cache.js';

/**
 * Parsed rendered documents by content, across runs: `.cache/verdicts/rendered-docs.json`
 * (git-ignored), the JSON of each document's object keyed by its text and the parsing code.
 * Parsing the YAML of 15,000 documents takes seconds; after a one-service change all but a few
 * come from here. Missing, stale or corrupt entries are parsed again.
 */
export type ParsedDocs = VerdictCache<string>;

/** Older entries kept beside the latest run's (an entry is a whole document: ~1 KB). */
const MAX_OLD_PARSED = 5_000;

export function openParsedDocs(cacheRoot: string): Promise<ParsedDocs> {
  return VerdictCache.open(cacheRoot, 'rendered-docs', (value): value is string => typeof value === 'string', { maxOldEntries: MAX_OLD_PARSED });
}

let parser: string | undefined;
/** The parsing code (`rendered-parse`, the yaml package version, Node.js). */
function parserKey(): string {
  const here = fileURLToPath(import.meta.url);
  parser ??= codeKeyOf(path.join(path.dirname(here), `rendered-parse${path.extname(here)}`));
  return parser;
}

/**
 * Every object of a cluster's rendered folder, parsed, for the policy checks. Documents that do
 * not parse or have no kind or name are left out: the schema engines report those. `parsed`, when
 * given, answers for documents parsed before and learns the others; `readText` reads a file
 * (default: from disk).
 */
export async function loadRenderedDocs(root: string, cluster: string, dir: string, parsed?: ParsedDocs, readText: (file: string) => Promise<string> = (file) => readFile(file, 'utf8')): Promise<RenderedDoc[]> {
  const docs: RenderedDoc[] = [];
  const files = await listYamlFiles(dir);
  const texts = await mapLimit(files, 64, readText);
  for (const [i, file] of files.entries()) {
    const relative = displayPath(root, file);
    for (const text of splitYamlDocuments(texts[i]!)) {
      const key = parsed ? verdictKey(parserKey(), text) : undefined;
      const json = key ? parsed!.get(key) : undefined;
      let object: unknown;
      if (json !== undefined) {
        object = JSON.parse(json);
      } else {
        try {
          object = parseRenderedDocument(text);
        } catch {
          continue;
        }
        const stored = key ? losslessJson(object) : undefined;
        if (stored !== undefined) parsed!.set(key!, stored);
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

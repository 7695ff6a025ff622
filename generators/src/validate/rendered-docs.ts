import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { losslessJson } from '../inputs/parse-cache.js';
import { codeKeyOf } from '../render/code-key.js';
import { mapLimit } from '../render/task-pool.js';
import type { Finding, RenderedDoc } from './checks.js';
import { displayPath, quickIdentity, yamlChunks } from './documents.js';
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

/** Id of the findings about rendered documents the policies cannot read. */
export const UNREADABLE_CHECK = 'rendered-yaml';

/** The objects of a cluster's rendered folder, and the documents no policy could read. */
export interface RenderedDocs {
  readonly docs: RenderedDoc[];
  /**
   * One finding per document that does not parse as YAML (located at the parser's line) or is no
   * Kubernetes object (no apiVersion, kind or metadata.name): every policy would skip it.
   */
  readonly unreadable: Finding[];
}

/**
 * Every object of a cluster's rendered folder, parsed, for the policy checks; a document that does
 * not parse or is no object is a finding, never dropped without a word. `parsed`, when given,
 * answers for documents parsed before and learns the others; `readText` reads a file (default:
 * from disk).
 */
export async function loadRenderedDocs(root: string, cluster: string, dir: string, parsed?: ParsedDocs, readText: (file: string) => Promise<string> = (file) => readFile(file, 'utf8')): Promise<RenderedDocs> {
  const docs: RenderedDoc[] = [];
  const unreadable: Finding[] = [];
  const files = await listYamlFiles(dir);
  const texts = await mapLimit(files, 64, readText);
  for (const [i, file] of files.entries()) {
    const relative = displayPath(root, file);
    for (const chunk of yamlChunks(texts[i]!)) {
      if (chunk.empty) continue;
      const { text } = chunk;
      const key = parsed ? verdictKey(parserKey(), text) : undefined;
      const json = key ? parsed!.get(key) : undefined;
      let object: unknown;
      if (json !== undefined) {
        object = JSON.parse(json);
      } else {
        try {
          object = parseRenderedDocument(text);
        } catch (error) {
          unreadable.push(parseFinding(relative, chunk.line, text, error));
          continue;
        }
        const stored = key ? losslessJson(object) : undefined;
        if (stored !== undefined) parsed!.set(key!, stored);
      }
      if (!isManifest(object)) {
        unreadable.push({
          check: UNREADABLE_CHECK,
          file: relative,
          line: chunk.line,
          column: 1,
          resource: documentLabel(text),
          message: 'is not a Kubernetes object (it needs apiVersion, kind and metadata.name), so no policy could check it',
          fix: 'run `gitops render` to rewrite the rendered tree (it is never edited by hand); if the document comes back, the generator that writes it is wrong',
        });
        continue;
      }
      docs.push({ cluster, file: relative, object });
    }
  }
  return { docs, unreadable };
}

/** A finding for a document the YAML parser refused: the file line and column of the parser's first error, and its message. */
function parseFinding(file: string, firstLine: number, text: string, error: unknown): Finding {
  const at = (error as { linePos?: [{ line: number; col: number }] }).linePos?.[0];
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  return {
    check: UNREADABLE_CHECK,
    file,
    line: firstLine + (at ? at.line - 1 : 0),
    column: at?.col ?? 1,
    resource: documentLabel(text),
    message: `does not parse as YAML, so no policy could check it: ${message}`,
    fix: 'run `gitops render` to rewrite the rendered tree (it is never edited by hand); if the document comes back, the generator that writes it is wrong',
  };
}

/** `Kind/namespace/name` when its top-level lines say so plainly, else `document`. */
function documentLabel(text: string): string {
  const identity = quickIdentity(text);
  if (!identity) return 'document';
  return identity.namespace ? `${identity.kind}/${identity.namespace}/${identity.name}` : `${identity.kind}/${identity.name}`;
}

function isManifest(value: unknown): value is RenderedDoc['object'] {
  if (typeof value !== 'object' || value === null) return false;
  const object = value as Record<string, unknown>;
  const metadata = object['metadata'];
  return typeof object['apiVersion'] === 'string' && typeof object['kind'] === 'string' && typeof metadata === 'object' && metadata !== null && typeof (metadata as Record<string, unknown>)['name'] === 'string';
}

import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InputIssue } from '../errors.js';
import { codeKeyOf } from '../render/code-key.js';
import { writeFileAtomic } from '../write-file-atomic.js';

/**
 * The data of input files that parsed without an issue, by their content, across runs:
 * `.cache/inputs/parsed.json` (git-ignored). Parsing YAML with positions is most of the cost of
 * loading 1,000 inputs; an unchanged file's data comes from here instead. Its positions (`locate`,
 * `has`, needed for messages) are parsed from the text when first asked for. The cache is keyed by
 * the parsing code and the yaml package version too; anything missing, stale or corrupt in it is
 * parsed again. `flushParseCache` (called by a `render` that succeeded) keeps the entries of the
 * files this process read.
 */
interface Store {
  readonly entries: Map<string, string>;
  readonly used: Set<string>;
  added: boolean;
  /** Parses answered from the cache, and parses run, since the store was opened. */
  readonly stats: { hits: number; misses: number };
}

/** What `parseYamlText` returns (the `YamlFile` of `yaml-file.ts`, restated here so the two modules do not import each other). */
interface ParsedFile {
  readonly file: string;
  readonly data: unknown;
  readonly locate: (fieldPath: readonly PropertyKey[]) => { line: number; column: number } | undefined;
  readonly has: (fieldPath: readonly PropertyKey[]) => boolean;
  readonly isMap: (fieldPath: readonly PropertyKey[]) => boolean;
}
type Parsed = { file: ParsedFile; issues: InputIssue[] };

const stores = new Map<string, Promise<Store>>();
const cacheFile = (root: string) => path.join(root, '.cache', 'inputs', 'parsed.json');

/**
 * `parse()` of `text`, or its data from the cache when the same text parsed before without an
 * issue. `variant` names whatever else `parse` depends on (parse options), so it is part of the key.
 */
export async function cachedParse(root: string, file: string, text: string, parse: () => Parsed, variant = ''): Promise<Parsed> {
  const store = await storeOf(root);
  const key = createHash('sha1').update(variant).update('\0').update(text).digest('hex');
  store.used.add(key);
  const json = store.entries.get(key);
  if (json !== undefined) {
    store.stats.hits++;
    let full: ParsedFile | undefined;
    const parsed = () => (full ??= parse().file);
    return { issues: [], file: { file, data: JSON.parse(json) as unknown, locate: (at) => parsed().locate(at), has: (at) => parsed().has(at), isMap: (at) => parsed().isMap(at) } };
  }
  store.stats.misses++;
  const result = parse();
  const stored = result.issues.length === 0 && result.file.data !== undefined ? losslessJson(result.file.data) : undefined;
  if (stored !== undefined) {
    store.entries.set(key, stored);
    store.added = true;
  }
  return result;
}

/** Writes the cache when this process parsed something new: the entries of the files it read. */
export async function flushParseCache(root: string): Promise<void> {
  const pending = stores.get(root);
  if (!pending) return;
  const store = await pending;
  if (!store.added && store.used.size === store.entries.size) return;
  const entries: Record<string, string> = {};
  for (const key of store.used) {
    const json = store.entries.get(key);
    if (json !== undefined) entries[key] = json;
  }
  try {
    await writeFileAtomic(cacheFile(root), JSON.stringify({ code: parserKey(), entries }));
    await writeFile(path.join(path.dirname(cacheFile(root)), '.gitignore'), '*\n');
    store.added = false;
  } catch {
    // A cache that cannot be written only costs time.
  }
}

/**
 * How this process's cache of `root` has answered since it was opened: `hits` came from the cache,
 * `misses` were parsed. Zeros before the first parse.
 */
export async function parseCacheStats(root: string): Promise<{ hits: number; misses: number }> {
  const store = await stores.get(root);
  return { hits: store?.stats.hits ?? 0, misses: store?.stats.misses ?? 0 };
}

/**
 * Drops this process's copy of the cache of `root`: the next parse reads `.cache/inputs/parsed.json`
 * again, as a new process would (tests; a long-lived process after another wrote the file).
 */
export function forgetParseCache(root: string): void {
  stores.delete(root);
}

function storeOf(root: string): Promise<Store> {
  let store = stores.get(root);
  if (!store) {
    store = (async () => {
      const empty: Store = { entries: new Map(), used: new Set(), added: false, stats: { hits: 0, misses: 0 } };
      try {
        const read = JSON.parse(await readFile(cacheFile(root), 'utf8')) as { code?: unknown; entries?: Record<string, unknown> };
        if (read.code !== parserKey() || typeof read.entries !== 'object' || read.entries === null) return empty;
        for (const [key, json] of Object.entries(read.entries)) if (typeof json === 'string') empty.entries.set(key, json);
      } catch {
        // Missing or corrupt: everything is parsed.
      }
      return empty;
    })();
    stores.set(root, store);
  }
  return store;
}

let parser: string | undefined;
/** The parsing code (this folder's `yaml-file` module and what it imports, the yaml package version). */
function parserKey(): string {
  const here = fileURLToPath(import.meta.url);
  parser ??= codeKeyOf(path.join(path.dirname(here), `yaml-file${path.extname(here)}`));
  return parser;
}

/** JSON of `data` when parsing it back gives the same value (no non-finite number, -0 or undefined), else undefined. */
export function losslessJson(data: unknown): string | undefined {
  let lossless = true;
  const json = JSON.stringify(data, (_key, value: unknown) => {
    if (value === undefined || (typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0)))) lossless = false;
    else if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype) lossless = false;
    return value;
  });
  return lossless ? json : undefined;
}

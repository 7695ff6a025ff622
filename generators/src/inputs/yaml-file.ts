import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { InputIssue } from '../errors.js';
import { cachedParse } from './parse-cache.js';

/** A parsed input file that remembers where every value came from. */
export interface YamlFile {
  /** Repository-relative path with forward slashes, as printed in messages. */
  readonly file: string;
  /** The plain JS value (`undefined` for an empty file). */
  readonly data: unknown;
  /** Locates a field path in the file: the key of the deepest existing node on the path. */
  readonly locate: (fieldPath: readonly PropertyKey[]) => { line: number; column: number } | undefined;
  /** True when the file has a node at exactly this path (the empty path: the file has content). */
  readonly has: (fieldPath: readonly PropertyKey[]) => boolean;
  /** True when the node at this path is a mapping (whose keys merge with other files' keys). */
  readonly isMap: (fieldPath: readonly PropertyKey[]) => boolean;
}

export interface ParseOptions {
  /**
   * Accept a file without content (nothing, or only comments) as `data: undefined`. Otherwise
   * such a file is one issue, `file is empty`, instead of an error for every required field.
   * @default false
   */
  readonly allowEmpty?: boolean;
}

/** How many alias expansions a file may hold before it is refused (nested aliases grow exponentially). */
const MAX_ALIAS_COUNT = 100;

/**
 * Reads and parses one YAML input. Every way the text can fail to become data (syntax, an alias
 * bomb, no content) comes back as an issue naming the file; only a file that cannot be read
 * (missing: ENOENT) rejects. A text that parsed before without an issue comes from the parse
 * cache (`parse-cache.ts`).
 */
export async function readYamlFile(root: string, file: string, options: ParseOptions = {}): Promise<{ file: YamlFile; issues: InputIssue[] }> {
  // Read synchronously: a small file costs a tenth of the CPU of fs.promises' open, stat, read, close.
  const text = readFileSync(path.join(root, file), 'utf8');
  return cachedParse(root, file, text, () => parseYamlText(file, text, options), options.allowEmpty ? 'allow-empty' : '');
}

export function parseYamlText(file: string, text: string, options: ParseOptions = {}): { file: YamlFile; issues: InputIssue[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const issues: InputIssue[] = [];
  for (const error of [...doc.errors, ...doc.warnings]) {
    const pos = lineCounter.linePos(error.pos[0]);
    issues.push({ file, line: pos.line, column: pos.col, path: '', message: `YAML: ${firstLine(error.message)}` });
  }
  let data: unknown;
  if (issues.length === 0) {
    try {
      data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? undefined;
    } catch (error) {
      // The yaml library throws (a ReferenceError) when aliases expand past the limit.
      const reason = /alias/i.test((error as Error).message) ? `aliases expand to more than ${MAX_ALIAS_COUNT} nodes; write the values out instead of nesting aliases` : firstLine((error as Error).message);
      issues.push({ file, path: '', message: `YAML: ${reason}` });
    }
    if (issues.length === 0 && data === undefined && !options.allowEmpty) issues.push({ file, path: '', message: 'file is empty' });
  }
  const position = (offset: number) => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  return {
    issues,
    file: {
      file,
      data: issues.length === 0 ? data : undefined,
      locate: (fieldPath) => locateNode(doc, fieldPath, position),
      has: (fieldPath) => (fieldPath.length === 0 ? data !== undefined : doc.hasIn(fieldPath.map(keyOf))),
      isMap: (fieldPath) => isMap(fieldPath.length === 0 ? doc.contents : doc.getIn(fieldPath.map(keyOf), true)),
    },
  };
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

function keyOf(key: PropertyKey): unknown {
  return typeof key === 'symbol' ? String(key) : key;
}

function locateNode(
  doc: Document,
  fieldPath: readonly PropertyKey[],
  position: (offset: number) => { line: number; column: number },
): { line: number; column: number } | undefined {
  let node: unknown = doc.contents;
  let best: { line: number; column: number } | undefined = rangeStart(node, position);
  for (const key of fieldPath) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(key));
      if (!pair) break;
      best = rangeStart(pair.key, position) ?? best;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key];
      if (item === undefined) break;
      best = rangeStart(item, position) ?? best;
      node = item;
    } else {
      break;
    }
  }
  return best;
}

function rangeStart(node: unknown, position: (offset: number) => { line: number; column: number }) {
  const range = (node as Node | null | undefined)?.range;
  return range ? position(range[0]) : undefined;
}

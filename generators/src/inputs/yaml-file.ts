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
  /** True when the file has a node at exactly this path. */
  readonly has: (fieldPath: readonly PropertyKey[]) => boolean;
}

/**
 * Reads and parses one YAML input. Syntax errors come back as located issues, never throws for
 * them. A text that parsed before without an issue comes from the parse cache (`parse-cache.ts`).
 */
export async function readYamlFile(root: string, file: string): Promise<{ file: YamlFile; issues: InputIssue[] }> {
  // Read synchronously: a small file costs a tenth of the CPU of fs.promises' open, stat, read, close.
  const text = readFileSync(path.join(root, file), 'utf8');
  return cachedParse(root, file, text, () => parseYamlText(file, text));
}

export function parseYamlText(file: string, text: string): { file: YamlFile; issues: InputIssue[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const issues: InputIssue[] = [];
  for (const error of [...doc.errors, ...doc.warnings]) {
    const pos = lineCounter.linePos(error.pos[0]);
    issues.push({ file, line: pos.line, column: pos.col, path: '', message: `YAML: ${firstLine(error.message)}` });
  }
  const data = issues.length === 0 ? doc.toJS({ maxAliasCount: 100 }) : undefined;
  const position = (offset: number) => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  return {
    issues,
    file: {
      file,
      data: data === null ? undefined : data,
      locate: (fieldPath) => locateNode(doc, fieldPath, position),
      has: (fieldPath) => fieldPath.length === 0 || doc.hasIn(fieldPath.map(keyOf)),
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

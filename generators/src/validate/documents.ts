import path from 'node:path';
import { parse } from 'yaml';

/** One chunk of a multi-document YAML text, as Kubernetes' YAML reader cuts it. */
export interface YamlChunk {
  readonly text: string;
  /** Only comments, blank lines or separators: kubectl-validate reports these as valid. */
  readonly empty: boolean;
  /** 1-based line of the file the chunk starts on. */
  readonly line: number;
}

/**
 * Cuts a multi-document YAML text the way Kubernetes' `yaml.NewYAMLReader` does: a line that
 * starts with `---` followed by nothing but blanks or a comment separates documents, and
 * zero-length chunks are dropped. kubectl-validate prints one status per chunk, so the result
 * lines up one to one with its report.
 */
export function yamlChunks(text: string): YamlChunk[] {
  const chunks: YamlChunk[] = [];
  let buffer = '';
  let start = 1;
  let lineNumber = 0;
  const flush = () => {
    if (buffer.length > 0) chunks.push({ text: buffer, empty: isEmptyDocument(buffer), line: start });
    buffer = '';
    start = lineNumber + 1;
  };
  for (const line of text.match(/[^\n]*\n|[^\n]+$/g) ?? []) {
    lineNumber++;
    const rest = line.startsWith('---') ? line.slice(3).trim() : undefined;
    if (rest !== undefined && (rest === '' || rest.startsWith('#'))) flush();
    else buffer += line;
  }
  flush();
  return chunks;
}

/** The documents of a YAML text that hold something (see `yamlChunks`). */
export function splitYamlDocuments(text: string): string[] {
  return yamlChunks(text)
    .filter((chunk) => !chunk.empty)
    .map((chunk) => chunk.text);
}

function isEmptyDocument(text: string): boolean {
  return text.split('\n').every((line) => {
    const trimmed = line.trim();
    return trimmed === '' || trimmed.startsWith('#') || trimmed === '---';
  });
}

/** apiVersion, kind, name and namespace of a parsed manifest (empty strings when absent). */
export interface ManifestIdentity {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

export function manifestIdentity(value: unknown): ManifestIdentity {
  const object = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const metadata = typeof object['metadata'] === 'object' && object['metadata'] !== null ? (object['metadata'] as Record<string, unknown>) : {};
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const namespace = text(metadata['namespace']);
  return { apiVersion: text(object['apiVersion']), kind: text(object['kind']), name: text(metadata['name']) || text(metadata['generateName']), ...(namespace ? { namespace } : {}) };
}

/**
 * Identity of a document's text: read off its top-level lines where they are plain
 * (`quickIdentity`), else from a full parse; a document that does not parse gets empty fields.
 */
export function identityOf(documentText: string): ManifestIdentity {
  return quickIdentity(documentText) ?? parsedIdentity(documentText);
}

/** Identity of a document's text from a full parse (empty fields when it does not parse). */
export function parsedIdentity(documentText: string): ManifestIdentity {
  try {
    return manifestIdentity(parse(documentText, { maxAliasCount: -1 }));
  } catch {
    return { apiVersion: '', kind: '', name: '' };
  }
}

/**
 * apiVersion, kind, name and namespace read off block-style top-level lines, or undefined when
 * any is not plainly there (the caller parses). A full parse of every document of a 15,000-object
 * tree costs seconds; the rendered tree is block style throughout.
 */
export function quickIdentity(text: string): ManifestIdentity | undefined {
  const scalar = (pattern: RegExp, within: string) => pattern.exec(within)?.[1]?.replace(/^(['"])(.*)\1$/, '$2');
  const apiVersion = scalar(/^apiVersion:[ \t]*([^\s#{}[\]]+)[ \t]*$/m, text);
  const kind = scalar(/^kind:[ \t]*([^\s#{}[\]]+)[ \t]*$/m, text);
  const metadata = /^metadata:[ \t]*\n((?:(?:[ \t]+.*)?\n)*)/m.exec(text)?.[1];
  if (!apiVersion || !kind || metadata === undefined) return undefined;
  const name = scalar(/^ {2}name:[ \t]*([^\s#{}[\]]+)[ \t]*$/m, metadata);
  const namespace = scalar(/^ {2}namespace:[ \t]*([^\s#{}[\]]+)[ \t]*$/m, metadata);
  if (!name) return undefined;
  return { apiVersion, kind, name, ...(namespace ? { namespace } : {}) };
}

/** `file` relative to `root` with forward slashes, or unchanged when outside it. */
export function displayPath(root: string, file: string): string {
  const relative = path.relative(root, file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative.split(path.sep).join('/');
}

import type { z } from 'zod';
import type { InputIssue } from '../errors.js';
import type { YamlFile } from './yaml-file.js';

/**
 * Turns zod issues into located input issues. `files` are searched in order for the field path,
 * so a per-cluster override (listed first) is blamed for the values it sets.
 */
export function zodIssues(error: z.ZodError, files: readonly YamlFile[], schema: z.ZodType): InputIssue[] {
  const issues: InputIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(schema, issue.path);
      for (const key of issue.keys) {
        const fieldPath = [...issue.path, key];
        const hint = suggest(key, known);
        issues.push(located(files, fieldPath, `unknown field${hint ? `; did you mean "${hint}"?` : known.length ? `; allowed here: ${known.join(', ')}` : ''}`));
      }
      continue;
    }
    issues.push(located(files, issue.path, messageOf(issue, schema)));
  }
  return issues;
}

/**
 * Builds an issue at a field path, located in the first file that has the path; a missing field
 * in the file that gave the merged value its nearest existing parent (see `providerOf`).
 */
export function located(files: readonly YamlFile[], fieldPath: readonly PropertyKey[], message: string): InputIssue {
  const owner = files.find((file) => file.has(fieldPath)) ?? ownerOfMissing(files, fieldPath) ?? files[files.length - 1]!;
  const pos = owner.locate(fieldPath);
  return { file: owner.file, line: pos?.line, column: pos?.column, path: fieldPath.map(String).join('.'), message };
}

function ownerOfMissing(files: readonly YamlFile[], fieldPath: readonly PropertyKey[]): YamlFile | undefined {
  for (let depth = fieldPath.length - 1; depth >= 0; depth--) {
    const owner = providerOf(files, fieldPath.slice(0, depth));
    if (owner) return owner;
  }
  return undefined;
}

/**
 * The file a missing key under `parent` belongs in. Files are merged most specific first: maps
 * merge key by key, so a key missing from a map belongs in the least specific file that has the
 * map (service.yaml, not an override that merely exists); a list or scalar comes whole from the
 * most specific file that sets it, so what is missing below it is that file's.
 */
function providerOf(files: readonly YamlFile[], parent: readonly PropertyKey[]): YamlFile | undefined {
  let holders = [...files];
  for (let depth = 0; depth <= parent.length; depth++) {
    const prefix = parent.slice(0, depth);
    holders = holders.filter((file) => file.has(prefix));
    if (holders.length === 0) return undefined;
    if (!holders[0]!.isMap(prefix)) holders = [holders[0]!];
  }
  return holders[holders.length - 1];
}

function messageOf(issue: z.core.$ZodIssue, schema: z.ZodType): string {
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) {
    return 'is required';
  }
  const discriminator = /^Invalid discriminator value\. Expected (.*)$/.exec(issue.message);
  if (discriminator) {
    return `must be one of: ${discriminator[1]!.split(' | ').map((v) => v.replace(/^'|'$/g, '')).join(', ')}`;
  }
  if (issue.code === 'invalid_union' && issue.path.length >= 0) {
    const discriminator = (issue as { note?: string; discriminator?: string }).discriminator;
    const options = unionTags(schema, issue.path);
    if (options.length) return `${discriminator ?? 'value'} must be one of: ${options.join(', ')}`;
  }
  if (issue.code === 'invalid_value') {
    return `must be one of: ${issue.values.map(String).join(', ')}`;
  }
  return issue.message.replace(/^Invalid input: expected (\w+), received (\w+)$/, 'must be a $1, not a $2');
}

type Def = { type: string; shape?: Record<string, z.ZodType>; innerType?: z.ZodType; element?: z.ZodType; in?: z.ZodType; options?: z.ZodType[]; valueType?: z.ZodType; discriminator?: string };

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    if ((def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault') && def.innerType) current = def.innerType;
    else if (def.type === 'pipe' && def.in) current = def.in;
    else return current;
  }
}

/** The object schemas that can stand at a path (several under a union). */
function schemasAt(schema: z.ZodType, fieldPath: readonly PropertyKey[]): z.ZodType[] {
  let current = [unwrap(schema)];
  for (const key of fieldPath) {
    const next: z.ZodType[] = [];
    for (const candidate of current.flatMap(expandUnion)) {
      const def = defOf(candidate);
      if (def.type === 'object' && def.shape && typeof key === 'string' && def.shape[key]) next.push(unwrap(def.shape[key]));
      else if (def.type === 'array' && def.element && typeof key === 'number') next.push(unwrap(def.element));
      else if (def.type === 'record' && def.valueType) next.push(unwrap(def.valueType));
    }
    current = next;
  }
  return current.flatMap(expandUnion);
}

function expandUnion(schema: z.ZodType): z.ZodType[] {
  const def = defOf(schema);
  return def.type === 'union' && def.options ? def.options.map(unwrap).flatMap(expandUnion) : [schema];
}

function knownKeys(schema: z.ZodType, fieldPath: readonly PropertyKey[]): string[] {
  const keys = new Set<string>();
  for (const candidate of schemasAt(schema, fieldPath)) {
    const def = defOf(candidate);
    if (def.type === 'object' && def.shape) Object.keys(def.shape).forEach((key) => keys.add(key));
  }
  return [...keys].sort();
}

function unionTags(schema: z.ZodType, fieldPath: readonly PropertyKey[]): string[] {
  const tags: string[] = [];
  for (const candidate of schemasAt(schema, fieldPath)) {
    const def = defOf(candidate);
    const flavor = def.type === 'object' && def.shape ? Object.entries(def.shape).find(([, v]) => defOf(v).type === 'literal') : undefined;
    if (flavor) tags.push(String((defOf(flavor[1]) as unknown as { values: unknown[] }).values[0]));
  }
  return tags;
}

/** The closest known key by edit distance, when it is close enough to be a typo. */
export function suggest(key: string, known: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (!best || distance < best.distance) best = { key: candidate, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(key.length / 3)) ? best.key : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

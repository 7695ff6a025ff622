import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { applyPatch, structuredPatch } from 'diff';
import { Document, isScalar, parse, parseDocument, Scalar, stringify } from 'yaml';
import type { CommandContext } from '../cli/command.js';
import type { SwapOptions } from '../checkout-lock.js';
import { renderRepository } from '../commands/render.js';
import { FindingsError } from '../errors.js';
import type { Cluster } from '../inputs/clusters.js';
import type { ClusterPlatform, Platform } from '../inputs/platform.js';
import { resolveRepository, type Service } from '../inputs/services.js';
import { suggest } from '../inputs/zod-issues.js';
import { writeFileAtomic } from '../write-file-atomic.js';

/**
 * Image updates of per-cluster service overrides (`apps/<service>/<cluster>.yaml`), shared by
 * `gitops deploy` and `gitops promote`: plan every edit in memory, write them all or none, render,
 * and put the inputs back exactly as they were when the render fails.
 */

/** First line of every override file, for editor completion. */
export const OVERRIDE_SCHEMA_LINE = '# yaml-language-server: $schema=../../generators/schemas/service-override.schema.json';

/** An image as one cluster runs it, with the repository resolved against the cluster's registry. */
export interface ResolvedImage {
  /** Registry host and repository path, e.g. `123456789012.dkr.ecr.eu-west-1.amazonaws.com/learning-platform/user-service`. */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** What a service's image becomes in one cluster. `tag` and `digest` are one pair: what is left out is removed. */
export interface ImageTarget {
  readonly tag?: string;
  readonly digest?: string;
  /** Full repository (registry host and path); left out, the repository stays as it is. */
  readonly repository?: string;
}

/** One planned change of one override file. */
export interface ImageEdit {
  readonly service: string;
  /** Repository-relative path: `apps/<service>/<cluster>.yaml`. */
  readonly file: string;
  /** The file's text before the edit; `undefined` when the edit creates it. */
  readonly before: string | undefined;
  readonly after: string;
  readonly from: ResolvedImage;
  readonly to: ResolvedImage;
  /**
   * True when the yaml library could not re-create the untouched lines exactly (e.g. a flow list
   * written `[a, b]`), so the file comes back in the library's formatting. Values never change.
   */
  readonly reformatted: boolean;
}

/** The image a validated service runs in its cluster. */
export function currentImage(cluster: Pick<Cluster, 'registry'>, service: Pick<Service, 'image'>): ResolvedImage {
  return {
    repository: resolveRepository(cluster.registry, service.image.repository),
    ...(service.image.tag === undefined ? {} : { tag: service.image.tag }),
    ...(service.image.digest === undefined ? {} : { digest: service.image.digest }),
  };
}

/**
 * Plans the image change of one service in one cluster: edits `apps/<service>/<cluster>.yaml` with
 * the yaml Document API, or creates it with its `$schema` line. Nothing is written. An edit whose
 * `after` equals `before` changes nothing.
 *
 * Every line the change does not touch stays byte for byte: a value that already exists is
 * replaced in place in the text (its quoting and comment kept); keys added or removed are written
 * by the yaml library and only those lines are applied to the original (`keepFormatting`).
 */
export async function planImageEdit(root: string, cluster: Pick<Cluster, 'name' | 'registry'>, service: Pick<Service, 'name' | 'image'>, target: ImageTarget): Promise<ImageEdit> {
  if (!target.tag && !target.digest) throw new Error(`image of ${service.name}: a tag or a digest is needed`);
  const file = `apps/${service.name}/${cluster.name}.yaml`;
  const before = await readFile(path.join(root, file), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  const from = currentImage(cluster, service);
  const repository = target.repository ?? from.repository;
  const to: ResolvedImage = { repository, ...(target.tag ? { tag: target.tag } : {}), ...(target.digest ? { digest: target.digest } : {}) };

  // Tags are quoted ("2.14" must stay a string); digests and repositories are plain, as in the examples.
  const fields: ImageField[] = [
    { key: 'tag', value: to.tag, type: 'QUOTE_DOUBLE' },
    { key: 'digest', value: to.digest, type: 'PLAIN' },
  ];
  if (repository !== from.repository) {
    // Relative to the cluster's registry when it is that registry, as the examples write it.
    const written = repository.startsWith(`${cluster.registry}/`) ? repository.slice(cluster.registry.length + 1) : repository;
    fields.unshift({ key: 'repository', value: written, type: 'PLAIN' });
  }
  const edit = { service: service.name, file, before, from, to };

  if (before === undefined) {
    const doc = new Document({});
    setFields(doc, fields);
    return { ...edit, after: `${OVERRIDE_SCHEMA_LINE}\n${doc.toString(STRINGIFY)}`, reformatted: false };
  }
  const text = replaceValuesInPlace(before, fields);
  const doc = parseDocument(text);
  const formatted = doc.toString(STRINGIFY);
  setFields(doc, fields);
  const edited = doc.toString(STRINGIFY);
  const wanted = doc.toJS() as unknown;
  const kept = edited === formatted ? text : keepFormatting(text, formatted, edited);
  if (kept !== undefined && parsesTo(kept, wanted)) return { ...edit, after: kept, reformatted: false };
  return { ...edit, after: edited, reformatted: true };
}

interface ImageField {
  readonly key: 'repository' | 'tag' | 'digest';
  /** `undefined` removes the key. */
  readonly value: string | undefined;
  /** Quoting of a new value. */
  readonly type: Scalar.Type;
}

const STRINGIFY = { lineWidth: 0 } as const;

/** Sets or removes `image.<key>` for each field; an existing value keeps its node (quoting, comments). */
function setFields(doc: Document, fields: readonly ImageField[]): void {
  for (const { key, value, type } of fields) {
    const fieldPath = ['image', key];
    const node = doc.getIn(fieldPath, true);
    if (value === undefined) {
      if (doc.hasIn(fieldPath)) doc.deleteIn(fieldPath);
    } else if (isScalar(node)) {
      node.value = value;
    } else {
      const scalar = new Scalar(value);
      scalar.type = type;
      doc.setIn(fieldPath, scalar);
    }
  }
}

/**
 * Replaces the source text of every `image.<key>` value that exists and changes, keeping its
 * quoting style and whatever follows it on the line. Returns the text unchanged when there is none.
 */
function replaceValuesInPlace(text: string, fields: readonly ImageField[]): string {
  const doc = parseDocument(text);
  if (doc.errors.length) return text;
  const splices: { start: number; end: number; source: string }[] = [];
  for (const { key, value } of fields) {
    const node = doc.getIn(['image', key], true);
    if (value === undefined || !isScalar(node) || !node.range || node.value === value) continue;
    const source = scalarSource(value, node.type);
    if (source !== undefined) splices.push({ start: node.range[0], end: node.range[1], source });
  }
  splices.sort((a, b) => b.start - a.start);
  return splices.reduce((result, { start, end, source }) => result.slice(0, start) + source + result.slice(end), text);
}

/** A one-line YAML scalar holding `value` as a string, in the given quoting style when it can be. */
function scalarSource(value: string, type: Scalar.Type | undefined): string | undefined {
  if (type === 'QUOTE_DOUBLE') return JSON.stringify(value);
  if (type === 'QUOTE_SINGLE') return `'${value.replaceAll("'", "''")}'`;
  if (type === 'PLAIN') return stringify(value, STRINGIFY).trimEnd(); // quoted when plain would not read back as this string
  return undefined; // block scalars: left to the Document API
}

/**
 * The yaml library re-creates most files exactly, but not every detail (a trailing blank line,
 * `[a, b]` becomes `[ a, b ]`, spaces before a comment). Applies only the lines the edit added or
 * removed in the library's output to the original text, so every other line stays byte for byte;
 * `undefined` when the change cannot be placed.
 */
function keepFormatting(original: string, formatted: string, edited: string): string | undefined {
  const patch = structuredPatch('before', 'after', formatted, edited, '', '', { context: 0 });
  // A removed line only has to be found, not kept: match it ignoring spacing.
  const loose = (line: string) => line.replace(/\s+/g, '');
  const applied = applyPatch(original, patch, { compareLine: (_n, line, operation, content) => (operation === '-' ? loose(line) === loose(content) : line === content) });
  return applied === false ? undefined : applied;
}

/** True when `text` is valid YAML holding exactly `wanted`. */
function parsesTo(text: string, wanted: unknown): boolean {
  try {
    return isDeepStrictEqual(parse(text, { uniqueKeys: true }) ?? {}, wanted);
  } catch {
    return false;
  }
}

/** Puts files back as they were: the text before, or no file when the edit created it. */
export async function restoreFiles(root: string, edits: readonly Pick<ImageEdit, 'file' | 'before'>[]): Promise<void> {
  for (const edit of edits) {
    const target = path.join(root, edit.file);
    if (edit.before === undefined) await rm(target, { force: true });
    else await writeFileAtomic(target, edit.before);
  }
}

/**
 * Writes every edit or none: each new text goes to a temporary file beside its target first, and
 * only when all are written are they renamed into place. Returns a function that restores them.
 */
export async function writeEdits(root: string, edits: readonly ImageEdit[]): Promise<() => Promise<void>> {
  const token = `${process.pid}.${randomBytes(4).toString('hex')}`;
  const staged: { edit: ImageEdit; temp: string; target: string }[] = [];
  try {
    for (const edit of edits) {
      const target = path.join(root, edit.file);
      const temp = path.join(path.dirname(target), `.${path.basename(target)}.${token}.tmp`);
      staged.push({ edit, temp, target });
      await writeFile(temp, edit.after, { encoding: 'utf8', flag: 'wx' });
    }
  } catch (error) {
    await Promise.all(staged.map(({ temp }) => rm(temp, { force: true })));
    throw error;
  }
  const done: ImageEdit[] = [];
  try {
    for (const { edit, temp, target } of staged) {
      await rename(temp, target);
      done.push(edit);
    }
  } catch (error) {
    await Promise.all(staged.map(({ temp }) => rm(temp, { force: true })));
    await restoreFiles(root, done);
    throw error;
  }
  return () => restoreFiles(root, edits);
}

/** What `applyAndRender` did: the counts of the render's write. */
export type DeliveryResult = Awaited<ReturnType<typeof renderRepository>>;

/**
 * Writes the edits, then renders as `gitops render` does (`renderRepository`). When the render
 * fails (invalid input, a write error) the edited inputs are restored before the error goes on, so
 * the repository is exactly as before; `onRestore` is told which files were put back.
 */
export async function applyAndRender(root: string, edits: readonly ImageEdit[], onRestore: (files: readonly string[]) => void, swap: SwapOptions = {}): Promise<DeliveryResult> {
  const restore = await writeEdits(root, edits);
  try {
    return await renderRepository(root, swap);
  } catch (error) {
    await restore();
    onRestore(edits.map((edit) => edit.file));
    throw error;
  }
}

/** `2.14.0`, `sha256:48088d5d7432…`, `2.14.0@sha256:48088d5d7432…`; with the repository when `withRepository`. */
export function describeImage(image: ResolvedImage, withRepository = false): string {
  const digest = image.digest ? `${image.digest.slice(0, 'sha256:'.length + 12)}…` : undefined;
  const reference = [image.tag, digest].filter(Boolean).join('@');
  return withRepository ? `${image.repository}${image.tag ? ':' : '@'}${reference}` : reference;
}

/** `user-service: 2.14.0 → sha256:48088d5d7432…`, or `… (unchanged)`. */
export function describeChange(edit: Pick<ImageEdit, 'service' | 'from' | 'to'>): string {
  const repositoryChanged = edit.from.repository !== edit.to.repository;
  const from = describeImage(edit.from, repositoryChanged);
  const to = describeImage(edit.to, repositoryChanged);
  return from === to ? `${edit.service}: ${to} (unchanged)` : `${edit.service}: ${from} → ${to}`;
}

/** `a, b,,c` → `[a, b, c]`, without repeats. */
export function splitList(value: string | undefined): string[] {
  return [...new Set((value ?? '').split(',').map((item) => item.trim()).filter(Boolean))];
}

/** The cluster named by a flag; an unknown name adds a problem listing the clusters. */
export function pickCluster(platform: Platform, flag: string, name: string, problems: string[]): ClusterPlatform | undefined {
  const found = platform.clusters.find((entry) => entry.cluster.name === name);
  if (!found) problems.push(unknownName(flag, 'cluster', name, `clusters/${name}/cluster.yaml`, platform.clusters.map((entry) => entry.cluster.name)));
  return found;
}

/** The services named by a flag, in the order given; each unknown name adds a problem listing the services. */
export function pickServices(cluster: ClusterPlatform, flag: string, names: readonly string[], problems: string[]): Service[] {
  const known = cluster.services.map((service) => service.name);
  const picked: Service[] = [];
  for (const name of names) {
    const service = cluster.services.find((entry) => entry.name === name);
    if (service) picked.push(service);
    else problems.push(unknownName(flag, 'service', name, `apps/${name}/service.yaml`, known));
  }
  return picked;
}

function unknownName(flag: string, kind: string, name: string, file: string, known: readonly string[]): string {
  const close = suggest(name, known);
  return `${flag} ${JSON.stringify(name)}: unknown ${kind} (no ${file})${close ? `; did you mean "${close}"?` : ''}; ${kind}s: ${known.join(', ')}`;
}

/** The summary of a refused delivery command, after its problems. */
export function refused(command: string, problems: readonly string[]): FindingsError {
  return new FindingsError(`${command} refused (${problems.length} problem${problems.length === 1 ? '' : 's'}); nothing was changed`, problems);
}

/**
 * Writes the edits that change something and renders (see `applyAndRender`), printing which files
 * were written and the render summary. Edits that change nothing are left out; with none, nothing
 * is written or rendered.
 */
export async function deliver(ctx: CommandContext, edits: readonly ImageEdit[]): Promise<DeliveryResult | undefined> {
  const changed = edits.filter((edit) => edit.after !== edit.before);
  if (changed.length === 0) {
    ctx.out('nothing to change: every image is already set as asked');
    return undefined;
  }
  for (const edit of changed) {
    if (edit.reformatted) ctx.err(`note: ${edit.file}: the YAML library could not keep this file's formatting exactly; values and comments are kept`);
  }
  const result = await applyAndRender(ctx.root, changed, (files) => ctx.err(`render failed; restored ${files.join(', ')} as they were`), { signal: ctx.signal, log: ctx.err });
  ctx.out(`wrote ${changed.map((edit) => `${edit.file}${edit.before === undefined ? ' (new)' : ''}`).join(', ')}`);
  ctx.out(`rendered ${result.files} files for ${result.clusters.join(', ')}: ${result.written} written, ${result.unchanged} unchanged, ${result.removed} removed`);
  return result;
}

import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import { stringify } from 'yaml';
import { changedHiddenPaths, redactObject, redactText } from './redact.js';
import { apiGroup, resourceKey, type Resource, type Snapshot } from './snapshot.js';

/**
 * Resource-by-resource comparison of two snapshots. Objects are matched on cluster, apiVersion,
 * kind, namespace and name, wherever their files are: a resource whose file moved is `moved`,
 * not removed and added. An object whose apiVersion moved within its group (`v1beta1` →
 * `v1beta2`) is the same object to Kubernetes, so it is `changed`.
 *
 * Everything here is redacted first (see `redact.ts`): the texts and patches carry no secret.
 */

export type ChangeStatus = 'added' | 'removed' | 'changed' | 'moved';

export interface ResourceChange {
  readonly status: ChangeStatus;
  readonly cluster: string;
  /** App of the head side (of the base for a removal). */
  readonly app: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** Redacted base object (absent when added). */
  readonly base?: Resource;
  /** Redacted head object (absent when removed). */
  readonly head?: Resource;
  /** File of the base object when it differs from the head's (moved). */
  readonly movedFrom?: string;
  /** Paths of redacted values that changed (shown as a note, never as values). */
  readonly hiddenChanges: readonly string[];
  /** Unified diff of the redacted YAML (`---`/`+++` headers and hunks); empty for a pure move. */
  readonly patch: string;
}

export interface Comparison {
  readonly changes: readonly ResourceChange[];
  /** Resources in the head that did not change (for counts). */
  readonly unchanged: number;
}

interface Side {
  readonly resource: Resource;
  readonly text: string;
  readonly hidden: ReadonlyMap<string, string>;
}

function prepare(resource: Resource): Side {
  if (resource.kind === 'File') {
    const text = String(resource.object['text'] ?? '');
    const redacted = redactText(text);
    return { resource: { ...resource, object: { text: redacted.value } }, text: redacted.value, hidden: redacted.hidden };
  }
  const redacted = redactObject(resource.object, resource.kind);
  return { resource: { ...resource, object: redacted.value }, text: toYaml(redacted.value), hidden: redacted.hidden };
}

function toYaml(value: unknown): string {
  return stringify(value, { aliasDuplicateObjects: false, lineWidth: 0, minContentWidth: 0 });
}

function patchOf(base: Side | undefined, head: Side | undefined): string {
  const oldName = base ? `a/${base.resource.file}` : '/dev/null';
  const newName = head ? `b/${head.resource.file}` : '/dev/null';
  const patch = createTwoFilesPatch(oldName, newName, base?.text ?? '', head?.text ?? '', undefined, undefined, { context: 3, headerOptions: FILE_HEADERS_ONLY });
  return patch.replace(/\n+$/, '');
}

function identity(resource: Resource): Pick<ResourceChange, 'cluster' | 'app' | 'apiVersion' | 'kind' | 'namespace' | 'name'> {
  const { cluster, app, apiVersion, kind, namespace, name } = resource;
  return { cluster, app, apiVersion, kind, namespace, name };
}

function sameGroupKey(resource: Resource): string {
  return [resource.cluster, apiGroup(resource.apiVersion), resource.kind, resource.namespace, resource.name].join('\u0000');
}

/** Compares base and head. Changes come sorted by cluster, app, kind, namespace, name. */
export function compareSnapshots(base: Snapshot, head: Snapshot): Comparison {
  // The same object may be rendered twice (e.g. in argocd/ and in bootstrap/): pair objects in
  // the same file first, then the rest by key (those moved file).
  const baseByKey = new Map<string, Resource[]>();
  for (const resource of base.resources) baseByKey.set(resourceKey(resource), [...(baseByKey.get(resourceKey(resource)) ?? []), resource]);
  const take = (key: string, file?: string): Resource | undefined => {
    const list = baseByKey.get(key);
    const index = list ? (file === undefined ? 0 : list.findIndex((candidate) => candidate.file === file)) : -1;
    if (!list || index < 0 || index >= list.length) return undefined;
    const [found] = list.splice(index, 1);
    if (list.length === 0) baseByKey.delete(key);
    return found;
  };
  const changes: ResourceChange[] = [];
  const added: Resource[] = [];
  let unchanged = 0;

  const unmatched: Resource[] = [];
  const record = (before: Resource, after: Resource) => {
    const change = pair(before, after);
    if (change) changes.push(change);
    else unchanged++;
  };
  for (const resource of head.resources) {
    const before = take(resourceKey(resource), resource.file);
    if (before) record(before, resource);
    else unmatched.push(resource);
  }
  for (const resource of unmatched) {
    const before = take(resourceKey(resource));
    if (before) record(before, resource);
    else added.push(resource);
  }

  // Same group, kind, namespace and name on both sides, only the version moved: one object.
  const removedByGroup = new Map<string, Resource[]>();
  for (const resource of [...baseByKey.values()].flat()) {
    if (resource.kind === 'File') {
      changes.push(changeOf('removed', prepare(resource), undefined));
      continue;
    }
    removedByGroup.set(sameGroupKey(resource), [...(removedByGroup.get(sameGroupKey(resource)) ?? []), resource]);
  }
  for (const resource of added) {
    const before = resource.kind === 'File' ? undefined : removedByGroup.get(sameGroupKey(resource))?.shift();
    if (before) {
      changes.push(pair(before, resource) ?? changeOf('changed', prepare(before), prepare(resource)));
    } else {
      changes.push(changeOf('added', undefined, prepare(resource)));
    }
  }
  for (const resource of [...removedByGroup.values()].flat()) changes.push(changeOf('removed', prepare(resource), undefined));

  changes.sort(
    (a, b) =>
      compare(a.cluster, b.cluster) || compare(a.app, b.app) || compare(a.kind, b.kind) || compare(a.namespace, b.namespace) || compare(a.name, b.name) || compare(a.status, b.status),
  );
  return { changes, unchanged };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The change between two sides of one object, or undefined when nothing changed. */
function pair(before: Resource, after: Resource): ResourceChange | undefined {
  const base = prepare(before);
  const head = prepare(after);
  const moved = before.file !== after.file;
  const hiddenChanges = changedHiddenPaths(base.hidden, head.hidden);
  const sameText = base.text === head.text && before.apiVersion === after.apiVersion;
  if (sameText && hiddenChanges.length === 0) return moved ? changeOf('moved', base, head) : undefined;
  return changeOf('changed', base, head);
}

function changeOf(status: ChangeStatus, base: Side | undefined, head: Side | undefined): ResourceChange {
  const primary = (head ?? base)!.resource;
  const movedFrom = base && head && base.resource.file !== head.resource.file ? base.resource.file : undefined;
  return {
    status,
    ...identity(primary),
    base: base?.resource,
    head: head?.resource,
    movedFrom,
    hiddenChanges: changedHiddenPaths(base?.hidden, head?.hidden).filter((at) => (base?.hidden.has(at) ?? false) && (head?.hidden.has(at) ?? false)),
    patch: status === 'moved' || (base && head && base.text === head.text) ? '' : patchOf(base, head),
  };
}

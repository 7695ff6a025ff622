/**
 * The third engine of `validate`: a real kube-apiserver (with etcd) at the cluster's pinned
 * Kubernetes release, holding the pinned CRDs, judges every rendered resource the way the cluster
 * will. It runs what schema validators cannot: the native validation of built-in kinds, admission
 * (Pod Security, namespace lifecycle), defaulting, CRD structural schemas and CEL rules.
 *
 * Per cluster:
 * 1. start from the cached pre-loaded state (CRDs Established), on loopback, in a throwaway folder;
 * 2. apply the Namespaces the resources to judge live in (the tree's manifests), create those it only refers to;
 * 3. server-side apply every other resource (apply, not dry-run: later objects see earlier ones);
 * 4. check each answer kept every field that was sent (a field lost on the way to storage is a
 *    finding), then apply everything a second time: an object the second apply changes would show
 *    OutOfSync in Argo CD forever;
 * 5. stop everything (also on failure and Ctrl-C).
 * A rejection, an admission warning, a lost field or a non-idempotent apply makes the resource
 * invalid. Verdicts are cached by content (`verdict-cache.ts`): when nothing changed the server
 * is not even started.
 */
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import type { ControlPlaneBinaries } from '../../tools/control-plane-build.js';
import type { EnsureOptions } from '../../tools/go.js';
import { mapLimit } from '../../render/task-pool.js';
import { displayPath, manifestIdentity, quickIdentity, splitYamlDocuments } from '../documents.js';
import { countResults, sortResults, type EngineReport, type ResourceResult } from '../report.js';
import { VerdictCache, verdictKey, type Verdict } from '../verdict-cache.js';
import type { PreparedCrdSource } from '../crd-sources.js';
import { planCrds, type CrdPlan } from './crd-install.js';
import type { ApiAnswer } from './kube-client.js';
import { NOT_SENT, withApiServer } from './session.js';

/** Bump when the engine's judgement changes, so cached verdicts are judged again. */
const ENGINE_REVISION = 'a1';

export interface ApiserverRun {
  readonly binaries: ControlPlaneBinaries;
  /** Absolute paths of the files to validate. */
  readonly files: readonly string[];
  /** Their texts, when already read. */
  readonly texts?: ReadonlyMap<string, string>;
  /** The CRD sources the cluster has, in priority order (first source wins). */
  readonly crdSources: readonly PreparedCrdSource[];
  /** Files are reported relative to this folder. */
  readonly relativeTo: string;
  /** Folder holding `.cache/` (the pre-loaded server state). */
  readonly cacheRoot: string;
  /** Cached verdicts to reuse and extend (the caller saves it); none: judge everything. */
  readonly verdicts?: VerdictCache;
  readonly signal?: AbortSignal;
  readonly log?: EnsureOptions['log'];
  /** Called once it is known whether a server is needed, right before it starts (or when none is). */
  readonly onStarting?: () => void;
}

/**
 * One document of the tree. Its identity comes from a quick read of the top-level lines the
 * renderer writes (`apiVersion:`, `kind:`, `metadata:` with `name:` / `namespace:` two spaces in),
 * falling back to a full parse; the object itself is parsed only when asked for (a cached verdict
 * never needs it, and parsing 15k documents costs seconds).
 */
export class TreeDocument {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  private parsed?: { object?: Record<string, unknown>; error?: string };

  constructor(
    readonly file: string,
    readonly index: number,
    readonly text: string,
  ) {
    const identity = quickIdentity(text) ?? manifestIdentity(this.object);
    this.apiVersion = identity.apiVersion;
    this.kind = identity.kind;
    this.name = identity.name;
    if (identity.namespace) this.namespace = identity.namespace;
  }

  /** The parsed object; undefined when the text is not a YAML mapping. */
  get object(): Record<string, unknown> | undefined {
    return this.parse().object;
  }

  /** Why the text could not be parsed, if it could not. */
  get parseError(): string | undefined {
    return this.parse().error;
  }

  private parse(): { object?: Record<string, unknown>; error?: string } {
    if (!this.parsed) {
      const document = parseAllDocuments(this.text)[0];
      const error = document && 'errors' in document && document.errors.length > 0 ? document.errors[0]!.message : undefined;
      const value = document && !error && 'toJS' in document ? (document.toJS({ maxAliasCount: 100 }) as unknown) : undefined;
      const object = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
      this.parsed = error ? { error } : object ? { object } : { error: 'not a mapping' };
    }
    return this.parsed;
  }
}

/** Reads every document of the files (parsed lazily); `known` holds texts already read. */
export async function readTreeDocuments(files: readonly string[], relativeTo: string, known?: ReadonlyMap<string, string>): Promise<TreeDocument[]> {
  const texts = await mapLimit(files, 64, async (file) => known?.get(file) ?? readFile(file, 'utf8'));
  return files.flatMap((file, i) => {
    const shown = displayPath(relativeTo, file);
    return splitYamlDocuments(texts[i]!).map((text, index) => new TreeDocument(shown, index, text));
  });
}

/** `group/Kind` → versions used, for the kinds with a group. */
export function usedVersions(docs: readonly TreeDocument[]): Map<string, Set<string>> {
  const used = new Map<string, Set<string>>();
  for (const doc of docs) {
    const slash = doc.apiVersion.indexOf('/');
    if (slash < 0 || !doc.kind) continue;
    const key = `${doc.apiVersion.slice(0, slash)}/${doc.kind}`;
    const versions = used.get(key) ?? new Set<string>();
    versions.add(doc.apiVersion.slice(slash + 1));
    used.set(key, versions);
  }
  return used;
}

/** Validates the files on a real API server and returns the engine report. */
export async function runApiserver(run: ApiserverRun): Promise<EngineReport> {
  const docs = await readTreeDocuments(run.files, run.relativeTo, run.texts);
  const plan = await planCrds(run.crdSources, usedVersions(docs));
  const engineKey = `kube-apiserver ${run.binaries.kubernetesRelease} etcd ${run.binaries.etcdVersion} crds ${plan.hash} ${ENGINE_REVISION}`;
  const namespaceTexts = new Map(docs.filter((d) => d.kind === 'Namespace' && d.apiVersion === 'v1').map((d) => [d.name, d.text]));
  const keyOf = (doc: TreeDocument) => verdictKey(engineKey, doc.text, doc.namespace ? (namespaceTexts.get(doc.namespace) ?? '(created)') : '');

  const cache = run.verdicts;
  const verdicts = new Map<TreeDocument, Verdict>();
  for (const doc of docs) {
    const cached = cache?.get(keyOf(doc));
    if (cached) verdicts.set(doc, cached);
  }
  const cached = verdicts.size;
  const toJudge = docs.filter((doc) => !verdicts.has(doc) && !doc.parseError);
  const results: ResourceResult[] = [];
  run.onStarting?.();
  if (toJudge.length > 0) {
    const judged = await judgeOnServer(run, plan, docs, toJudge);
    for (const [doc, result] of judged) {
      if (result.status === 'valid' || result.status === 'invalid') {
        verdicts.set(doc, { status: result.status, msg: result.msg });
        cache?.set(keyOf(doc), { status: result.status, msg: result.msg });
      } else {
        results.push(resultOf(doc, result.status, result.msg));
      }
    }
  }
  for (const doc of docs) {
    const verdict = verdicts.get(doc);
    if (verdict) results.push(resultOf(doc, verdict.status, verdict.msg));
    else if (doc.parseError) results.push(resultOf(doc, 'error', `cannot parse YAML: ${doc.parseError}`));
  }
  const resources = sortResults(results);
  const counts = countResults(resources);
  return {
    engine: 'kube-apiserver',
    engineVersion: run.binaries.kubernetesRelease,
    kubernetesVersion: run.binaries.kubernetesRelease.replace(/^v/, ''),
    resources,
    counts,
    exitCode: counts.valid === counts.resources ? 0 : 1,
    cached,
  };
}

function resultOf(doc: TreeDocument, status: ResourceResult['status'], msg: string): ResourceResult {
  return { file: doc.file, index: doc.index, apiVersion: doc.apiVersion, kind: doc.kind, name: doc.name, status, msg };
}

interface Judgement {
  readonly status: ResourceResult['status'];
  readonly msg: string;
}

/** Applies the tree's namespaces and then `toJudge` on a fresh server; a judgement per document. */
async function judgeOnServer(run: ApiserverRun, plan: CrdPlan, docs: readonly TreeDocument[], toJudge: readonly TreeDocument[]): Promise<Map<TreeDocument, Judgement>> {
  return withApiServer({ binaries: run.binaries, plan, cacheRoot: run.cacheRoot, signal: run.signal, log: run.log }, async (session) => {
    // Namespaces first: every namespaced object needs its namespace, and Pod Security reads its labels.
    // Only the namespaces of the documents judged (and the Namespaces judged themselves): a verdict
    // depends on its document and that document's own Namespace manifest, which is exactly what its
    // cache key holds (`keyOf`), so the tree's other namespaces change nothing the server says here.
    // A run that judges everything (cold, --no-cache) still applies every Namespace.
    const judged = new Set(toJudge);
    const needed = new Set(toJudge.map((d) => d.namespace).filter((n): n is string => !!n));
    const namespaceDocs = docs.filter((d) => d.kind === 'Namespace' && d.apiVersion === 'v1' && (judged.has(d) || needed.has(d.name)) && d.object);
    const first = new Map<TreeDocument, ApiAnswer>();
    const namespaceAnswers = await mapLimit(namespaceDocs, 8, (doc) => session.apply(doc.object!));
    namespaceDocs.forEach((doc, i) => first.set(doc, namespaceAnswers[i]!));
    const declared = new Set(namespaceDocs.map((d) => d.name));
    await session.ensureNamespaces([...needed].filter((n) => !declared.has(n)));

    const namespacesApplied = new Set(namespaceDocs);
    const rest = toJudge.filter((d) => !namespacesApplied.has(d));
    const answers = await mapLimit(rest, 8, (doc) => session.apply(doc.object!));
    rest.forEach((doc, i) => first.set(doc, answers[i]!));

    // The second apply: what changes now would change on every sync.
    const applied = toJudge.filter((d) => isSuccess(first.get(d)));
    const again = await mapLimit(applied, 8, (doc) => session.apply(doc.object!));
    const second = new Map(applied.map((doc, i) => [doc, again[i]!]));

    const judgements = new Map<TreeDocument, Judgement>();
    for (const doc of toJudge) judgements.set(doc, judge(doc, first.get(doc), second.get(doc)));
    return judgements;
  });
}

function isSuccess(answer: ApiAnswer | undefined): boolean {
  return !!answer && answer.status >= 200 && answer.status < 300;
}

function judge(doc: TreeDocument, first: ApiAnswer | undefined, second: ApiAnswer | undefined): Judgement {
  if (!first) return { status: 'error', msg: 'not applied' };
  if (first.status === NOT_SENT) return { status: 'error', msg: String(first.body['message']) };
  if (first.status >= 500 && !isManifestFault(first)) return { status: 'error', msg: `HTTP ${first.status}: ${String(first.body['message'] ?? '')}` };
  if (first.status >= 300) return { status: 'invalid', msg: String(first.body['message'] ?? `HTTP ${first.status}`) };
  const problems: string[] = [];
  for (const warning of first.warnings) problems.push(`${PROBLEM_PREFIX.warning}${warning}`);
  const lost = lostFields(doc.object, first.body);
  if (lost.length > 0) problems.push(`${PROBLEM_PREFIX.dropped}${lost.length === 1 ? '' : 's'} sent in the manifest (lost on the way to storage): ${lost.slice(0, 5).join(', ')}${lost.length > 5 ? `, ... (${lost.length})` : ''}`);
  if (second && isSuccess(second)) {
    const before = metadataOf(first.body);
    const after = metadataOf(second.body);
    if (before.resourceVersion !== after.resourceVersion) {
      problems.push(`${PROBLEM_PREFIX.secondApply} changes the object${before.generation !== after.generation ? ` (metadata.generation ${before.generation} → ${after.generation})` : ''}: Argo CD would show it OutOfSync after every sync`);
    }
  } else if (second) {
    problems.push(`${PROBLEM_PREFIX.secondApply} is refused: ${String(second.body['message'] ?? `HTTP ${second.status}`)}`);
  }
  return problems.length > 0 ? { status: 'invalid', msg: problems.join(PROBLEM_SEPARATOR) } : { status: 'valid', msg: '' };
}

/**
 * How each kind of problem of an applied object begins in a verdict's message (verdicts are cached
 * as one line: `splitProblems` takes it apart again). A message beginning with none of them is the
 * server's own refusal.
 */
export const PROBLEM_PREFIX = {
  /** Followed by the text of one `Warning` header, verbatim. */
  warning: 'warning: ',
  dropped: 'the server dropped field',
  secondApply: 'a second apply of the same manifest',
} as const;
const PROBLEM_SEPARATOR = '; ';

/** The problems of an object the server accepted, by kind, from its verdict message. */
export type ProblemKind = keyof typeof PROBLEM_PREFIX;

/**
 * Takes an `invalid` verdict's message apart: one entry per problem, in order. A message that is
 * not a list of problems (a refusal) comes back as `undefined`.
 */
export function splitProblems(msg: string): { kind: ProblemKind; text: string }[] | undefined {
  const kinds = Object.entries(PROBLEM_PREFIX) as [ProblemKind, string][];
  const kindOf = (text: string) => kinds.find(([, prefix]) => text.startsWith(prefix))?.[0];
  if (!kindOf(msg)) return undefined;
  // A warning's text may hold "; " itself: split only where the next problem begins.
  const starts = new RegExp(`${PROBLEM_SEPARATOR}(?=${kinds.map(([, prefix]) => prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`);
  return msg.split(starts).map((part) => {
    const kind = kindOf(part)!;
    return { kind, text: kind === 'warning' ? part.slice(PROBLEM_PREFIX.warning.length) : part };
  });
}

/**
 * Server-side apply answers 500 when the manifest cannot even be typed (a string where the schema
 * wants a number, a malformed quantity): the manifest's fault, not the server's.
 */
function isManifestFault(answer: ApiAnswer): boolean {
  return /^failed to (create typed patch object|convert new object)/.test(String(answer.body['message'] ?? ''));
}

function metadataOf(body: Record<string, unknown>): { resourceVersion?: string; generation?: number } {
  const metadata = (body['metadata'] ?? {}) as { resourceVersion?: string; generation?: number };
  return { resourceVersion: metadata.resourceVersion, generation: metadata.generation };
}

/**
 * Paths of the scalar values of `sent` that `stored` lacks (`spec.forProvider.versioning[0].status`).
 * Values may differ (the server normalises quantities and defaults), presence may not. Empty maps
 * and lists, `null`s and zero values (0, false, "": built-in kinds omit them, which is the same
 * value) carry no field and are not compared; `stringData` of a Secret is stored as `data` and is
 * skipped.
 */
export function lostFields(sent: unknown, stored: unknown, at = ''): string[] {
  if (Array.isArray(sent)) {
    if (!Array.isArray(stored)) return sent.length > 0 ? [at] : [];
    return sent.flatMap((item, i) => lostFields(item, stored[i], `${at}[${i}]`));
  }
  if (typeof sent === 'object' && sent !== null) {
    const entries = Object.entries(sent);
    if (entries.length === 0) return [];
    if (typeof stored !== 'object' || stored === null) return [at];
    return entries.flatMap(([key, value]) => {
      if (at === '' && key === 'stringData') return [];
      return lostFields(value, (stored as Record<string, unknown>)[key], at ? `${at}.${key}` : key);
    });
  }
  if (sent === null || sent === 0 || sent === false || sent === '') return [];
  return stored === undefined || stored === null ? [at] : [];
}

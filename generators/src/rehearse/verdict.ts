/**
 * What Argo CD says about each Application of a rehearsal, read from the Applications' status:
 * sync status, the last operation and its per-resource results, conditions (errors and warnings,
 * verbatim), and whether the Application is rehearsed at all (one with an external source, a chart
 * or another repository's folder, is not, unless charts are rehearsed).
 */
import type { KubeClient } from '../validate/apiserver/kube-client.js';

/** One resource result of the last sync operation. */
export interface ResourceResult {
  /** `Kind namespace/name` */
  readonly resource: string;
  /** `Synced`, `SyncFailed`, `Pruned`, `PruneSkipped`, ... */
  readonly status: string;
  readonly message: string;
}

/** A resource the Application manages (status.resources). */
export interface ManagedResource {
  readonly ref: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** `Synced`, `OutOfSync`, ... */
  readonly status: string;
}

export interface AppVerdict {
  readonly name: string;
  readonly project: string;
  /** `repoURL path`, `chart <name> <version> (repoURL)`, `manifests <path> <revision> (repoURL)`. */
  readonly sources: readonly string[];
  readonly rehearsed: boolean;
  /** Why not, when not (`not rehearsed: external chart argo-cd 10.1.1 (<repoURL>), external manifests manifests/crds v3.5.3 (<repoURL>)`). */
  readonly notRehearsed?: string;
  /** `Synced`, `OutOfSync`, `Unknown`, or `` before the first reconciliation. */
  readonly sync: string;
  readonly health: string;
  /** Revision(s) the sync status was computed at. */
  readonly revision: string;
  /** Phase of the last operation (`Succeeded`, `Failed`, `Error`, `Running`) or ``. */
  readonly phase: string;
  readonly operationMessage: string;
  /** When the last operation started (a new value means a new sync). */
  readonly syncStartedAt: string;
  /** The operation failed and was retried at least twice (it keeps failing). */
  readonly retrying: boolean;
  /** The operation waits for an object of an earlier wave to become healthy. */
  readonly blocked: boolean;
  /** Being deleted (deletionTimestamp set; its finalizer deletes its resources). */
  readonly deleting: boolean;
  readonly results: readonly ResourceResult[];
  /** Conditions (`ComparisonError`, `SharedResourceWarning`, `InvalidSpecError`, ...), verbatim. */
  readonly conditions: readonly { type: string; message: string }[];
  readonly resources: readonly ManagedResource[];
  /** Deleting the Application deletes what it deployed (resources finalizer). */
  readonly cascadeDelete: boolean;
  /** Reconciled at the commit, nothing in flight (or failed and waiting to retry). */
  readonly settled: boolean;
  /** OutOfSync again (or synced again by self-heal) after one refresh. */
  readonly perpetualDiff?: boolean;
  /**
   * `status.summary.isAppOfApps` as the API server kept it: Argo CD 3.5 sets it on an Application
   * that deploys Applications, and a CRD of an older release prunes it.
   */
  readonly appOfApps: boolean;
}

interface Source {
  readonly repoURL?: string;
  readonly path?: string;
  readonly chart?: string;
  readonly targetRevision?: string;
}

interface Application {
  readonly metadata: { readonly name: string; readonly finalizers?: readonly string[]; readonly deletionTimestamp?: string };
  readonly spec?: { readonly project?: string; readonly source?: Source; readonly sources?: readonly Source[] };
  readonly status?: {
    readonly reconciledAt?: string;
    readonly summary?: { readonly isAppOfApps?: boolean };
    readonly sync?: { readonly status?: string; readonly revision?: string; readonly revisions?: readonly string[] };
    readonly health?: { readonly status?: string };
    readonly conditions?: readonly { readonly type: string; readonly message?: string }[];
    readonly resources?: readonly { readonly group?: string; readonly version?: string; readonly kind: string; readonly namespace?: string; readonly name: string; readonly status?: string }[];
    readonly operationState?: {
      readonly phase?: string;
      readonly message?: string;
      readonly startedAt?: string;
      readonly retryCount?: number;
      readonly syncResult?: { readonly resources?: readonly { readonly kind: string; readonly namespace?: string; readonly name: string; readonly status?: string; readonly message?: string; readonly hookPhase?: string }[] };
    };
  };
}

/**
 * The items of a list, retried for up to 30 s while the server answers 429 or 5xx (a CRD's storage
 * still initializing right after the start).
 */
export async function listItems<T>(client: KubeClient, url: string): Promise<T[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const answer = await client.get(url);
    if (answer.status === 200) return (answer.body['items'] as T[] | undefined) ?? [];
    if ((answer.status !== 429 && answer.status < 500) || Date.now() > deadline) throw new Error(`GET ${url}: HTTP ${answer.status} ${String(answer.body['message'] ?? '')}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** What an Application is judged against. */
export interface JudgeContext {
  /** The commit under test. */
  readonly commit: string;
  /** The repository's URL: a source elsewhere (a Helm or OCI chart) is external. */
  readonly repoURL: string;
  /** Rehearse Applications with external sources too. */
  readonly rehearseCharts: boolean;
}

/** Reads every Application of `namespace` and judges it against the commit under test. */
export async function collectApplications(client: KubeClient, namespace: string, context: JudgeContext): Promise<AppVerdict[]> {
  const items = await listItems<Application>(client, `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/applications`);
  return items.map((app) => judge(app, context)).sort((a, b) => a.name.localeCompare(b.name));
}

/** The chart a source names: `chart`, or the last segment of an OCI repository URL. */
export function chartName(source: { readonly repoURL?: string; readonly chart?: string }): string {
  return source.chart ?? (source.repoURL ?? '').replace(/\/+$/, '').split('/').pop() ?? '';
}

/** A source outside the repository: `chart <name> <version> (<repoURL>)`, or `manifests <path> <revision> (<repoURL>)` (a folder of another Git repository). */
export function externalSource(source: Source): string {
  const chart = source.chart !== undefined || (source.repoURL ?? '').startsWith('oci://');
  return `${chart ? `chart ${chartName(source)}` : `manifests ${source.path ?? ''}`} ${source.targetRevision ?? ''} (${source.repoURL ?? ''})`;
}

function judge(app: Application, { commit, repoURL, rehearseCharts }: JudgeContext): AppVerdict {
  const sources = [...(app.spec?.sources ?? []), ...(app.spec?.source ? [app.spec.source] : [])];
  const external = sources.filter((s) => s.repoURL !== repoURL);
  const notRehearsed = external.length > 0 && !rehearseCharts ? `not rehearsed: ${external.map((s) => `external ${externalSource(s)}`).join(', ')}` : undefined;
  const status = app.status ?? {};
  const op = status.operationState;
  const revisions = [...(status.sync?.revisions ?? []), ...(status.sync?.revision ? [status.sync.revision] : [])];
  const phase = op?.phase ?? '';
  const message = op?.message ?? '';
  // A first retry often succeeds (a cache still warming): a failure counts once it was retried twice.
  const attempts = Math.max(op?.retryCount ?? 0, Number(/attempt #(\d+)/i.exec(message)?.[1] ?? 0));
  const retrying = phase === 'Running' && attempts >= 2;
  const conditions = (status.conditions ?? []).map((c) => ({ type: c.type, message: c.message ?? '' }));
  const sync = status.sync?.status ?? '';
  const atCommit = revisions.includes(commit);
  const comparisonFailed = conditions.some((c) => /Error$/.test(c.type));
  const blocked = phase === 'Running' && /^waiting for healthy state/.test(message);
  const deleting = Boolean(app.metadata.deletionTimestamp);
  const inFlight = phase === 'Running' && !retrying && !blocked;
  const settled = notRehearsed !== undefined || deleting || (Boolean(status.reconciledAt) && (atCommit || comparisonFailed) && !inFlight && (sync === 'Synced' || phase !== '' || comparisonFailed));
  return {
    name: app.metadata.name,
    project: app.spec?.project ?? '',
    sources: sources.map((s) => (s.repoURL !== repoURL ? externalSource(s) : `${s.repoURL ?? ''} ${s.path ?? ''}`)),
    rehearsed: notRehearsed === undefined,
    ...(notRehearsed ? { notRehearsed } : {}),
    sync,
    health: status.health?.status ?? '',
    revision: revisions.join(','),
    phase,
    operationMessage: message,
    syncStartedAt: op?.startedAt ?? '',
    retrying,
    blocked,
    deleting,
    results: (op?.syncResult?.resources ?? []).map((r) => ({ resource: `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`, status: r.status ?? r.hookPhase ?? '', message: r.message ?? '' })),
    conditions,
    resources: (status.resources ?? []).map((r) => ({
      ref: `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`,
      apiVersion: r.group ? `${r.group}/${r.version ?? ''}` : r.version ?? 'v1',
      kind: r.kind,
      namespace: r.namespace ?? '',
      name: r.name,
      status: r.status ?? '',
    })),
    cascadeDelete: (app.metadata.finalizers ?? []).some((f) => f.startsWith('resources-finalizer.argocd.argoproj.io')),
    settled,
    appOfApps: status.summary?.isAppOfApps === true,
  };
}

/** True when the Application passes: not rehearsed, or Synced, its last sync succeeded, no perpetual diff. */
export function passes(app: AppVerdict): boolean {
  if (!app.rehearsed || app.deleting) return true;
  return app.sync === 'Synced' && (app.phase === '' || app.phase === 'Succeeded') && !app.perpetualDiff && !app.conditions.some((c) => /Error$/.test(c.type));
}

/** An ApplicationSet and what its controller says (conditions verbatim). */
export interface AppSetVerdict {
  readonly name: string;
  /** `ErrorOccurred`, `ResourcesUpToDate`, ... with status `True` only. */
  readonly conditions: readonly { type: string; message: string }[];
  /** Reconciled since the last refresh request and its Applications up to date (or in error). */
  readonly settled: boolean;
  readonly failed: boolean;
}

interface ApplicationSet {
  readonly metadata: { readonly name: string; readonly annotations?: Record<string, string> };
  readonly status?: { readonly conditions?: readonly { readonly type: string; readonly status?: string; readonly message?: string }[] };
}

export const APPSET_REFRESH_ANNOTATION = 'argocd.argoproj.io/application-set-refresh';

/** Reads every ApplicationSet of `namespace`. */
export async function collectApplicationSets(client: KubeClient, namespace: string): Promise<AppSetVerdict[]> {
  return (await listItems<ApplicationSet>(client, `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/applicationsets`))
    .map((set) => {
      const conditions = (set.status?.conditions ?? []).filter((c) => c.status === 'True').map((c) => ({ type: c.type, message: c.message ?? '' }));
      const failed = conditions.some((c) => c.type === 'ErrorOccurred');
      const upToDate = conditions.some((c) => c.type === 'ResourcesUpToDate');
      return { name: set.metadata.name, conditions, failed, settled: !set.metadata.annotations?.[APPSET_REFRESH_ANNOTATION] && (upToDate || failed) };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * A rehearsal: the real Argo CD (the release the clusters install) syncs one cluster's rendered
 * tree, at a commit, into the real kube-apiserver of the cluster's Kubernetes version.
 *
 * 1. A bare repository gets the commit under test as the branch the root Application tracks; the
 *    Git proxy (`git-server.ts`) serves it under the tree's own repository URL, so the tree is
 *    synced byte for byte as it is committed.
 * 2. A fresh API server (pre-loaded with the pinned CRDs, `withApiServer`) gets what the bootstrap
 *    (docs/platform-owners.md) gives Argo CD: its namespace, the config maps of the release's `manifests/base/config`
 *    with the `configs.cm` values the tree gives the argo-cd chart, a repository Secret (the proxy),
 *    then `bootstrap/`'s AppProject and root Application. The Argo CD installation itself (the
 *    external chart: HelmChart, Helm values) is replaced by the local processes.
 * 3. Argo CD runs until every Application settles; then each is refreshed once and must stay Synced
 *    (no perpetual diff).
 *
 * Sync windows are set aside, and reported: Argo CD syncs a copy of each commit whose AppProjects
 * have no `syncWindows` (`sync-windows-aside.ts`), so the rehearsal proves the sync at any hour;
 * `validate` judges the windows themselves and `diff` says when a merge reaches the cluster.
 *
 * Two adaptations, both in argocd-cm and reported: no kubelet runs pods and external charts cannot
 * be fetched, so the Application health check (which gates the root's waves) is the rehearsal's:
 * the tree's (the Application's own aggregated health) when that is Healthy or Degraded, else
 * Healthy once its sync succeeded, Degraded when its sync failed; an Application with an external
 * chart source is Healthy without sync (not rehearsed) unless charts are rehearsed.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseAllDocuments } from 'yaml';
import { ToolError } from '../errors.js';
import { readFilesAtCommit } from '../diff/git.js';
import type { ArgoCdBuild } from '../tools/argocd-build.js';
import type { ControlPlaneBinaries } from '../tools/control-plane-build.js';
import type { EnsureOptions } from '../tools/go.js';
import { runProcess } from '../tools/process.js';
import { planCrds } from '../validate/apiserver/crd-install.js';
import { objectPath, type ApiAnswer, type KubeClient, type ServedResource } from '../validate/apiserver/kube-client.js';
import { withApiServer, type ApiSession } from '../validate/apiserver/session.js';
import type { PreparedCrdSource } from '../validate/crd-sources.js';
import { findRedis, startArgoCd, type RunningArgoCd } from './argocd-processes.js';
import { startGitProxy, type GitProxy } from './git-server.js';
import { commitWithoutSyncWindows, type WindowsSetAside } from './sync-windows-aside.js';
import type { SyncWindowSpec } from '../argocd/sync-windows.js';
import { APPSET_REFRESH_ANNOTATION, collectApplications, listItems, collectApplicationSets, type AppSetVerdict, type AppVerdict } from './verdict.js';

export const ARGOCD_NAMESPACE = 'argocd';

/** One cluster of a repository, at one commit (and optionally a base commit first). */
export interface RehearsalTarget {
  /** A Git repository holding `clusters/<cluster>/rendered/`. */
  readonly repo: string;
  readonly cluster: string;
  /** Commit under test. */
  readonly commit: string;
  /** Rehearse this commit first, then move the same Argo CD to `commit`. */
  readonly baseCommit?: string;
}

export interface RehearsalOptions {
  readonly binaries: ControlPlaneBinaries;
  readonly crdSources: readonly PreparedCrdSource[];
  readonly argocd: ArgoCdBuild;
  readonly cacheRoot: string;
  /** Give up waiting for Applications to settle after this long (default 300 s). */
  readonly settleSeconds?: number;
  /** Let Argo CD fetch external Helm charts (needs the network). */
  readonly rehearseCharts?: boolean;
  readonly signal?: AbortSignal;
  readonly log?: EnsureOptions['log'];
}

/** What one pass (one commit) of a rehearsal found. */
export interface RehearsalPass {
  /** The commit under test. */
  readonly commit: string;
  /** The commit Argo CD synced: the commit under test, or its copy with the sync windows set aside. */
  readonly syncedCommit: string;
  /** The AppProjects' sync windows the rehearsal set aside (Argo CD would hold automated syncs outside them). */
  readonly syncWindowsSetAside: readonly WindowsSetAside[];
  readonly apps: readonly AppVerdict[];
  readonly appSets: readonly AppSetVerdict[];
  /** True when every Application settled before the deadline. */
  readonly settled: boolean;
  /** When it did not settle: the last log lines of each Argo CD process. */
  readonly diagnostics: readonly string[];
  readonly seconds: number;
}

export interface MoveReport {
  /** Resources Argo CD pruned (or skipped pruning) when moving to the head commit, per Application. */
  readonly pruned: readonly { app: string; resource: string; status: string; message: string }[];
  /** Applications that existed at the base and are gone at the head, with what they held. */
  readonly deletedApps: readonly { app: string; resources: readonly string[]; cascade: boolean; gone: readonly string[] }[];
  /** Resources that failed to update at the head. */
  readonly failed: readonly { app: string; resource: string; message: string }[];
}

export interface RehearsalResult {
  readonly cluster: string;
  readonly argocdRelease: string;
  readonly kubernetesRelease: string;
  readonly base?: RehearsalPass;
  readonly head: RehearsalPass;
  readonly move?: MoveReport;
  /** Objects of `bootstrap/` not applied, with why (the Argo CD install itself). */
  readonly skippedBootstrap: readonly string[];
  /** Objects of `bootstrap/` the rehearsal applied itself (server-side), as `Kind namespace/name`. */
  readonly bootstrapApplied?: readonly string[];
}

/** A commit published to the rehearsal's repository, and the copy of it Argo CD syncs. */
interface PublishedCommit {
  readonly commit: string;
  readonly synced: string;
  readonly setAside: readonly WindowsSetAside[];
}

interface Doc {
  readonly file: string;
  readonly object: Record<string, unknown>;
}

/** Rehearses one cluster; always stops every process it started. */
export async function rehearse(target: RehearsalTarget, options: RehearsalOptions): Promise<RehearsalResult> {
  const log = options.log ?? (() => undefined);
  // Every prerequisite first: a missing one fails at once, before anything starts.
  await findRedis();
  const rendered = `clusters/${target.cluster}/rendered`;
  const headDocs = await docsAtCommit(target.repo, target.commit, rendered);
  const baseDocs = target.baseCommit ? await docsAtCommit(target.repo, target.baseCommit, rendered) : [];
  const firstDocs = target.baseCommit ? baseDocs : headDocs;
  const bootstrap = firstDocs.filter((d) => d.file.startsWith(`${rendered}/bootstrap/`));
  const root = bootstrap.find((d) => d.object['kind'] === 'Application');
  if (!root) throw new ToolError(`${rendered}/bootstrap/ holds no Application: nothing to bootstrap Argo CD with`, 'the rendered bootstrap/ folder needs the root Application (application.root.yaml)');
  const source = ((root.object['spec'] as Record<string, unknown> | undefined)?.['source'] ?? {}) as { repoURL?: string; targetRevision?: string };
  if (!source.repoURL) throw new ToolError(`${root.file}: the root Application has no spec.source.repoURL`);
  const branch = source.targetRevision && source.targetRevision !== 'HEAD' ? source.targetRevision : 'main';
  const repoHost = new URL(source.repoURL).host;

  const work = await mkdtemp(path.join(os.tmpdir(), 'gitops-rehearse-'));
  const bare = path.join(work, 'repository.git');
  let proxy: GitProxy | undefined;
  let argo: RunningArgoCd | undefined;
  try {
    await git(work, ['init', '-q', '--bare', bare]);
    await git(bare, ['symbolic-ref', 'HEAD', `refs/heads/${branch}`]);
    // The branch gets the commit's copy without sync windows: the rehearsal runs as inside them, at any hour.
    const publish = async (commit: string) => {
      await git(target.repo, ['push', '-q', '--force', bare, `${commit}:refs/heads/${branch}`]);
      const copy = await commitWithoutSyncWindows(bare, commit, rendered);
      if (copy.commit !== commit) await git(bare, ['update-ref', `refs/heads/${branch}`, copy.commit]);
      return { commit, synced: copy.commit, setAside: copy.setAside };
    };
    const firstPublished = await publish(target.baseCommit ?? target.commit);

    const plan = await planCrds(options.crdSources, usedVersions([...baseDocs, ...headDocs]));
    // Argo CD and the proxy stop inside the session, before the API server: its graceful shutdown
    // would otherwise wait for the controllers' watches.
    return await withApiServer({ binaries: options.binaries, plan, cacheRoot: options.cacheRoot, signal: options.signal, log }, async (session) => {
      try {
        await session.ensureNamespaces([ARGOCD_NAMESPACE]);
        proxy = await startGitProxy(bare, repoHost);
        await applyArgoCdConfig(session, options, firstDocs, source.repoURL!, proxy.url);
        argo = await startArgoCd({ argocd: options.argocd, connection: session.connection, namespace: ARGOCD_NAMESPACE, signal: options.signal, log });
        const skipped: string[] = [];
        const bootstrapSetAside: WindowsSetAside[] = [];
        const applied: string[] = [];
        for (const doc of bootstrap) {
          const kind = String(doc.object['kind']);
          if (kind !== 'AppProject' && kind !== 'Application') {
            skipped.push(`${doc.file} (${kind}): the Argo CD installation, replaced by the rehearsal's own processes`);
            continue;
          }
          await mustApply(session, kind === 'AppProject' ? { ...doc, object: projectWithoutWindows(doc.object, bootstrapSetAside, doc.file) } : doc);
          const meta = (doc.object['metadata'] ?? {}) as { name?: string; namespace?: string };
          applied.push(`${kind} ${meta.namespace ? `${meta.namespace}/` : ''}${meta.name ?? ''}`);
        }
        for (const file of await bootstrapOtherFiles(target.repo, target.baseCommit ?? target.commit, `${rendered}/bootstrap`, bootstrap)) skipped.push(`${file}: not a Kubernetes object (the Argo CD installation)`);

        const firstCommit = target.baseCommit ?? target.commit;
        log(`${target.cluster}: Argo CD ${options.argocd.release} syncs ${rendered} at ${firstCommit.slice(0, 12)} into kube-apiserver ${options.binaries.kubernetesRelease}`);
        const first = await settleAndCheck(session.client, argo, { ...firstPublished, setAside: [...bootstrapSetAside, ...firstPublished.setAside] }, source.repoURL!, options, log, target.cluster);
        if (!target.baseCommit) return { cluster: target.cluster, argocdRelease: options.argocd.release, kubernetesRelease: options.binaries.kubernetesRelease, head: first, skippedBootstrap: skipped, bootstrapApplied: applied };

        log(`${target.cluster}: moving the same Argo CD to ${target.commit.slice(0, 12)}`);
        const before = first.apps;
        const headPublished = await publish(target.commit);
        await refreshAll(session.client, 'hard');
        const head = await settleAndCheck(session.client, argo, headPublished, source.repoURL!, options, log, target.cluster);
        const move = await moveReport(session, before, head.apps);
        return { cluster: target.cluster, argocdRelease: options.argocd.release, kubernetesRelease: options.binaries.kubernetesRelease, base: first, head, move, skippedBootstrap: skipped, bootstrapApplied: applied };
      } finally {
        await argo?.stop();
        await proxy?.close();
      }
    });
  } finally {
    await argo?.stop();
    await proxy?.close();
    await rm(work, { recursive: true, force: true });
  }
}

/** Waits until the Applications settle at `commit`, then refreshes each once and waits again. */
async function settleAndCheck(client: KubeClient, argo: RunningArgoCd, published: PublishedCommit, repoURL: string, options: RehearsalOptions, log: (line: string) => void, cluster: string): Promise<RehearsalPass> {
  const commit = published.synced;
  const started = Date.now();
  const deadline = started + (options.settleSeconds ?? 300) * 1000;
  const settled = await waitSettled(client, argo, commit, repoURL, deadline, options, log, cluster);
  let apps = await collectApplications(client, ARGOCD_NAMESPACE, { commit, repoURL, rehearseCharts: Boolean(options.rehearseCharts) });
  if (settled) {
    // One refresh: an Application whose tree the server changes (or that fights itself) goes
    // OutOfSync again, and self-heal syncs it again: both count as a perpetual diff.
    const syncsBefore = new Map(apps.map((a) => [a.name, a.syncStartedAt]));
    const succeeded = new Set(apps.filter((a) => a.phase === 'Succeeded').map((a) => a.name));
    await refreshAll(client, 'normal');
    await waitRefreshed(client, argo, deadline, options.signal);
    await waitSettled(client, argo, commit, repoURL, deadline, options, () => undefined, cluster);
    apps = (await collectApplications(client, ARGOCD_NAMESPACE, { commit, repoURL, rehearseCharts: Boolean(options.rehearseCharts) })).map((app) => {
      const before = syncsBefore.get(app.name);
      const resynced = before !== undefined && app.syncStartedAt !== before;
      // Only an Application whose sync succeeded can have a perpetual diff (a failed one is OutOfSync anyway).
      return succeeded.has(app.name) && app.rehearsed && (resynced || app.sync === 'OutOfSync') ? { ...app, perpetualDiff: true } : app;
    });
  }
  const appSets = await collectApplicationSets(client, ARGOCD_NAMESPACE);
  const diagnostics: string[] = [];
  if (!settled) for (const name of ['application-controller', 'repo-server', 'applicationset-controller']) diagnostics.push(`${name} log (last lines):\n${await argo.logTail(name, 8)}`);
  return { commit: published.commit, syncedCommit: commit, syncWindowsSetAside: published.setAside, apps, appSets, settled, diagnostics, seconds: Math.round((Date.now() - started) / 100) / 10 };
}

/**
 * Settled: every Application has been reconciled at `commit` (or is not rehearsed) and has no
 * operation in flight except a retry after a failure, and nothing changed for 5 s.
 */
async function waitSettled(client: KubeClient, argo: RunningArgoCd, commit: string, repoURL: string, deadline: number, options: RehearsalOptions, log: (line: string) => void, cluster: string): Promise<boolean> {
  let lastState = '';
  let stableSince = Date.now();
  let lastReport = 0;
  for (;;) {
    options.signal?.throwIfAborted();
    argo.assertRunning();
    const apps = await collectApplications(client, ARGOCD_NAMESPACE, { commit, repoURL, rehearseCharts: Boolean(options.rehearseCharts) });
    const appSets = await collectApplicationSets(client, ARGOCD_NAMESPACE);
    const state = JSON.stringify([apps.map((a) => [a.name, a.sync, a.revision, a.phase, a.syncStartedAt, a.retrying, a.blocked, a.deleting]), appSets]);
    const now = Date.now();
    if (state !== lastState) {
      lastState = state;
      stableSince = now;
    }
    const done = apps.length > 0 && apps.every((a) => a.settled) && appSets.every((a) => a.settled);
    // A wave that waits for health may still be reached by a slow sync: give it longer.
    if (done && now - stableSince >= (apps.some((a) => a.blocked) ? 20_000 : 5_000)) return true;
    if (now - lastReport >= 15_000) {
      lastReport = now;
      const pending = apps.filter((a) => !a.settled).map((a) => a.name);
      log(`${cluster}: ${apps.length} Applications, ${apps.filter((a) => a.sync === 'Synced').length} Synced${pending.length ? `; waiting for ${pending.slice(0, 6).join(', ')}${pending.length > 6 ? ', ...' : ''}` : ''}`);
    }
    if (now > deadline) return false;
    await sleep(1_000, undefined, { signal: options.signal });
  }
}

/** Waits until the controller took every refresh annotation away (or the deadline). */
async function waitRefreshed(client: KubeClient, argo: RunningArgoCd, deadline: number, signal?: AbortSignal): Promise<void> {
  for (;;) {
    signal?.throwIfAborted();
    argo.assertRunning();
    const items = await listItems<{ metadata?: { annotations?: Record<string, string> } }>(client, `/apis/argoproj.io/v1alpha1/namespaces/${ARGOCD_NAMESPACE}/applications`);
    if (items.every((item) => !item.metadata?.annotations?.['argocd.argoproj.io/refresh']) || Date.now() > deadline) return;
    await sleep(500, undefined, { signal });
  }
}

/** Asks Argo CD to refresh every Application (`argocd.argoproj.io/refresh`) and ApplicationSet. */
async function refreshAll(client: KubeClient, kind: 'normal' | 'hard'): Promise<void> {
  for (const item of await listItems<{ metadata: { name: string } }>(client, `/apis/argoproj.io/v1alpha1/namespaces/${ARGOCD_NAMESPACE}/applicationsets`)) {
    await client.request('PATCH', `/apis/argoproj.io/v1alpha1/namespaces/${ARGOCD_NAMESPACE}/applicationsets/${item.metadata.name}`, JSON.stringify({ metadata: { annotations: { [APPSET_REFRESH_ANNOTATION]: 'true' } } }), { 'content-type': 'application/merge-patch+json' });
  }
  for (const item of await listItems<{ metadata: { name: string } }>(client, `/apis/argoproj.io/v1alpha1/namespaces/${ARGOCD_NAMESPACE}/applications`)) {
    await client.request('PATCH', `/apis/argoproj.io/v1alpha1/namespaces/${ARGOCD_NAMESPACE}/applications/${item.metadata.name}`, JSON.stringify({ metadata: { annotations: { 'argocd.argoproj.io/refresh': kind } } }), { 'content-type': 'application/merge-patch+json' });
  }
}

/** What moving from the base to the head did: prunes, deleted Applications, failed updates. */
async function moveReport(session: ApiSession, before: readonly AppVerdict[], after: readonly AppVerdict[]): Promise<MoveReport> {
  const pruned = after.flatMap((app) => app.results.filter((r) => r.status === 'Pruned' || r.status === 'PruneSkipped').map((r) => ({ app: app.name, resource: r.resource, status: r.status, message: r.message })));
  const failed = after.flatMap((app) => app.results.filter((r) => r.status === 'SyncFailed').map((r) => ({ app: app.name, resource: r.resource, message: r.message })));
  const afterNames = new Set(after.filter((a) => !a.deleting).map((a) => a.name));
  const deletedApps: MoveReport['deletedApps'][number][] = [];
  const served = await session.client.discover();
  for (const app of before.filter((a) => !afterNames.has(a.name))) {
    const gone: string[] = [];
    for (const resource of app.resources) if (!(await exists(session.client, served, resource))) gone.push(resource.ref);
    deletedApps.push({ app: app.name, resources: app.resources.map((r) => r.ref), cascade: app.cascadeDelete, gone });
  }
  return { pruned, deletedApps, failed };
}

async function exists(client: KubeClient, served: Map<string, ServedResource>, resource: { apiVersion: string; kind: string; namespace: string; name: string }): Promise<boolean> {
  const [group, version] = resource.apiVersion.includes('/') ? resource.apiVersion.split('/') : ['', resource.apiVersion];
  const where = served.get(`${group}/${version}/${resource.kind}`);
  if (!where) return false;
  const answer = await client.get(objectPath(resource.apiVersion, where, resource.name, resource.namespace || undefined));
  // A Namespace stays Terminating: no namespace controller runs in a rehearsal.
  return answer.status === 200 && !(answer.body['metadata'] as { deletionTimestamp?: string } | undefined)?.deletionTimestamp;
}

/**
 * Argo CD's config maps from the release's `manifests/base/config`, `argocd-cm` merged with the
 * `configs.cm` values the tree gives the argo-cd chart and the rehearsal's Application health
 * check; the repository Secret pointing Argo CD at the Git proxy.
 */
async function applyArgoCdConfig(session: ApiSession, options: RehearsalOptions, docs: readonly Doc[], repoURL: string, proxyUrl: string): Promise<void> {
  const configDir = path.join(options.argocd.moduleDir, 'manifests', 'base', 'config');
  const chartCm = argoCdChartCm(docs);
  for (const entry of (await readdir(configDir)).sort()) {
    if (!entry.endsWith('.yaml') || entry === 'kustomization.yaml') continue;
    for (const parsed of parseAllDocuments(await readFile(path.join(configDir, entry), 'utf8'))) {
      const object = parsed.toJS() as Record<string, unknown> | null;
      if (!object || typeof object !== 'object') continue;
      const metadata: Record<string, unknown> = { ...(object['metadata'] as Record<string, unknown>), namespace: ARGOCD_NAMESPACE };
      let data = object['data'] as Record<string, string> | undefined;
      if (metadata['name'] === 'argocd-cm') data = { ...data, ...chartCm, [APPLICATION_HEALTH_KEY]: rehearsalApplicationHealth(repoURL, Boolean(options.rehearseCharts)) };
      // argocd-server writes the signing key on its first start; no argocd-server runs here.
      const stringData = metadata['name'] === 'argocd-secret' ? { 'server.secretkey': randomBytes(32).toString('base64') } : undefined;
      await mustApply(session, { file: path.join(configDir, entry), object: { ...object, metadata, ...(data ? { data } : {}), ...(stringData ? { stringData } : {}) } });
    }
  }
  await mustApply(session, {
    file: '(rehearsal repository Secret)',
    object: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'rehearsal-repository', namespace: ARGOCD_NAMESPACE, labels: { 'argocd.argoproj.io/secret-type': 'repository' } },
      stringData: { type: 'git', url: repoURL, insecure: 'true', proxy: proxyUrl },
    },
  });
}

export const APPLICATION_HEALTH_KEY = 'resource.customizations.health.argoproj.io_Application';

/** The Application health check of a rehearsal (Lua, argocd-cm). */
export function rehearsalApplicationHealth(repoURL: string, rehearseCharts: boolean): string {
  return [
    'hs = {}',
    ...(rehearseCharts
      ? []
      : [
          'local sources = {}',
          'if obj.spec ~= nil and obj.spec.source ~= nil then table.insert(sources, obj.spec.source) end',
          'if obj.spec ~= nil and obj.spec.sources ~= nil then for _, s in ipairs(obj.spec.sources) do table.insert(sources, s) end end',
          'for _, s in ipairs(sources) do',
          `  if s.repoURL ~= ${JSON.stringify(repoURL)} then`,
          '    hs.status = "Healthy"',
          '    hs.message = "not rehearsed: external source " .. (s.repoURL or "")',
          '    return hs',
          '  end',
          'end',
        ]),
    // The tree's own check: the Application's aggregated health (itself excluded), as in production.
    'if obj.status ~= nil and obj.status.health ~= nil and (obj.status.health.status == "Healthy" or obj.status.health.status == "Degraded") then',
    '  hs.status = obj.status.health.status',
    '  hs.message = obj.status.health.message or ""',
    '  return hs',
    'end',
    // No kubelet or controller runs: a successful sync stands in for the health of what it deployed.
    'local op = nil',
    'if obj.status ~= nil then op = obj.status.operationState end',
    'if obj.status ~= nil and obj.status.sync ~= nil and obj.status.sync.status == "Synced" and (op == nil or op.phase == "Succeeded") then',
    '  hs.status = "Healthy"',
    '  hs.message = "synced (rehearsal: the health of running things is not judged)"',
    '  return hs',
    'end',
    'if op ~= nil and (op.phase == "Failed" or op.phase == "Error") then',
    '  hs.status = "Degraded"',
    '  hs.message = op.message or "sync failed"',
    '  return hs',
    'end',
    'hs.status = "Progressing"',
    'hs.message = "waiting for its sync"',
    'return hs',
    '',
  ].join('\n');
}

/** The argocd-cm entries the tree gives the argo-cd chart (`configs.cm` of its Helm values). */
export function argoCdChartCm(docs: readonly Doc[]): Record<string, string> {
  for (const doc of docs) {
    if (doc.object['kind'] !== 'Application') continue;
    const spec = (doc.object['spec'] ?? {}) as { sources?: { chart?: string; helm?: { valuesObject?: { configs?: { cm?: Record<string, unknown> } } } }[]; source?: { chart?: string; helm?: { valuesObject?: { configs?: { cm?: Record<string, unknown> } } } } };
    for (const source of [...(spec.sources ?? []), ...(spec.source ? [spec.source] : [])]) {
      if (source.chart !== 'argo-cd') continue;
      const cm = source.helm?.valuesObject?.configs?.cm ?? {};
      return Object.fromEntries(Object.entries(cm).filter(([key]) => key !== 'create').map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]));
    }
  }
  return {};
}

/** A bootstrap AppProject as the rehearsal applies it: its sync windows set aside (and recorded). */
function projectWithoutWindows(object: Record<string, unknown>, setAside: WindowsSetAside[], file: string): Record<string, unknown> {
  const spec = object['spec'] as { syncWindows?: SyncWindowSpec[] } | undefined;
  if (!spec?.syncWindows?.length) return object;
  const { syncWindows, ...rest } = spec;
  setAside.push({ file, project: String((object['metadata'] as { name?: string } | undefined)?.name ?? '?'), windows: syncWindows });
  return { ...object, spec: rest };
}

async function mustApply(session: ApiSession, doc: Doc): Promise<void> {
  const answer: ApiAnswer = await session.apply(doc.object);
  if (answer.status < 200 || answer.status >= 300) throw new ToolError(`${doc.file}: the API server refused ${String(doc.object['kind'])} ${String((doc.object['metadata'] as { name?: string } | undefined)?.name)}: ${String(answer.body['message'] ?? answer.status)}`);
}

/** Every object of the rendered tree at a commit, with its file. */
async function docsAtCommit(repo: string, commit: string, rendered: string): Promise<Doc[]> {
  const files = await readFilesAtCommit(repo, commit, [rendered], (file) => file.endsWith('.yaml'));
  if (files.length === 0) throw new ToolError(`${rendered}/ holds no YAML at commit ${commit.slice(0, 12)}`, 'render and commit the cluster first (npm run render)');
  const docs: Doc[] = [];
  for (const file of files) {
    for (const parsed of parseAllDocuments(file.content)) {
      const object = parsed.toJS() as unknown;
      if (object && typeof object === 'object' && !Array.isArray(object)) docs.push({ file: file.path, object: object as Record<string, unknown> });
    }
  }
  return docs;
}

async function bootstrapOtherFiles(repo: string, commit: string, dir: string, docs: readonly Doc[]): Promise<string[]> {
  const files = await readFilesAtCommit(repo, commit, [dir], () => true);
  const objects = new Set(docs.map((d) => d.file));
  return files.map((f) => f.path).filter((f) => !objects.has(f) && !f.endsWith('README.md'));
}

function usedVersions(docs: readonly Doc[]): Map<string, Set<string>> {
  const used = new Map<string, Set<string>>();
  const add = (group: string, kind: string, version: string) => {
    const versions = used.get(`${group}/${kind}`) ?? new Set<string>();
    versions.add(version);
    used.set(`${group}/${kind}`, versions);
  };
  for (const kind of ['Application', 'ApplicationSet', 'AppProject']) add('argoproj.io', kind, 'v1alpha1');
  for (const { object } of docs) {
    const apiVersion = typeof object['apiVersion'] === 'string' ? object['apiVersion'] : '';
    if (!apiVersion.includes('/')) continue;
    const [group, version] = apiVersion.split('/') as [string, string];
    add(group, String(object['kind']), version);
  }
  return used;
}

async function git(cwd: string, args: readonly string[]): Promise<string> {
  const result = await runProcess('git', args, { cwd, env: { GIT_TERMINAL_PROMPT: '0' } });
  if (result.code !== 0) throw new ToolError(`git ${args.join(' ')} failed (exit ${result.code}): ${result.stderr.trim()}`);
  return result.stdout;
}

import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { CheckContext, RenderedDoc } from '../rendered-check.js';

/**
 * What Argo CD will do with a cluster's rendered tree, worked out from the files alone: the
 * Applications (those in the tree and those the ApplicationSets' git directory generators make
 * from the folders on disk), the AppProjects, and which folder each Application syncs. Shared by
 * the `ownership` and `project-permissions` checks.
 */

/** Namespaces every cluster has without rendering them. */
export const builtInNamespaces: ReadonlySet<string> = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

/** One source of an Application. */
export interface SourceModel {
  readonly repoURL: string;
  /** Folder (repository path) for directory sources; `.` or undefined for charts. */
  readonly path?: string;
  readonly chart?: string;
  readonly recurse: boolean;
  /** A `ref` source only lends files to other sources; it syncs nothing. */
  readonly ref?: string;
}

/** An Application as Argo CD will see it. */
export interface AppModel {
  readonly name: string;
  readonly project: string;
  readonly destination: { readonly server?: string; readonly name?: string; readonly namespace?: string };
  readonly sources: readonly SourceModel[];
  /** The document it comes from: the Application, or the ApplicationSet that generates it. */
  readonly doc: RenderedDoc;
  /** Set for Applications an ApplicationSet generates. */
  readonly generatedBy?: string;
}

/** A project's permissions, as Argo CD reads them. */
export interface ProjectModel {
  readonly name: string;
  readonly doc: RenderedDoc;
  readonly sourceRepos: readonly string[];
  readonly destinations: readonly { readonly server?: string; readonly name?: string; readonly namespace?: string }[];
  readonly clusterWhitelist: readonly { group: string; kind: string; name?: string }[];
  readonly clusterBlacklist: readonly { group: string; kind: string; name?: string }[];
  /** Undefined means "not set", which Argo CD reads as every kind. */
  readonly namespacedWhitelist?: readonly { group: string; kind: string }[];
  readonly namespacedBlacklist: readonly { group: string; kind: string }[];
}

/** A problem found while reading the Argo CD objects themselves. */
export interface TreeProblem {
  readonly doc: RenderedDoc;
  readonly message: string;
  readonly fix: string;
}

export interface ArgoCdTree {
  /** `clusters/<cluster>/rendered` */
  readonly renderedRoot: string;
  /** This repository, as the cluster's Argo CD reaches it. */
  readonly repoURL: string;
  readonly apps: readonly AppModel[];
  readonly projects: ReadonlyMap<string, ProjectModel>;
  /** Folders (repository paths) of the rendered tree holding manifests, with their documents. */
  readonly folders: ReadonlyMap<string, readonly RenderedDoc[]>;
  /** Every directory of the rendered tree on disk (repository paths), for the directory generators. */
  readonly directories: ReadonlySet<string>;
  /** Namespaces a Namespace object is rendered for, with the documents. */
  readonly namespaces: ReadonlyMap<string, readonly RenderedDoc[]>;
  readonly problems: readonly TreeProblem[];
}

/** Folder of a repository path (`a/b/c.yaml` → `a/b`). */
export function folderOf(file: string): string {
  return path.posix.dirname(file);
}

/** The folders a source syncs its files from: its path, and everything below when recursive. */
export function syncsFolder(source: SourceModel, folder: string): boolean {
  if (source.ref || source.path === undefined || source.chart) return false;
  const base = memo(folderBases, source.path, (p) => p.replace(/\/+$/, ''));
  return folder === base || (source.recurse && folder.startsWith(`${base}/`));
}

/**
 * The checks ask the same few questions for every folder and object of a 15,000-object tree
 * (each Application's path and repository, each project's patterns): the answers are kept.
 */
function memo<T>(cache: Map<string, T>, key: string, compute: (key: string) => T): T {
  let value = cache.get(key);
  if (value === undefined && !cache.has(key)) cache.set(key, (value = compute(key)));
  return value as T;
}
const folderBases = new Map<string, string>();
const normalizedRepos = new Map<string, string>();
const globs = new Map<string, RegExp | undefined>();

/** Normalizes a Git URL the way Argo CD compares them (case, `.git`, trailing slash). */
export function normalizeRepo(url: string): string {
  return memo(normalizedRepos, url, (u) =>
    u
      .trim()
      .toLowerCase()
      .replace(/\.git$/, '')
      .replace(/\/+$/, ''),
  );
}

/**
 * Go's `filepath.Match` on one string: `*` any run of characters except `/`, `?` one such
 * character, `[...]` a class. What Argo CD uses for kinds, groups and names in projects.
 */
export function globMatch(pattern: string, value: string): boolean {
  return memo(globs, pattern, globRegExp)?.test(value) ?? false;
}

/** The regular expression of a `globMatch` pattern; undefined for a malformed one (it matches nothing). */
function globRegExp(pattern: string): RegExp | undefined {
  let source = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) return undefined;
      const body = pattern.slice(i + 1, end).replace(/^\^/, '!');
      source += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
      i = end;
    } else if (c === '\\' && i + 1 < pattern.length) source += escape(pattern[++i]!);
    else source += escape(c);
  }
  return new RegExp(`${source}$`);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `group` of an apiVersion (`apps/v1` → `apps`, `v1` → ``). */
export function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
}

/** Cluster-scoped kinds by group; other kinds are namespaced when they carry a namespace. */
const clusterScoped: Readonly<Record<string, readonly string[]>> = {
  '': ['Namespace', 'Node', 'PersistentVolume', 'ComponentStatus'],
  'rbac.authorization.k8s.io': ['ClusterRole', 'ClusterRoleBinding'],
  'apiextensions.k8s.io': ['CustomResourceDefinition'],
  'apiregistration.k8s.io': ['APIService'],
  'admissionregistration.k8s.io': ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding'],
  'storage.k8s.io': ['StorageClass', 'CSIDriver', 'CSINode', 'VolumeAttachment', 'VolumeAttributesClass'],
  'scheduling.k8s.io': ['PriorityClass'],
  'node.k8s.io': ['RuntimeClass'],
  'networking.k8s.io': ['IngressClass', 'IPAddress', 'ServiceCIDR'],
  'flowcontrol.apiserver.k8s.io': ['FlowSchema', 'PriorityLevelConfiguration'],
  'certificates.k8s.io': ['CertificateSigningRequest'],
  'external-secrets.io': ['ClusterSecretStore', 'ClusterExternalSecret', 'ClusterPushSecret'],
  'pkg.crossplane.io': ['Provider', 'Configuration', 'Function', 'DeploymentRuntimeConfig', 'ImageConfig', 'Lock'],
  'apiextensions.crossplane.io': ['CompositeResourceDefinition', 'Composition', 'CompositionRevision', 'EnvironmentConfig', 'ManagedResourceDefinition'],
  'aws.upbound.io': ['ProviderConfig', 'ProviderConfigUsage', 'StoreConfig'],
  'elbv2.k8s.aws': ['IngressClassParams'],
  'argoproj.io': ['ClusterWorkflowTemplate', 'ClusterAnalysisTemplate'],
};

/** Whether an object is namespaced, as the API server will treat it. */
export function isNamespaced(doc: RenderedDoc): boolean {
  const group = groupOf(doc.object.apiVersion);
  if (clusterScoped[group]?.includes(doc.object.kind)) return false;
  // Upbound provider-aws v1 managed resources are cluster-scoped; the v2 `.m.` groups are namespaced.
  if (group.endsWith('.aws.upbound.io')) return false;
  return doc.object.metadata.namespace !== undefined;
}

/** Reads the Argo CD objects and folders of one cluster. */
export function readArgoCdTree(context: CheckContext): ArgoCdTree {
  const renderedRoot = `clusters/${context.cluster.name}/rendered`;
  const repoURL = context.cluster.argocd.repoURL;
  const problems: TreeProblem[] = [];
  const folders = new Map<string, RenderedDoc[]>();
  const namespaces = new Map<string, RenderedDoc[]>();
  for (const doc of context.docs) {
    const folder = folderOf(doc.file);
    folders.set(folder, [...(folders.get(folder) ?? []), doc]);
    if (doc.object.kind === 'Namespace' && doc.object.apiVersion === 'v1') namespaces.set(doc.object.metadata.name, [...(namespaces.get(doc.object.metadata.name) ?? []), doc]);
  }
  const directories = new Set<string>([...folders.keys()].flatMap((folder) => ancestors(folder, renderedRoot)));
  for (const dir of listDirectories(context.root, renderedRoot)) directories.add(dir);

  const projects = new Map<string, ProjectModel>();
  for (const doc of context.docs.filter((d) => d.object.kind === 'AppProject' && groupOf(d.object.apiVersion) === 'argoproj.io')) {
    const spec = (doc.object['spec'] ?? {}) as Record<string, unknown>;
    projects.set(doc.object.metadata.name, {
      name: doc.object.metadata.name,
      doc,
      sourceRepos: list(spec['sourceRepos']).map(String),
      destinations: list(spec['destinations']) as ProjectModel['destinations'],
      clusterWhitelist: groupKinds(spec['clusterResourceWhitelist']),
      clusterBlacklist: groupKinds(spec['clusterResourceBlacklist']),
      namespacedWhitelist: spec['namespaceResourceWhitelist'] === undefined || spec['namespaceResourceWhitelist'] === null ? undefined : groupKinds(spec['namespaceResourceWhitelist']),
      namespacedBlacklist: groupKinds(spec['namespaceResourceBlacklist']),
    });
  }

  const apps: AppModel[] = [];
  const seen = new Map<string, AppModel>();
  const addApp = (app: AppModel) => {
    const earlier = seen.get(app.name);
    if (earlier) {
      // The bootstrap applies a copy of the root Application that argocd/ then keeps: the two must be the same object.
      if (JSON.stringify(specOf(earlier.doc)) !== JSON.stringify(specOf(app.doc)) || earlier.generatedBy || app.generatedBy) {
        problems.push({
          doc: app.doc,
          message: `Application ${app.name} is defined twice (${earlier.doc.file} and ${app.doc.file}) and the two differ: Argo CD would flip between them`,
          fix: 'render one definition (a bootstrap copy must be identical to the one in argocd/)',
        });
      }
      return;
    }
    seen.set(app.name, app);
    apps.push(app);
  };
  // argocd/ first, so a bootstrap copy is compared against it.
  const ordered = [...context.docs].sort((a, b) => Number(a.file.includes('/bootstrap/')) - Number(b.file.includes('/bootstrap/')) || a.file.localeCompare(b.file));
  for (const doc of ordered) {
    if (groupOf(doc.object.apiVersion) !== 'argoproj.io') continue;
    if (doc.object.kind === 'Application') addApp(appFrom(doc, (doc.object['spec'] ?? {}) as Record<string, unknown>, doc.object.metadata.name));
    if (doc.object.kind === 'ApplicationSet') {
      for (const app of generate(doc, repoURL, directories, problems)) addApp(app);
    }
  }
  return { renderedRoot, repoURL, apps, projects, folders, directories, namespaces, problems };
}

function specOf(doc: RenderedDoc): unknown {
  return { metadata: { ...doc.object.metadata }, spec: doc.object['spec'] };
}

function groupKinds(value: unknown): { group: string; kind: string; name?: string }[] {
  return list(value).map((item) => ({
    group: String(item['group'] ?? ''),
    kind: String(item['kind'] ?? ''),
    ...(typeof item['name'] === 'string' && item['name'] !== '' ? { name: item['name'] as string } : {}),
  }));
}

function list(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
}

function appFrom(doc: RenderedDoc, spec: Record<string, unknown>, name: string, generatedBy?: string): AppModel {
  const rawSources = spec['sources'] !== undefined ? list(spec['sources']) : spec['source'] ? [spec['source'] as Record<string, unknown>] : [];
  const sources = rawSources.map((source) => ({
    repoURL: String(source['repoURL'] ?? ''),
    path: typeof source['path'] === 'string' ? (source['path'] as string) : undefined,
    chart: typeof source['chart'] === 'string' ? (source['chart'] as string) : isOciChart(source) ? String(source['repoURL']) : undefined,
    recurse: Boolean((source['directory'] as Record<string, unknown> | undefined)?.['recurse']),
    ref: typeof source['ref'] === 'string' ? (source['ref'] as string) : undefined,
  }));
  const destination = (spec['destination'] ?? {}) as AppModel['destination'];
  return { name, project: String(spec['project'] ?? ''), destination, sources, doc, generatedBy };
}

/** An OCI Helm chart source (`oci://…` with path `.` and Helm settings): syncs no folder of this repository. */
function isOciChart(source: Record<string, unknown>): boolean {
  return typeof source['repoURL'] === 'string' && (source['repoURL'] as string).startsWith('oci://');
}

/** Simulates an ApplicationSet's git directory generators against the folders on disk. */
function generate(doc: RenderedDoc, repoURL: string, directories: ReadonlySet<string>, problems: TreeProblem[]): AppModel[] {
  const spec = (doc.object['spec'] ?? {}) as Record<string, unknown>;
  const template = spec['template'] as Record<string, unknown> | undefined;
  const name = doc.object.metadata.name;
  if (!template) {
    problems.push({ doc, message: `ApplicationSet ${name} has no template`, fix: 'render the ApplicationSet with a template' });
    return [];
  }
  if (spec['goTemplate'] !== true) {
    problems.push({ doc, message: `ApplicationSet ${name} does not use goTemplate: its template cannot be checked`, fix: 'set goTemplate: true and use {{.path.path}} / {{.path.basename}}' });
    return [];
  }
  const apps: AppModel[] = [];
  for (const generator of list(spec['generators'])) {
    const git = generator['git'] as Record<string, unknown> | undefined;
    const kinds = Object.keys(generator).filter((key) => key !== 'selector');
    if (!git || kinds.length !== 1 || !Array.isArray(git['directories'])) {
      problems.push({
        doc,
        message: `ApplicationSet ${name} uses a generator other than git directories (${kinds.join(', ')}): the folders it syncs cannot be worked out from the tree`,
        fix: 'generate Applications from folders with a git directory generator, or render the Applications themselves',
      });
      continue;
    }
    if (normalizeRepo(String(git['repoURL'] ?? '')) !== normalizeRepo(repoURL)) {
      problems.push({ doc, message: `ApplicationSet ${name} lists folders of another repository (${String(git['repoURL'])})`, fix: `point the generator at ${repoURL}` });
      continue;
    }
    const entries = list(git['directories']);
    const include = entries.filter((entry) => entry['exclude'] !== true).map((entry) => String(entry['path']));
    const exclude = entries.filter((entry) => entry['exclude'] === true).map((entry) => String(entry['path']));
    const matches = [...directories].filter((dir) => include.some((p) => pathMatch(p, dir)) && !exclude.some((p) => pathMatch(p, dir))).sort();
    for (const dir of matches) {
      const params = { path: dir, basename: path.posix.basename(dir), basenameNormalized: path.posix.basename(dir).replace(/[^a-zA-Z0-9-]/g, '-').toLowerCase(), segments: dir.split('/') };
      const rendered = renderTemplate(template, params, (expression) =>
        problems.push({ doc, message: `ApplicationSet ${name}: template expression {{${expression}}} is not one of .path.path, .path.basename, .path.basenameNormalized, index .path.segments N`, fix: 'use the git directory generator parameters only' }),
      ) as Record<string, unknown>;
      const metadata = (rendered['metadata'] ?? {}) as Record<string, unknown>;
      apps.push(appFrom(doc, (rendered['spec'] ?? {}) as Record<string, unknown>, String(metadata['name'] ?? ''), name));
    }
  }
  return apps;
}

/** Go's `path.Match` over a whole path: `*` never crosses `/`. */
function pathMatch(pattern: string, dir: string): boolean {
  const parts = pattern.split('/');
  const segments = dir.split('/');
  return parts.length === segments.length && parts.every((part, i) => globMatch(part, segments[i]!));
}

function renderTemplate(value: unknown, params: { path: string; basename: string; basenameNormalized: string; segments: string[] }, unknown: (expression: string) => void): unknown {
  if (typeof value === 'string') {
    return value.replace(/\{\{-?\s*(.*?)\s*-?\}\}/g, (_all, expression: string) => {
      if (expression === '.path.path') return params.path;
      if (expression === '.path.basename') return params.basename;
      if (expression === '.path.basenameNormalized') return params.basenameNormalized;
      const index = /^index \.path\.segments ([0-9]+)$/.exec(expression);
      if (index && params.segments[Number(index[1])] !== undefined) return params.segments[Number(index[1])]!;
      unknown(expression);
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((item) => renderTemplate(item, params, unknown));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderTemplate(item, params, unknown)]));
  return value;
}

/** A folder and its parents up to (and including) the rendered root. */
function ancestors(folder: string, renderedRoot: string): string[] {
  const result: string[] = [];
  for (let dir = folder; dir.startsWith(renderedRoot); dir = path.posix.dirname(dir)) {
    result.push(dir);
    if (dir === renderedRoot) break;
  }
  return result;
}

/** Every directory under the rendered root on disk, as repository paths (none when it is not on disk). */
function listDirectories(root: string, renderedRoot: string): string[] {
  const base = path.join(root, ...renderedRoot.split('/'));
  try {
    if (!statSync(base).isDirectory()) return [];
  } catch {
    return [];
  }
  const dirs: string[] = [renderedRoot];
  const walk = (dir: string, relative: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const child = `${relative}/${entry.name}`;
      dirs.push(child);
      walk(path.join(dir, entry.name), child);
    }
  };
  walk(base, renderedRoot);
  return dirs;
}

/** Whether a directory exists on disk and holds at least one file (Git keeps no empty folders). */
export function folderHasFiles(root: string, folder: string): boolean {
  try {
    return readdirSync(path.join(root, ...folder.split('/')), { withFileTypes: true }).some((entry) => entry.isFile());
  } catch {
    return false;
  }
}

import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { InputError, UsageError, type InputIssue } from '../errors.js';
import { dnsLabel, type ParamRef, type StringOrParam } from './schemas/common.js';
import { clusterSchema, type ClusterInput } from './schemas/cluster.js';
import { readYamlFile, type YamlFile } from './yaml-file.js';
import { located, zodIssues } from './zod-issues.js';
import { readParamsFile, type Params } from './params.js';

/** An input type with every `{ param }` reference replaced by its string value. */
export type Resolved<T> = T extends ParamRef ? never : T extends string | number | boolean | undefined ? T : T extends readonly (infer U)[] ? Resolved<U>[] : { [K in keyof T]: Resolved<T[K]> };

/** A validated cluster with its parameters resolved. */
export type Cluster = Resolved<ClusterInput> & {
  /** Folder name under `clusters/`. */
  readonly name: string;
  /** `clusters/<name>/cluster.yaml` */
  readonly file: string;
  /** `clusters/<name>/params.yaml` (may not exist). */
  readonly paramsFile: string;
  /** Values of `params.yaml` by name. */
  readonly params: Params;
};

/** Names of the folders under `clusters/` that hold a cluster.yaml, sorted. */
export async function listClusterNames(root: string): Promise<string[]> {
  const entries = await readdir(path.join(root, 'clusters'), { withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
}

/** Loads and validates every `clusters/<name>/cluster.yaml`; throws `InputError` listing all issues. */
/** The clusters a `--cluster` option names (every cluster when it names none); an unknown name is a usage error listing the clusters. */
export async function selectClusters(root: string, names: readonly string[] | undefined): Promise<Cluster[]> {
  const clusters = await loadClusters(root);
  if (!names?.length) return clusters;
  const unknown = names.filter((name) => !clusters.some((c) => c.name === name));
  if (unknown.length) throw new UsageError(`unknown cluster ${unknown.join(', ')} (clusters: ${clusters.map((c) => c.name).join(', ')})`);
  return clusters.filter((c) => names.includes(c.name));
}

export async function loadClusters(root: string): Promise<Cluster[]> {
  const { clusters, issues } = await readClusters(root);
  if (issues.length) throw new InputError(issues);
  return clusters;
}

/** Like `loadClusters`, but returns the issues for the caller to report with its own. */
export async function readClusters(root: string): Promise<{ clusters: Cluster[]; issues: InputIssue[] }> {
  const issues: InputIssue[] = [];
  const clusters: Cluster[] = [];
  const names = await listClusterNames(root);
  if (names.length === 0) {
    issues.push({ file: 'clusters/', path: '', message: 'no clusters: add clusters/<name>/cluster.yaml' });
  }
  for (const name of names) {
    const file = `clusters/${name}/cluster.yaml`;
    const paramsFile = `clusters/${name}/params.yaml`;
    const nameCheck = dnsLabel.safeParse(name);
    if (!nameCheck.success) {
      issues.push({ file, path: '', message: `cluster folder name "${name}" ${nameCheck.error.issues[0]!.message}` });
      continue;
    }
    const read = await readYamlFile(root, file).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (!read) {
      issues.push({ file, path: '', message: `missing: every folder under clusters/ needs a cluster.yaml` });
      continue;
    }
    issues.push(...read.issues);
    const params = await readParamsFile(root, paramsFile);
    issues.push(...params.issues);
    if (read.issues.length) continue;
    const parsed = clusterSchema.safeParse(read.file.data ?? {});
    if (!parsed.success) {
      issues.push(...zodIssues(parsed.error, [read.file], clusterSchema));
      continue;
    }
    const resolver = new ParamResolver(params.values, read.file, paramsFile);
    const resolved = resolver.resolveTree(parsed.data) as Resolved<ClusterInput>;
    issues.push(...resolver.issues);
    clusters.push({ ...resolved, name, file, paramsFile, params: params.values });
  }
  return { clusters, issues };
}

/**
 * Replaces every `{ param: name }` in a parsed input with the value from params.yaml,
 * collecting an issue (naming both files) for each name that is missing.
 */
export class ParamResolver {
  readonly issues: InputIssue[] = [];
  constructor(
    private readonly params: Params,
    private readonly source: YamlFile,
    private readonly paramsFile: string,
  ) {}

  resolveTree(value: unknown, fieldPath: PropertyKey[] = []): unknown {
    if (isParamRef(value)) return this.resolve(value, fieldPath);
    if (Array.isArray(value)) return value.map((item, index) => this.resolveTree(item, [...fieldPath, index]));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.resolveTree(item, [...fieldPath, key])]));
    }
    return value;
  }

  resolve(value: StringOrParam, fieldPath: PropertyKey[]): string {
    if (typeof value === 'string') return value;
    const found = this.params[value.param];
    if (found === undefined) {
      this.issues.push(
        located([this.source], [...fieldPath, 'param'], `parameter "${value.param}" is not in ${this.paramsFile}; add it to SSM and run \`gitops params pull\`, or fix the name`),
      );
      return `<missing:${value.param}>`;
    }
    if (typeof found !== 'string') {
      this.issues.push(located([this.source], [...fieldPath, 'param'], `parameter "${value.param}" in ${this.paramsFile} is a list; this field takes one value`));
      return found.join(',');
    }
    return found;
  }

  /**
   * Resolves a list field: literal strings as they are, or `{ param: name }` naming a StringList
   * parameter (a String parameter is a one-item list). A missing name is an issue naming both files.
   */
  resolveList(value: readonly string[] | ParamRef, fieldPath: PropertyKey[]): string[] {
    if (Array.isArray(value)) return [...(value as readonly string[])];
    const ref = value as ParamRef;
    const found = this.params[ref.param];
    if (found === undefined) {
      this.issues.push(
        located([this.source], [...fieldPath, 'param'], `parameter "${ref.param}" is not in ${this.paramsFile}; add it to SSM and run \`gitops params pull\`, or fix the name`),
      );
      return [`<missing:${ref.param}>`];
    }
    return typeof found === 'string' ? [found] : [...found];
  }
}

function isParamRef(value: unknown): value is { param: string } {
  return Boolean(value) && typeof value === 'object' && !Array.isArray(value) && Object.keys(value as object).length === 1 && typeof (value as { param?: unknown }).param === 'string';
}


/**
 * Content-cached runs of the file-based engines (kubeconform, kubectl-validate): a file whose
 * bytes were judged before by the same engine, version, Kubernetes release and schema set gets
 * its results from `.cache/verdicts/<engine>.json`; only the other files go through the engine.
 * A file is cached only when every result in it is definite (valid or invalid).
 */
import { readFile } from 'node:fs/promises';
import { mapLimit } from '../render/task-pool.js';
import { displayPath } from './documents.js';
import { countResults, sortResults, type EngineReport, type ResourceResult } from './report.js';
import { VerdictCache, verdictKey } from './verdict-cache.js';

/** A result without its file (the file is where the bytes are now). */
export type CachedResult = Omit<ResourceResult, 'file'>;

export function isCachedResults(value: unknown): value is CachedResult[] {
  return (
    Array.isArray(value) &&
    value.every((r: Partial<CachedResult> | null) => typeof r === 'object' && r !== null && (r.status === 'valid' || r.status === 'invalid') && typeof r.msg === 'string' && typeof r.kind === 'string' && typeof r.name === 'string' && typeof r.apiVersion === 'string')
  );
}

/** Opens the cache of a file-based engine. */
export function openFileVerdicts(cacheRoot: string, engine: string): Promise<VerdictCache<CachedResult[]>> {
  return VerdictCache.open(cacheRoot, engine, isCachedResults);
}

/**
 * Runs `run` on the files the cache cannot answer for and merges both into one report.
 * `engineKey` names everything besides the file's bytes that the verdict depends on; `texts`
 * holds the files' texts when already read.
 */
export async function runCachedByFile(
  cache: VerdictCache<CachedResult[]> | undefined,
  header: Pick<EngineReport, 'engine' | 'engineVersion' | 'kubernetesVersion'>,
  engineKey: string,
  files: readonly string[],
  texts: ReadonlyMap<string, string>,
  relativeTo: string,
  run: (files: readonly string[]) => Promise<EngineReport>,
): Promise<EngineReport> {
  if (!cache) return { ...(await run(files)), cached: 0 };
  const keys = await mapLimit(files, 64, async (file) => verdictKey(engineKey, texts.get(file) ?? (await readFile(file, 'utf8'))));
  const results: ResourceResult[] = [];
  const todo: { file: string; key: string }[] = [];
  files.forEach((file, i) => {
    const hit = cache.get(keys[i]!);
    if (hit) results.push(...hit.map((r) => ({ ...r, file: displayPath(relativeTo, file) })));
    else todo.push({ file, key: keys[i]! });
  });
  const cached = files.length - todo.length;
  const fresh = todo.length > 0 ? await run(todo.map((t) => t.file)) : undefined;
  if (fresh) {
    const byFile = new Map<string, CachedResult[]>();
    for (const { file, ...rest } of fresh.resources) byFile.set(file, [...(byFile.get(file) ?? []), rest]);
    for (const { file, key } of todo) {
      const own = byFile.get(displayPath(relativeTo, file)) ?? [];
      if (own.every((r) => r.status === 'valid' || r.status === 'invalid')) cache.set(key, own);
    }
  }
  const all = sortResults([...results, ...(fresh?.resources ?? [])]);
  const counts = countResults(all);
  return { ...header, resources: all, counts, exitCode: Math.max(fresh?.exitCode ?? 0, counts.valid === counts.resources ? 0 : 1), cached };
}

/**
 * Verdicts of a validation engine, cached by content: the key of an entry is a hash of
 * everything the verdict depends on (the document's or file's bytes, the engine and its version,
 * the Kubernetes release, the schema or CRD set, and whatever else the engine reads for it), so a
 * verdict is reused exactly when it would come out the same. Only definite verdicts (valid,
 * invalid) are kept; tool errors are judged again.
 *
 * One JSON file per engine under `.cache/verdicts/`, written atomically. It keeps the entries
 * used by the latest run plus, up to a bound, older ones (so switching branches stays warm).
 * A missing, unreadable or corrupt file, or an entry of the wrong shape, is a miss: it only
 * costs time.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../write-file-atomic.js';
import type { ResourceStatus } from './report.js';

export interface Verdict {
  readonly status: Extract<ResourceStatus, 'valid' | 'invalid'>;
  readonly msg: string;
}

/** True for a definite verdict (the only kind kept). */
export function isVerdict(value: unknown): value is Verdict {
  const v = value as Partial<Verdict> | null;
  return typeof v === 'object' && v !== null && (v.status === 'valid' || v.status === 'invalid') && typeof v.msg === 'string';
}

const FORMAT = 1;
/** Older entries kept beside the latest run's. */
const MAX_OLD_ENTRIES = 50_000;

/** `sha256` of the parts, joined by NUL: a cache key. */
export function verdictKey(...parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
}

export class VerdictCache<T = Verdict> {
  private readonly used = new Map<string, T>();
  private changed = false;
  /** Lookups answered (`hits`) and not answered (`misses`) since the cache was opened. */
  readonly stats = { hits: 0, misses: 0 };

  private constructor(
    private readonly file: string,
    private readonly old: Map<string, T>,
    private readonly maxOldEntries: number,
  ) {}

  /** The cache of one engine (`kube-apiserver`) under `<cacheRoot>/.cache/verdicts/`. */
  static open(cacheRoot: string, engine: string): Promise<VerdictCache<Verdict>>;
  /**
   * The same, for entries of another shape (`isEntry` rejects anything else on load);
   * `maxOldEntries` bounds the older entries kept (default 50,000; lower for large entries).
   */
  static open<T>(cacheRoot: string, engine: string, isEntry: (value: unknown) => value is T, options?: { maxOldEntries?: number }): Promise<VerdictCache<T>>;
  static async open<T>(cacheRoot: string, engine: string, isEntry?: (value: unknown) => value is T, options: { maxOldEntries?: number } = {}): Promise<VerdictCache<T>> {
    const file = path.join(cacheRoot, '.cache', 'verdicts', `${engine}.json`);
    return new VerdictCache<T>(file, await readEntries(file, isEntry ?? (isVerdict as unknown as (value: unknown) => value is T)), options.maxOldEntries ?? MAX_OLD_ENTRIES);
  }

  get(key: string): T | undefined {
    const verdict = this.used.get(key) ?? this.old.get(key);
    if (verdict === undefined) {
      this.stats.misses++;
      return undefined;
    }
    this.stats.hits++;
    if (!this.used.has(key)) this.used.set(key, verdict);
    return verdict;
  }

  set(key: string, verdict: T): void {
    this.used.set(key, verdict);
    this.changed = true;
  }

  /** Writes the file when anything new was learnt. */
  async save(): Promise<void> {
    if (!this.changed) return;
    const entries: Record<string, T> = {};
    let old = 0;
    for (const [key, verdict] of this.old) {
      if (this.used.has(key)) continue;
      if (old++ >= this.maxOldEntries) break;
      entries[key] = verdict;
    }
    for (const [key, verdict] of this.used) entries[key] = verdict;
    await writeFileAtomic(this.file, JSON.stringify({ format: FORMAT, entries }));
    this.changed = false;
  }
}

async function readEntries<T>(file: string, isEntry: (value: unknown) => value is T): Promise<Map<string, T>> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { format?: unknown; entries?: Record<string, unknown> };
    if (parsed.format !== FORMAT || typeof parsed.entries !== 'object' || parsed.entries === null) return new Map();
    const entries = new Map<string, T>();
    for (const [key, value] of Object.entries(parsed.entries)) if (isEntry(value)) entries.set(key, value);
    return entries;
  } catch {
    return new Map();
  }
}

import { createHash } from 'node:crypto';
import type { Construct } from 'constructs';
import { blobId } from './blob-id.js';
import { chartFiles } from './manifest-files.js';
import type { RenderedFile, ReusedFile, TreeFile } from './rendered-file.js';

/**
 * How renderers turn a chart into files. `build(scope, ...inputs)` must read nothing but its
 * inputs (and code): the inputs are the chart's cache key, so a chart reads the other services,
 * resources or cluster fields it depends on only through them (pass a narrow projection, such as
 * the callers' names and ports, rather than every service, so that an unrelated change leaves
 * the chart cached). Inputs are plain data (JSON-like); a function, Map, Set or class instance
 * among them is refused, because its content could not be keyed.
 */
export interface ChartSynth {
  files<I extends readonly unknown[]>(folder: string, sources: readonly string[], build: (scope: Construct, ...inputs: I) => void, ...inputs: I): TreeFile[];
}

/** Synthesizes every chart (no cache): tests, tools and the in-memory render. */
export const synthesizeEveryChart: ChartSynth = {
  files: (folder, sources, build, ...inputs) => chartFiles(folder, sources, (scope) => build(scope, ...inputs)),
};

/** The files of one chart as its cache entry keeps them: path and Git blob id, in render order. */
export type ChartEntry = readonly (readonly [path: string, hash: string])[];

/**
 * Synthesizes a chart only when no chart with the same key was rendered before into files the
 * trees still hold byte for byte; otherwise yields those files by blob id (`ReusedFile`). The
 * key covers the generator code (`codeKey`), the folder, the build function, the header sources
 * and the content of every input.
 */
export class CachedCharts implements ChartSynth {
  /** The entries of this run, which the next run looks up. */
  readonly entries = new Map<string, ChartEntry>();
  synthesized = 0;
  reused = 0;

  /**
   * @param codeKey `generatorCodeKey()`
   * @param previous the entries of the previous run
   * @param holds whether a tree this run can link from holds `path` with blob id `hash`
   */
  constructor(
    private readonly codeKey: string,
    private readonly previous: ReadonlyMap<string, ChartEntry>,
    private readonly holds: (path: string, hash: string) => boolean,
  ) {}

  files<I extends readonly unknown[]>(folder: string, sources: readonly string[], build: (scope: Construct, ...inputs: I) => void, ...inputs: I): TreeFile[] {
    const key = chartKey(this.codeKey, folder, sources, build.name, inputs);
    const before = this.previous.get(key);
    if (before && before.every(([path, hash]) => this.holds(path, hash))) {
      this.entries.set(key, before);
      this.reused++;
      return before.map(([path, hash]): ReusedFile => ({ path, hash }));
    }
    const files: (RenderedFile & { hash: string })[] = chartFiles(folder, sources, (scope) => build(scope, ...inputs)).map((file) => ({ ...file, hash: blobId(file.content) }));
    this.entries.set(key, files.map((file) => [file.path, file.hash] as const));
    this.synthesized++;
    return files;
  }
}

/** Cache key of one chart. */
export function chartKey(codeKey: string, folder: string, sources: readonly string[], build: string, inputs: readonly unknown[]): string {
  const hash = createHash('sha256').update(`${codeKey}\n${folder}\n${build}\n${JSON.stringify(sources)}`);
  for (const input of inputs) hash.update(`\n${inputDigest(input)}`);
  return hash.digest('hex');
}

const digests = new WeakMap<object, string>();

/**
 * Content hash of one chart input, memoized per object (a cluster or the list of services is
 * hashed once per run, however many charts take it). Key order counts, as it does in the output;
 * `undefined` and non-finite numbers are kept apart from absent keys and `null`.
 */
export function inputDigest(input: unknown): string {
  if (input === null || typeof input !== 'object') return createHash('sha256').update(JSON.stringify(encode(input)) ?? 'undefined').digest('hex');
  let digest = digests.get(input);
  if (!digest) {
    digest = createHash('sha256')
      .update(JSON.stringify(input, (_key, value: unknown) => encode(value)))
      .digest('hex');
    digests.set(input, digest);
  }
  return digest;
}

function encode(value: unknown): unknown {
  switch (typeof value) {
    case 'undefined':
      return '\u0000undefined';
    case 'number':
      return Number.isFinite(value) ? value : `\u0000${String(value)}`;
    case 'function':
    case 'symbol':
    case 'bigint':
      throw new Error(`render cache: a chart input holds a ${typeof value}; pass plain data (its content is the chart's cache key)`);
    case 'object': {
      if (value === null || Array.isArray(value)) return value;
      const prototype = Object.getPrototypeOf(value) as unknown;
      if (prototype !== Object.prototype && prototype !== null) {
        throw new Error(`render cache: a chart input holds a ${(value as object).constructor?.name ?? 'class instance'}; pass plain data (its content is the chart's cache key)`);
      }
      return value;
    }
    default:
      return value;
  }
}

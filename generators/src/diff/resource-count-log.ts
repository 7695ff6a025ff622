import { appendFile, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Resource counts of rendered YAML blobs told by `render`, for `diff`'s "N unchanged" count:
 * `.cache/diff/resource-counts.log`, one `<blob id> <count>` line per blob, appended by each render
 * for the files it synthesized (their text is in hand then), and merged into
 * `resource-counts.json` by the next `diff` (`resource-counts.ts`), which then reads from Git only
 * the blobs nobody counted. Without it the first diff after a full render read and counted every
 * file of the base (15,809 on the 500 x 3 platform). A line is a fact about content (keyed by its
 * blob id), so it is never stale; a line torn by a killed run, or a log that cannot be written,
 * only costs a read. Kept apart from `resource-counts.ts` so that `render` loads neither Git nor a
 * YAML parser for it.
 */
export function resourceCountLog(root: string): string {
  return path.join(root, '.cache', 'diff', 'resource-counts.log');
}

/** Past this size the log starts over: a repository rendered often and never diffed keeps only its latest renders. */
const MAX_LOG_BYTES = 8 * 1024 * 1024;

/**
 * `parseRenderedFile(...).length` of a YAML text when it is plainly one resource, without parsing
 * it: no document marker (`---`, `...`) at a line start, and a first line of content that is a plain
 * mapping key (an object, or a `File`). Undefined otherwise (the caller parses).
 */
export function plainResourceCount(content: string): 1 | undefined {
  if (/^(?:---|\.\.\.)(?:[ \t\r\n]|$)/m.test(content)) return undefined;
  for (let start = 0; start < content.length; ) {
    const end = content.indexOf('\n', start);
    const line = content.slice(start, end < 0 ? content.length : end);
    if (!/^\s*(#.*)?$/.test(line)) return /^[A-Za-z_][\w./-]*:(?:[ \t\r]|$)/.test(line) ? 1 : undefined;
    if (end < 0) break;
    start = end + 1;
  }
  return undefined;
}

/** Collects the counts of the YAML files a render synthesizes, and appends them to the log. */
export class ResourceCountRecorder {
  private readonly lines: string[] = [];

  /** A synthesized file: its path in the rendered tree, Git blob id and text. */
  add(file: string, blob: string, content: string): void {
    if (!/\.ya?ml$/.test(file)) return;
    const count = plainResourceCount(content);
    if (count !== undefined) this.lines.push(`${blob} ${count}\n`);
  }

  /** Appends what was collected (one write); a log that cannot be written only costs the next diff a read. */
  async save(root: string): Promise<void> {
    if (this.lines.length === 0) return;
    const log = resourceCountLog(root);
    try {
      await mkdir(path.dirname(log), { recursive: true });
      const size = await stat(log).then((stats) => stats.size, () => 0);
      if (size > MAX_LOG_BYTES) await unlink(log);
      await appendFile(log, this.lines.join(''));
      // Ignored by Git even in a checkout whose .gitignore does not list .cache/.
      await writeFile(path.join(path.dirname(log), '.gitignore'), '*\n');
      this.lines.length = 0;
    } catch {
      // Only a cache.
    }
  }
}

/** The counts the log holds (complete, well-formed lines only), and its size when read. */
export async function readResourceCountLog(root: string): Promise<{ counts: Map<string, number>; size: number }> {
  const counts = new Map<string, number>();
  const text = await readFile(resourceCountLog(root), 'utf8').catch(() => '');
  // A line is taken only when whole: a write cut short leaves no newline, and what the next append glues to it fails the pattern.
  const lines = text.split('\n');
  lines.pop();
  for (const line of lines) {
    const match = /^([0-9a-f]{40}|[0-9a-f]{64}) (\d+)$/.exec(line);
    if (match) counts.set(match[1]!, Number(match[2]));
  }
  return { counts, size: Buffer.byteLength(text) };
}

/** Removes the log once merged, unless a render appended to it since it was read (`size`). */
export async function dropResourceCountLog(root: string, size: number): Promise<void> {
  const log = resourceCountLog(root);
  const now = await stat(log).then((stats) => stats.size, () => undefined);
  if (now === size) await unlink(log).catch(() => undefined);
}

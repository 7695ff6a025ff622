/**
 * Just enough Markdown for the documentation tests: the pages, their headings as GitHub anchors,
 * their relative links, and their fenced `sh` blocks with the "not run" mark.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** README.md and every Markdown file under docs/, repository-relative, sorted. */
export async function docPages(root: string): Promise<string[]> {
  const docs = await readdir(path.join(root, 'docs'), { recursive: true, encoding: 'utf8' }).catch(() => [] as string[]);
  return ['README.md', ...docs.filter((f) => f.endsWith('.md')).map((f) => path.posix.join('docs', f.split(path.sep).join('/'))).sort()];
}

/** One line of a page, with whether it sits inside a fenced code block. */
interface Line {
  readonly number: number;
  readonly text: string;
  readonly inFence: boolean;
}

function lines(text: string): Line[] {
  let fence: string | undefined;
  return text.split('\n').map((line, index) => {
    const opener = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (opener && (fence === undefined || (opener[0] === fence[0] && opener.length >= fence.length && line.trim() === opener))) {
      const wasIn = fence !== undefined;
      fence = wasIn ? undefined : opener;
      return { number: index + 1, text: line, inFence: true };
    }
    return { number: index + 1, text: line, inFence: fence !== undefined };
  });
}

/**
 * GitHub's anchor of a heading: the text as rendered (links by their text, code and emphasis marks
 * dropped), lower-cased, every character removed but letters, marks, numbers, connector punctuation
 * (`_`), spaces and hyphens, then spaces turned into hyphens; a repeated slug gets `-1`, `-2`, ...
 * (github-slugger, which github.com's anchors follow: Flet/github-slugger index.js).
 */
export function headingSlugs(text: string): string[] {
  const seen = new Map<string, number>();
  const slugs: string[] = [];
  for (const line of lines(text)) {
    if (line.inFence) continue;
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line.text)?.[1];
    if (heading === undefined) continue;
    // Code spans keep their text as written; outside them, links show their text and HTML tags nothing.
    const rendered = heading
      .split(/(`+[^`]*`+)/)
      .map((part, i) => (i % 2 === 1 ? part.replace(/^`+|`+$/g, '') : part.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/<[^>]+>/g, '').replace(/\*/g, '')))
      .join('');
    const base = rendered.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    slugs.push(count === 0 ? base : `${base}-${count}`);
  }
  return slugs;
}

/** A link of a page: where it is and what it points at. */
export interface Link {
  readonly line: number;
  readonly target: string;
}

/** Every inline link and image of a page outside code (fenced blocks and code spans). */
export function links(text: string): Link[] {
  const found: Link[] = [];
  for (const line of lines(text)) {
    if (line.inFence) continue;
    const prose = line.text.replace(/(`+)[^`]*?\1/g, '');
    for (const match of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) found.push({ line: line.number, target: match[1]! });
  }
  return found;
}

/** A fenced `sh` block: its commands (comment-only and blank lines dropped) and its "not run" reason, if marked. */
export interface ShellBlock {
  readonly line: number;
  readonly commands: string[];
  readonly notRun?: string;
}

/** The mark that keeps a block from being run: an HTML comment on the line before its fence. */
const NOT_RUN = /^<!-- not run: (.+?) -->$/;

/** Every fenced block whose info string is `sh`, and the info strings of shell blocks written otherwise. */
export function shellBlocks(text: string): { blocks: ShellBlock[]; misnamed: number[] } {
  const all = text.split('\n');
  const blocks: ShellBlock[] = [];
  const misnamed: number[] = [];
  let current: { line: number; commands: string[]; notRun?: string } | undefined;
  let fence: string | undefined;
  all.forEach((line, index) => {
    const opener = /^ {0,3}(`{3,}|~{3,})\s*([\w-]*)/.exec(line);
    if (fence === undefined && opener) {
      fence = opener[1]!;
      const info = opener[2] ?? '';
      if (['bash', 'shell', 'console', 'zsh'].includes(info)) misnamed.push(index + 1);
      if (info === 'sh') {
        const previous = all[index - 1]?.trim() ?? '';
        const notRun = NOT_RUN.exec(previous)?.[1];
        current = { line: index + 1, commands: [], ...(notRun ? { notRun } : {}) };
      }
      return;
    }
    if (fence !== undefined && line.trim() === fence) {
      if (current) blocks.push(current);
      current = undefined;
      fence = undefined;
      return;
    }
    if (current) {
      const command = line.replace(/\s+#.*$/, '').trim();
      if (command && !command.startsWith('#')) current.commands.push(command);
    }
  });
  return { blocks, misnamed };
}

/** The text of a repository file. */
export function readPage(root: string, page: string): Promise<string> {
  return readFile(path.join(root, page), 'utf8');
}

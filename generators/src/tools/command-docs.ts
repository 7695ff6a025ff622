/**
 * `npm run docs`: writes the `--help` of every command of the command table into
 * `docs/reference/commands.md`, between the markers
 *   <!-- gitops-help:<command>:start --> ... <!-- gitops-help:<command>:end -->
 * Everything outside the markers is hand-written. A command of the table with no section yet
 * gets one added in the table's order (a heading, its summary, its help), so a new command only needs
 * `npm run docs`; a section whose command left the table is an error, named. A test compares
 * the committed file with what this writes (`generators/test/docs/commands-reference.test.ts`).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandTable } from '../cli/commands.js';
import { run } from '../cli/main.js';

/** Where the command reference lives, relative to the repository root. */
export const COMMANDS_DOC = 'docs/reference/commands.md';

/** Help is wrapped at a fixed width, so the file does not depend on the terminal that wrote it. */
const HELP_WIDTH = 100;

const marker = (name: string, end: 'start' | 'end') => `<!-- gitops-help:${name}:${end} -->`;
const MARKER = /<!-- gitops-help:([a-z -]+):(start|end) -->/g;

/** What `gitops <name> --help` prints, as the CLI prints it (in-process, no terminal). */
export async function commandHelp(name: string): Promise<string> {
  const lines: string[] = [];
  const collect = (line: string) => lines.push(...line.split('\n'));
  const code = await run([...name.split(' '), '--help'], { out: collect, err: collect, isTTY: false, signal: new AbortController().signal, helpWidth: HELP_WIDTH });
  if (code !== 0) throw new Error(`gitops ${name} --help exited ${code}: ${lines.join('\n')}`);
  return lines.map((line) => line.trimEnd()).join('\n');
}

/** The help of every command of the table, in table order, with its summary. */
export async function commandHelps(): Promise<{ name: string; summary: string; help: string }[]> {
  const helps = [];
  for (const entry of commandTable) {
    const spec = await entry.load();
    helps.push({ name: entry.name, summary: spec.summary, help: await commandHelp(entry.name) });
  }
  return helps;
}

/** The command names whose help blocks `text` holds, in order. */
export function documentedCommands(text: string): string[] {
  return [...text.matchAll(MARKER)].filter((m) => m[2] === 'start').map((m) => m[1]!);
}

/** `text` with every help block rewritten from `helps`, and a section added, in the table's order, for each command it lacks. */
export function updateCommandsDoc(text: string, helps: readonly { name: string; summary: string; help: string }[]): string {
  const known = new Set(helps.map((h) => h.name));
  const stale = documentedCommands(text).filter((name) => !known.has(name));
  if (stale.length) throw new Error(`${COMMANDS_DOC}: no command ${stale.map((n) => `"${n}"`).join(', ')} in the command table (generators/src/cli/commands.ts): remove its section`);
  let out = text;
  for (const [index, { name, summary, help }] of helps.entries()) {
    const block = [marker(name, 'start'), '```text', help, '```', marker(name, 'end')].join('\n');
    const start = out.indexOf(marker(name, 'start'));
    const end = out.indexOf(marker(name, 'end'));
    if (start >= 0 && end > start) {
      out = out.slice(0, start) + block + out.slice(end + marker(name, 'end').length);
      continue;
    }
    // A new command's section goes where the table lists it: before the next documented command's section.
    const section = `## \`gitops ${name}\`\n\n${summary}\n\n${block}\n`;
    const next = helps.slice(index + 1).map((h) => out.indexOf(`## \`gitops ${h.name}\``)).find((at) => at >= 0);
    out = next === undefined ? `${out.replace(/\n*$/, '\n')}\n${section}` : `${out.slice(0, next)}${section}\n${out.slice(next)}`;
  }
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // `npm run docs` runs at the repository root; a root may also be given.
  const file = path.resolve(process.argv[2] ?? '.', COMMANDS_DOC);
  const before = await readFile(file, 'utf8');
  const after = updateCommandsDoc(before, await commandHelps());
  if (after !== before) await writeFile(file, after);
  console.log(`${COMMANDS_DOC}: ${after === before ? 'up to date' : 'written'}`);
}

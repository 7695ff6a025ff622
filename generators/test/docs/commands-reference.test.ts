/**
 * docs/reference/commands.md carries every command of the command table with its `--help`
 * (options and exit codes), as `npm run docs` writes it: a command added to the table, an option
 * added or a help text changed makes this test fail until `npm run docs` is run and committed.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandTable } from '../../src/cli/commands.js';
import { COMMANDS_DOC, commandHelp, commandHelps, documentedCommands, updateCommandsDoc } from '../../src/tools/command-docs.js';
import { repoRoot } from '../support/temp-repo.js';

describe('the command reference (docs/reference/commands.md)', () => {
  it('Pass when it documents every command of the command table, in its order, once', async () => {
    const text = await readFile(path.join(repoRoot, COMMANDS_DOC), 'utf8');
    const names = commandTable.map((entry) => entry.name);
    expect(documentedCommands(text)).toEqual(names);
    const headings = [...text.matchAll(/^## `gitops ([a-z -]+)`$/gm)].map((m) => m[1]);
    expect(headings).toEqual(names);
  });

  it('Pass when every help block is what the CLI prints (else run npm run docs)', { timeout: 60_000 }, async () => {
    const text = await readFile(path.join(repoRoot, COMMANDS_DOC), 'utf8');
    expect(text).toBe(updateCommandsDoc(text, await commandHelps()));
  });

  it('Fail when a command is missing from the file, or the file names a command the table lacks', async () => {
    const helps = [
      { name: 'render', summary: 'Render.', help: 'Usage: gitops render' },
      { name: 'new-thing', summary: 'Does a new thing.', help: 'Usage: gitops new-thing' },
    ];
    const text = '# Commands\n\n## `gitops render`\n\n<!-- gitops-help:render:start -->\nold\n<!-- gitops-help:render:end -->\n';
    const updated = updateCommandsDoc(text, helps);
    expect(updated).not.toBe(text);
    expect(updated).toContain('<!-- gitops-help:render:start -->\n```text\nUsage: gitops render\n```\n<!-- gitops-help:render:end -->');
    expect(updated).toContain('## `gitops new-thing`\n\nDoes a new thing.\n\n<!-- gitops-help:new-thing:start -->');
    expect(() => updateCommandsDoc(text, helps.slice(1))).toThrow(/no command "render" in the command table/);
  });

  it("Pass: a new command's section goes where the command table lists it, not at the end", () => {
    const helps = ['render', 'upgrade-check', 'diff'].map((name) => ({ name, summary: `${name}.`, help: `Usage: gitops ${name}` }));
    const section = (name: string) => `## \`gitops ${name}\`\n\n<!-- gitops-help:${name}:start -->\nold\n<!-- gitops-help:${name}:end -->\n`;
    const updated = updateCommandsDoc(`# Commands\n\n${section('render')}\n${section('diff')}`, helps);
    expect(documentedCommands(updated)).toEqual(['render', 'upgrade-check', 'diff']);
  });

  it('prints help at a fixed width, whatever the terminal', async () => {
    const help = await commandHelp('params pull');
    expect(help).toMatch(/^Usage: gitops params pull \[options\]/);
    for (const line of help.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
  });
});

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { defineCommand } from '../cli/command.js';
import { FindingsError } from '../errors.js';
import { allInputJsonSchemas } from '../inputs/json-schemas.js';
import { writeFileAtomic } from '../write-file-atomic.js';

interface SchemasOptions {
  readonly check?: boolean;
}

/** Folder of the committed JSON Schemas, relative to the repository root. */
export const schemasFolder = 'generators/schemas';

export const schemasCommand = defineCommand<SchemasOptions>({
  name: 'schemas',
  summary: 'Write the JSON Schemas of the input files (for editors) into generators/schemas/.',
  define: (cmd) => cmd.option('--check', 'write nothing; exit 1 when a committed schema is out of date'),
  run: async (options, ctx) => {
    const stale: string[] = [];
    for (const [name, schema] of Object.entries(allInputJsonSchemas())) {
      const file = path.join(ctx.root, schemasFolder, name);
      const content = `${JSON.stringify(schema, null, 2)}\n`;
      const current = await readFile(file, 'utf8').catch(() => undefined);
      if (current === content) continue;
      stale.push(`${schemasFolder}/${name}`);
      if (!options.check) await writeFileAtomic(file, content);
    }
    if (options.check && stale.length) throw new FindingsError('input JSON Schemas are out of date: run `npx gitops schemas`', stale);
    ctx.out(stale.length ? `wrote ${stale.join(', ')}` : 'input JSON Schemas are up to date');
  },
});

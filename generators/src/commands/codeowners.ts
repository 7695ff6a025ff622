import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defineCommand } from '../cli/command.js';
import { FindingsError } from '../errors.js';
import { CODEOWNERS_PATH, readOwners, renderCodeowners } from '../github/codeowners.js';

interface CodeownersOptions {
  readonly check?: boolean;
}

export const codeownersCommand = defineCommand<CodeownersOptions>({
  name: 'codeowners',
  summary: 'Generate .github/CODEOWNERS from the service teams and production clusters.',
  define: (cmd) =>
    cmd
      .option('--check', 'write nothing; exit 1 when .github/CODEOWNERS differs from what the inputs give')
      .addHelpText('after', '\nExit codes: 0 ok, 1 drift (--check), 2 usage error.'),
  run: async (options, ctx) => {
    const wanted = renderCodeowners(await readOwners(ctx.root));
    const target = path.join(ctx.root, CODEOWNERS_PATH);
    const current = await readFile(target, 'utf8').catch(() => undefined);
    if (options.check) {
      if (current !== wanted) throw new FindingsError(`${CODEOWNERS_PATH} is out of date: run \`npx gitops codeowners\` and commit the result`);
      ctx.out(`${CODEOWNERS_PATH} is up to date`);
      return;
    }
    if (current === wanted) {
      ctx.out(`${CODEOWNERS_PATH} unchanged`);
      return;
    }
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, wanted);
    ctx.out(`wrote ${CODEOWNERS_PATH}`);
  },
});

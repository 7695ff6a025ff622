import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SwapOptions } from '../checkout-lock.js';
import { defineCommand } from '../cli/command.js';
import { FindingsError } from '../errors.js';
import { ResourceCountRecorder } from '../diff/resource-count-log.js';
import { CODEOWNERS_PATH, ownersOf, renderCodeowners } from '../github/codeowners.js';
import { flushParseCache } from '../inputs/parse-cache.js';
import { loadPlatform, type Platform } from '../inputs/platform.js';
import { writeFileAtomic } from '../write-file-atomic.js';
import { renderPlatform, type ClusterRender } from '../render/render-platform.js';
import { compareTree, writeTree, type WriteResult } from '../render/tree-io.js';

interface RenderOptions {
  readonly check?: boolean;
}

export const renderCommand = defineCommand<RenderOptions>({
  name: 'render',
  summary: 'Render apps/, infra/ and clusters/*/cluster.yaml into clusters/<cluster>/rendered/ (and .github/CODEOWNERS).',
  define: (cmd) =>
    cmd
      .option('--check', 'write nothing; list files that would be added, changed or removed and exit 1 on drift')
      .addHelpText('after', '\nExit codes: 0 ok, 1 invalid input or drift (--check), 2 usage or tool error.'),
  run: async (options, ctx) => {
    const started = performance.now();
    const platform = await loadPlatform(ctx.root);
    const renders = renderPlatform(platform);
    const clusters = renders.map((r) => r.cluster).join(', ');
    if (options.check) {
      const drift = await compareTree(ctx.root, renders);
      const codeowners = await readFile(path.join(ctx.root, CODEOWNERS_PATH), 'utf8').catch(() => undefined);
      if (codeowners !== renderCodeowners(ownersOf(platform))) drift[codeowners === undefined ? 'added' : 'changed'].push(CODEOWNERS_PATH);
      const lines = [
        ...drift.added.map((file) => `added:   ${file}`),
        ...drift.changed.map((file) => `changed: ${file}`),
        ...drift.removed.map((file) => `removed: ${file}`),
      ];
      if (lines.length) {
        throw new FindingsError(`rendered tree is out of date (${lines.length} file${lines.length === 1 ? '' : 's'}): run \`npm run render\` and commit the result`, lines);
      }
      await flushParseCache(ctx.root);
      ctx.out(`rendered tree is up to date (${drift.files} files in ${clusters})`);
      return;
    }
    const result = await writeAndRecord(ctx.root, renders, { signal: ctx.signal, log: ctx.err });
    await writeCodeowners(ctx.root, platform);
    await flushParseCache(ctx.root);
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    ctx.out(
      `rendered ${result.files} files for ${clusters}: ${result.written} written, ${result.unchanged} unchanged, ${result.removed} removed; ` +
        `${result.synthesized} chart${result.synthesized === 1 ? '' : 's'} synthesized, ${result.cached} from the render cache (${seconds} s)`,
    );
  },
});

/**
 * The write path of `render` as one call (load and validate every input, render, swap the trees
 * in atomically), for commands that edit inputs and then render (`deploy`, `promote`).
 */
export async function renderRepository(root: string, swap: SwapOptions = {}): Promise<WriteResult & { readonly clusters: readonly string[] }> {
  const platform = await loadPlatform(root);
  const renders = renderPlatform(platform);
  const result = await writeAndRecord(root, renders, swap);
  await writeCodeowners(root, platform);
  await flushParseCache(root);
  return { ...result, clusters: renders.map((r) => r.cluster) };
}

/**
 * `writeTree`, telling `diff` how many resources each synthesized YAML file holds, by blob id
 * (`resource-count-log.ts`): the first diff against a commit of this render then reads none of
 * its unchanged files from Git.
 */
async function writeAndRecord(root: string, renders: readonly ClusterRender[], swap: SwapOptions): Promise<WriteResult> {
  const counts = new ResourceCountRecorder();
  const result = await writeTree(root, renders, { ...swap, onSynthesized: (_cluster, file, hash, content) => counts.add(file, hash, content) });
  await counts.save(root);
  return result;
}

/** Writes `.github/CODEOWNERS` when the inputs give another text (temp file + rename). */
async function writeCodeowners(root: string, platform: Platform): Promise<void> {
  const target = path.join(root, CODEOWNERS_PATH);
  const wanted = renderCodeowners(ownersOf(platform));
  if ((await readFile(target, 'utf8').catch(() => undefined)) === wanted) return;
  await writeFileAtomic(target, wanted);
}

import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defineCommand } from '../cli/command.js';
import { ExitCode, ExitWith, InputError, UsageError } from '../errors.js';
import { renderHtml } from '../diff/format/html.js';
import { renderJson } from '../diff/format/json.js';
import { COMMENT_LIMIT, renderMarkdown, renderMarkdownParts } from '../diff/format/markdown.js';
import { renderText } from '../diff/format/text.js';
import { resolveCommit } from '../diff/git.js';
import { buildReport, type DiffReport } from '../diff/report.js';
import type { RiskFlag } from '../diff/risk.js';
import { readDiffSides } from '../diff/sides.js';
import { syncWindowNotes } from '../diff/sync-window-notes.js';
import type { Snapshot } from '../diff/snapshot.js';
import type { UpdateCheckCluster } from '../diff/update-check.js';

interface DiffOptions {
  readonly base: string;
  readonly format: string;
  readonly html?: string;
  readonly htmlUrl?: string;
  readonly output?: string;
  readonly partsDir?: string;
  readonly partLimit: string;
  readonly apiserver?: boolean;
  readonly mergeAt?: string;
}

const formats = ['text', 'markdown', 'json', 'html'] as const;
type Format = (typeof formats)[number];

export const diffCommand = defineCommand<DiffOptions>({
  name: 'diff',
  summary: 'Compare the rendered tree with a base Git ref, resource by resource, and flag risky changes.',
  define: (cmd) =>
    cmd
      .requiredOption('--base <ref>', 'Git ref to compare with (the pull request base, e.g. origin/main or HEAD^1)')
      .option('--format <format>', `output format: ${formats.join(', ')}`, 'text')
      .option('--output <file>', 'write the whole report in --format to this file (stdout then gets the summary)')
      .option('--html <file>', 'also write the whole report as one self-contained HTML page (searchable, collapsible, unified or side-by-side diffs)')
      .option('--html-url <url>', 'link the Markdown to the HTML report published there (e.g. the workflow run\'s artifacts), https:// only')
      .option('--parts-dir <dir>', 'also write the Markdown as pull-request comment parts part-1.md, part-2.md, ... (stale parts removed)')
      .option('--part-limit <chars>', 'maximum characters of one comment part', String(COMMENT_LIMIT))
      .option('--merge-at <time>', 'judge the sync windows of the changed Applications at this time (ISO 8601, e.g. 2026-12-11T17:55:00Z) instead of now')
      .option('--apiserver', 'also judge every changed resource as an update on a real kube-apiserver (base applied, then head): immutable fields and oldSelf rules become flags')
      .addHelpText(
        'after',
        '\nCompares clusters/*/rendered/ of the base commit (read from Git, not re-rendered) with the working tree.\n' +
          'Secrets and credential-looking values are redacted in every format.\n' +
          'With --apiserver, the pinned kube-apiserver of each cluster\'s Kubernetes version (built once into .tools/)\n' +
          'applies the base object of every changed resource and then the head object over it.\n' +
          'Exit codes: 0 no data-loss risk, 3 a data-loss flag was raised, 2 usage or Git error.',
      ),
  run: async (options, ctx) => {
    const format = options.format as Format;
    if (!formats.includes(format)) throw new UsageError(`--format ${options.format}: must be one of ${formats.join(', ')}`);
    const partLimit = Number(options.partLimit);
    if (!Number.isInteger(partLimit) || partLimit < 4000) throw new UsageError(`--part-limit ${options.partLimit}: must be a whole number of at least 4000`);

    const mergeAt = options.mergeAt === undefined ? Date.now() : Date.parse(options.mergeAt);
    if (Number.isNaN(mergeAt)) throw new UsageError(`--merge-at ${options.mergeAt}: must be a time such as 2026-12-11T17:55:00Z`);
    const commit = await resolveCommit(ctx.root, options.base);
    // Only the files that differ from the base are read (their clusters' inputs too).
    const sides = await readDiffSides(ctx.root, commit);
    const serverFlags = options.apiserver ? await updateFlags(ctx.root, sides.base, sides.head, ctx.signal, (line) => ctx.err(line)) : [];
    const built = buildReport(sides.base, sides.head, { ref: options.base, commit }, serverFlags, sides);
    if (options.htmlUrl !== undefined && (!/^https:\/\/[^\s()<>]+$/.test(options.htmlUrl) || !options.html)) {
      throw new UsageError(`--html-url ${options.htmlUrl}: must be an https:// URL without spaces or brackets, given with --html <file>`);
    }
    const report: DiffReport = {
      ...built,
      syncWindows: await syncWindowNotes(ctx.root, built.groups, mergeAt),
      ...(options.htmlUrl && options.html ? { htmlReport: { url: options.htmlUrl, where: path.basename(options.html) } } : {}),
    };
    const exitCode = report.dataLoss ? ExitCode.dataLoss : ExitCode.ok;

    const full = formatReport(report, format, exitCode, ctx.isTTY && !process.env['NO_COLOR'] && !options.output);
    if (options.output) {
      const target = path.resolve(options.output);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, `${full.replace(/\n$/, '')}\n`);
      ctx.out(renderText(report, { color: ctx.isTTY && !process.env['NO_COLOR'], summaryOnly: true }));
      ctx.out(`\nfull ${format} diff written to ${options.output}`);
    } else {
      ctx.out(full.replace(/\n$/, ''));
    }
    if (options.html) {
      const target = path.resolve(options.html);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, renderHtml(report, exitCode));
      ctx.err(`HTML report written to ${options.html}`);
    }
    if (options.partsDir) {
      const parts = renderMarkdownParts(report, partLimit);
      await writeParts(path.resolve(options.partsDir), parts);
      ctx.err(`${parts.length} comment part${parts.length === 1 ? '' : 's'} written to ${options.partsDir} (largest ${Math.max(...parts.map((part) => part.length))} of ${partLimit} characters)`);
    }
    if (report.dataLoss) {
      const count = report.flags.filter((flag) => flag.level === 'data-loss').length;
      throw new ExitWith(ExitCode.dataLoss, `${count} data-loss flag${count === 1 ? '' : 's'} raised (exit 3): merging deletes or replaces data; a pull request needs the allow-data-loss label to pass`);
    }
    return ExitCode.ok;
  },
});

/**
 * The update check on each cluster's pinned API server, with the CRDs of the versions it installs
 * (its modules load only with --apiserver).
 */
async function updateFlags(root: string, base: Snapshot, head: Snapshot, signal: AbortSignal | undefined, log: (line: string) => void): Promise<RiskFlag[]> {
  const [{ changedPairs, checkUpdates }, { readAddonCatalogue }, { loadClusters }, { ensureControlPlane }, { clusterCrdSources, ensureCrdSources }, { cacheRootFor }] = await Promise.all([
    import('../diff/update-check.js'),
    import('../inputs/addons.js'),
    import('../inputs/clusters.js'),
    import('../tools/control-plane-build.js'),
    import('../validate/crd-sources.js'),
    import('./validate.js'),
  ]);
  const cacheRoot = cacheRootFor(root);
  const { catalogue, issues } = await readAddonCatalogue(root);
  if (!catalogue) throw new InputError(issues);
  const clusters = new Map<string, UpdateCheckCluster>();
  for (const cluster of await loadClusters(root)) {
    if (changedPairs(base, head, cluster.name).length === 0) continue;
    clusters.set(cluster.name, {
      binaries: await ensureControlPlane(cacheRoot, cluster.kubernetesVersion, { signal, log }),
      crdSources: await ensureCrdSources(cacheRoot, clusterCrdSources(catalogue, cluster), { signal, log }),
    });
  }
  return checkUpdates(base, head, { clusters, cacheRoot, signal, log });
}

function formatReport(report: DiffReport, format: Format, exitCode: number, color: boolean): string {
  switch (format) {
    case 'markdown':
      return renderMarkdown(report);
    case 'json':
      return renderJson(report, exitCode);
    case 'html':
      return renderHtml(report, exitCode);
    default:
      return renderText(report, { color });
  }
}

async function writeParts(dir: string, parts: readonly string[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const entry of await readdir(dir)) {
    if (/^part-\d+\.md$/.test(entry)) await rm(path.join(dir, entry));
  }
  for (const [index, part] of parts.entries()) await writeFile(path.join(dir, `part-${index + 1}.md`), part);
}

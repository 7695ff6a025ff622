import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defineCommand } from '../cli/command.js';
import { FindingsError, InputError, UsageError } from '../errors.js';
import { readAddonCatalogue } from '../inputs/addons.js';
import { selectClusters } from '../inputs/clusters.js';
import { checkChartValues, handCheckedCharts } from '../validate/chart-values.js';
import { findingLocation, renderedChecks, runChecks, type Finding } from '../validate/checks.js';
import { clusterCrdSources } from '../validate/crd-sources.js';
import { formatReport, reportFailures, validateRendered } from '../validate/engines.js';
import { loadRenderedDocs, openParsedDocs, type ParsedDocs } from '../validate/rendered-docs.js';
import { ENGINE_NAMES, type EngineName } from '../validate/report.js';

interface ValidateOptions {
  readonly cluster?: string[];
  readonly engine?: string[];
  readonly cache: boolean;
  readonly listChecks?: boolean;
}

/**
 * Folder holding `.tools/` (pinned binaries) and `.cache/schemas/` (converted schemas):
 * `GITOPS_CACHE_ROOT` when set (tests share one cache across temporary repositories), else the
 * repository root.
 */
export function cacheRootFor(root: string): string {
  const fromEnv = process.env['GITOPS_CACHE_ROOT'];
  return fromEnv ? path.resolve(fromEnv) : root;
}

export const validateCommand = defineCommand<ValidateOptions>({
  name: 'validate',
  summary: 'Validate clusters/*/rendered/ with kubeconform, kubectl-validate and a real kube-apiserver (pinned, strict, at each cluster\'s Kubernetes version, against the CRDs of the versions it installs), the policy checks and the Helm values check.',
  define: (cmd) =>
    cmd
      .option('-c, --cluster <name...>', 'validate only these clusters')
      .option('-e, --engine <name...>', `run only these engines (${ENGINE_NAMES.join(', ')}; default: all)`)
      .option('--no-cache', 'judge every resource again instead of reusing the cached verdicts of unchanged ones')
      .option('--list-checks', 'list the policy checks and exit')
      .addHelpText(
        'after',
        [
          '',
          'The first run installs the validators with `go install` into .tools/, builds kube-apiserver and',
          'etcd from their pinned Go modules (minutes, once), converts the pinned schemas and saves a server',
          'state with the CRDs installed into .cache/schemas/ (GITOPS_CACHE_ROOT moves both); later runs',
          'fetch nothing. CRDs and chart values come from the Go modules of the versions',
          'clusters/addons.yaml installs. The API server runs on 127.0.0.1 for the run and is always',
          'stopped after it. Its verdicts are cached by content in .cache/verdicts/ (--no-cache ignores them).',
          'Every resource must be valid for every engine: invalid, unvalidated (no schema) and skipped',
          'resources all fail the run; so do admission warnings and objects a second apply changes.',
          '',
          'Exit codes: 0 ok, 1 invalid manifests or policy findings, 2 usage or tool error.',
        ].join('\n'),
      ),
  run: async (options, ctx) => {
    if (options.listChecks) {
      if (renderedChecks.length === 0) ctx.out('no policy checks registered');
      for (const check of renderedChecks) ctx.out(`${check.id}: ${check.description}`);
      return;
    }
    const started = performance.now();
    const clusters = await selectClusters(ctx.root, options.cluster);

    const unknownEngines = (options.engine ?? []).filter((name) => !ENGINE_NAMES.includes(name as EngineName));
    if (unknownEngines.length) throw new UsageError(`unknown engine ${unknownEngines.join(', ')} (engines: ${ENGINE_NAMES.join(', ')})`);
    const { catalogue, issues } = await readAddonCatalogue(ctx.root);
    if (!catalogue) throw new InputError(issues);
    const cacheRoot = cacheRootFor(ctx.root);
    // Each rendered file is read once, for the engines and the policies, synchronously: a tree's
    // 15,000 small files take ~0.15 s so, and ~1.2 s through fs/promises (measured on 500x3).
    const texts = new Map<string, string>();
    const readText = async (file: string) => {
      let text = texts.get(file);
      if (text === undefined) texts.set(file, (text = readFileSync(file, 'utf8')));
      return text;
    };
    // The policies and the Helm values check read the whole tree while the engines run: once the
    // API servers are starting (seconds, in processes of their own), or the engines have ended.
    // Their lines follow the engines'.
    let underway!: () => void;
    const enginesUnderway = new Promise<void>((resolve) => (underway = resolve));
    const engineRun = validateRendered({
      engines: options.engine as EngineName[] | undefined,
      cache: options.cache,
      root: ctx.root,
      cacheRoot,
      clusters: clusters.map((c) => ({ name: c.name, kubernetesVersion: c.kubernetesVersion, dir: path.join(ctx.root, 'clusters', c.name, 'rendered'), crdSources: clusterCrdSources(catalogue, c) })),
      signal: ctx.signal,
      log: (line) => ctx.err(line),
      onUnderway: () => underway(),
      readText,
    });
    let parsed: ParsedDocs | undefined;
    const policyRun = (async () => {
      await Promise.race([enginesUnderway, engineRun.then(() => undefined, () => undefined)]);
      parsed = options.cache ? await openParsedDocs(cacheRoot) : undefined;
      const lines: string[] = [];
      const found: Finding[] = [];
      for (const cluster of clusters) {
        ctx.signal?.throwIfAborted();
        const { docs, unreadable } = await loadRenderedDocs(ctx.root, cluster.name, path.join(ctx.root, 'clusters', cluster.name, 'rendered'), parsed, readText);
        const result = runChecks({ cluster, docs, root: ctx.root });
        // A document no policy could read is a finding of its own, listed first.
        const policyFindings = [...unreadable, ...result.findings];
        found.push(...policyFindings);
        lines.push(`${cluster.name}: ${renderedChecks.length} policy checks, ${policyFindings.length} findings, ${result.exemptions.length} exemptions`);
        for (const exemption of result.exemptions) lines.push(`  exempt: ${exemption.file}: ${exemption.resource}: ${exemption.check}: ${exemption.reason}`);
        for (const finding of policyFindings) lines.push(`  ${findingLocation(finding)}: ${finding.resource}: ${finding.check}: ${finding.message} (fix: ${finding.fix})`);
        const values = await checkChartValues({ cacheRoot, catalogue, docs, signal: ctx.signal, log: (line) => ctx.err(line) });
        found.push(...values.findings);
        lines.push(`${cluster.name}: chart values: ${values.checked.length} chart sources checked against their chart, ${values.findings.length} findings (by hand, see docs/platform-owners.md: ${handCheckedCharts.join(', ')})`);
        for (const finding of values.findings) lines.push(`  ${findingLocation(finding)}: ${finding.resource}: ${finding.check}: ${finding.message} (fix: ${finding.fix})`);
      }
      return { lines, findings: found };
    })();
    // Both finish (an engine's servers are stopped) before either's error is reported.
    const [engineResult, policyResult] = await Promise.allSettled([engineRun, policyRun]);
    if (engineResult.status === 'rejected') throw engineResult.reason;
    if (policyResult.status === 'rejected') throw policyResult.reason;
    await parsed?.save();
    const report = engineResult.value;
    for (const line of formatReport(report)) ctx.out(line);
    for (const line of policyResult.value.lines) ctx.out(line);
    const findings = policyResult.value.findings;

    const failures = reportFailures(report);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    if (failures.length > 0 || findings.length > 0) {
      const parts = [failures.length > 0 ? `${failures.length} validation failure${failures.length === 1 ? '' : 's'}` : '', findings.length > 0 ? `${findings.length} policy finding${findings.length === 1 ? '' : 's'}` : ''].filter(Boolean);
      throw new FindingsError(`validate failed: ${parts.join(', ')} (${seconds} s)`);
    }
    ctx.out(`validate ok: ${clusters.length} cluster${clusters.length === 1 ? '' : 's'} (${seconds} s)`);
  },
});

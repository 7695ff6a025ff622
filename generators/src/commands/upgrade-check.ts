import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defineCommand } from '../cli/command.js';
import { FindingsError, InputError } from '../errors.js';
import { readAddonCatalogue } from '../inputs/addons.js';
import { selectClusters } from '../inputs/clusters.js';
import { etcdVersionFor, KUBECONFORM_VERSION, KUBECTL_VALIDATE_VERSION, KUBERNETES_RELEASES } from '../tools/versions.js';
import { chartSupport } from '../upgrade/chart-support.js';
import { upgradeFindings } from '../upgrade/findings.js';
import { formatJson, formatMarkdown, formatText, upgradeBlocked, type ClusterUpgrade } from '../upgrade/report.js';
import { upgradeTarget } from '../upgrade/target.js';
import { renderedChartIds } from '../validate/chart-values.js';
import { clusterCrdSources } from '../validate/crd-sources.js';
import { validateRendered, type ClusterTarget } from '../validate/engines.js';
import { loadRenderedDocs } from '../validate/rendered-docs.js';
import { cacheRootFor } from './validate.js';

interface UpgradeCheckOptions {
  readonly cluster?: string[];
  readonly to?: string;
  readonly cache: boolean;
  readonly reportDir?: string;
}

/**
 * `gitops upgrade-check`: each cluster's rendered tree judged by the engines of `validate` at the
 * next Kubernetes minor (and, for comparison, at the current one), plus the support the add-on
 * charts declare for it. A command of its own rather than a `validate` option: it answers another
 * question (may this cluster move to the next minor?) on another schedule (weekly, and before an
 * upgrade), it passes with warnings `validate` fails on (deprecations are reported, not blocking),
 * and a `validate` run of every pull request would otherwise build and start a second server.
 */
export const upgradeCheckCommand = defineCommand<UpgradeCheckOptions>({
  name: 'upgrade-check',
  summary: "Judge each cluster's rendered tree with the real kube-apiserver, etcd and schemas of its next Kubernetes minor (pinned): what the target rejects, warns about, drops or changes, and which add-on charts declare support for it.",
  define: (cmd) =>
    cmd
      .option('-c, --cluster <name...>', 'check only these clusters')
      .option('--to <minor>', "Kubernetes minor to judge at (default: the minor after each cluster's kubernetesVersion)")
      .option('--no-cache', 'judge every resource again instead of reusing the cached verdicts of unchanged ones')
      .option('--report-dir <dir>', 'also write <cluster>.md (the issue body) and <cluster>.json (the verdict) per cluster into this folder')
      .addHelpText(
        'after',
        [
          '',
          "Runs the engines of `validate` at the target minor: its pinned kube-apiserver and the etcd its kubeadm",
          'installs (built once into .tools/, like the current ones), kubeconform and kubectl-validate with its',
          'schemas, and the CRDs of the versions clusters/addons.yaml installs. Each finding says whether the',
          'current minor reports it too. Deprecation and other warnings are reported verbatim and do not block;',
          'rejections, API versions not served, schema failures, dropped fields, objects a second apply changes,',
          'anything not judged, and a chart whose kubeVersion excludes the target do.',
          '',
          'Exit codes: 0 nothing blocks, 1 something blocks the upgrade, 2 usage or tool error.',
        ].join('\n'),
      ),
  run: async (options, ctx) => {
    const started = performance.now();
    const clusters = await selectClusters(ctx.root, options.cluster);
    const targets = new Map(clusters.map((c) => [c.name, upgradeTarget(c.name, c.kubernetesVersion, options.to)]));
    const { catalogue, issues } = await readAddonCatalogue(ctx.root);
    if (!catalogue) throw new InputError(issues);
    const cacheRoot = cacheRootFor(ctx.root);

    // Both sides of the skew in one run: the tree at the target minor (the cluster upgraded first)
    // and at the current one (a finding it shares is not the upgrade's; a fix must pass both).
    const sides: { side: 'current' | 'target'; target: ClusterTarget }[] = clusters.flatMap((c) => {
      const base = { name: c.name, dir: path.join(ctx.root, 'clusters', c.name, 'rendered'), crdSources: clusterCrdSources(catalogue, c) };
      return [
        { side: 'target' as const, target: { ...base, kubernetesVersion: targets.get(c.name)! } },
        { side: 'current' as const, target: { ...base, kubernetesVersion: c.kubernetesVersion } },
      ];
    });
    const report = await validateRendered({
      root: ctx.root,
      cacheRoot,
      clusters: sides.map((s) => s.target),
      cache: options.cache,
      signal: ctx.signal,
      log: (line) => ctx.err(line),
    });

    const results: ClusterUpgrade[] = [];
    for (const [i, cluster] of clusters.entries()) {
      const target = report.clusters[2 * i]!;
      const current = report.clusters[2 * i + 1]!;
      const to = targets.get(cluster.name)!;
      const release = KUBERNETES_RELEASES[to]!;
      const { docs } = await loadRenderedDocs(ctx.root, cluster.name, path.join(ctx.root, 'clusters', cluster.name, 'rendered'));
      const charts = await chartSupport(cacheRoot, catalogue, renderedChartIds(docs, catalogue), release, { signal: ctx.signal, log: (line) => ctx.err(line) });
      results.push({
        cluster: cluster.name,
        from: cluster.kubernetesVersion,
        to,
        release,
        etcd: etcdVersionFor(to),
        engines: [`kubeconform ${KUBECONFORM_VERSION}`, `kubectl-validate ${KUBECTL_VALIDATE_VERSION}`],
        resources: target.engines.find((e) => e.engine === 'kube-apiserver')?.counts.resources ?? 0,
        findings: upgradeFindings(target, current),
        charts,
      });
    }

    for (const result of results) for (const line of formatText(result)) ctx.out(line);
    if (options.reportDir) {
      const dir = path.resolve(ctx.root, options.reportDir);
      await mkdir(dir, { recursive: true });
      const context = { ...(process.env['GITHUB_SHA'] ? { commit: process.env['GITHUB_SHA'] } : {}), ...(runUrl() ? { runUrl: runUrl()! } : {}) };
      for (const result of results) {
        await writeFile(path.join(dir, `${result.cluster}.md`), formatMarkdown(result, context));
        await writeFile(path.join(dir, `${result.cluster}.json`), `${JSON.stringify(formatJson(result), null, 2)}\n`);
      }
    }
    const blocked = results.filter(upgradeBlocked).map((r) => r.cluster);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    if (blocked.length > 0) throw new FindingsError(`upgrade-check: the upgrade of ${blocked.join(', ')} is blocked (${seconds} s)`);
    ctx.out(`upgrade-check ok: nothing blocks the upgrade of ${results.length} cluster${results.length === 1 ? '' : 's'} (${seconds} s)`);
  },
});

/** The URL of the GitHub Actions run, when running in one. */
function runUrl(): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: run } = process.env;
  return server && repo && run ? `${server}/${repo}/actions/runs/${run}` : undefined;
}

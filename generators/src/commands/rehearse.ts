import { performance } from 'node:perf_hooks';
import { defineCommand } from '../cli/command.js';
import { FindingsError, InputError, UsageError } from '../errors.js';
import { resolveCommit } from '../diff/git.js';
import { readAddonCatalogue } from '../inputs/addons.js';
import { selectClusters } from '../inputs/clusters.js';
import { argoCdRelease } from '../inputs/releases.js';
import { ensureArgoCd } from '../tools/argocd-build.js';
import { ensureControlPlane } from '../tools/control-plane-build.js';
import { runProcess } from '../tools/process.js';
import { clusterCrdSources, ensureCrdSources } from '../validate/crd-sources.js';
import { findRedis } from '../rehearse/argocd-processes.js';
import { rehearse } from '../rehearse/rehearsal.js';
import { formatRehearsal, rehearsalPasses } from '../rehearse/report.js';
import { cacheRootFor } from './validate.js';
import { ensureBehaviourBinaries } from '../local-cluster/binaries.js';
import { rehearseCanaries } from '../local-cluster/canary/canary-rehearsal.js';
import { argoCdSettingsAtCommit, canariesPass, formatCanaries, touchedCanaries } from '../rehearse/canaries.js';
import { argoRolloutsRelease } from '../tools/rollouts-build.js';

/** The AWS account of a cluster's ECR registry host (`<account>.dkr.ecr.<region>.amazonaws.com`), for the rehearsal's ARNs. */
export function awsAccountOf(registry: string | undefined): string {
  return /^(\d{12})\.dkr\.ecr\./.exec(registry ?? '')?.[1] ?? '123456789012';
}

interface RehearseOptions {
  readonly cluster?: string[];
  readonly base?: string;
  readonly charts?: boolean;
  readonly timeout: string;
  readonly canaries?: boolean;
  /** false with --no-sync: the canaries only. */
  readonly sync: boolean;
  readonly verbose?: boolean;
}

export const rehearseCommand = defineCommand<RehearseOptions>({
  name: 'rehearse',
  summary: 'Rehearse the sync: the Argo CD release the clusters install syncs each cluster\'s committed rendered tree into a real kube-apiserver, and every Application from this repository must end Synced and stay Synced.',
  define: (cmd) =>
    cmd
      .option('-c, --cluster <name...>', 'rehearse only these clusters')
      .option('--base <ref>', 'rehearse this commit first, then move the same Argo CD to HEAD and report what it prunes, deletes or fails to update')
      .option('--charts', 'rehearse the add-ons\' external Helm charts too (needs the chart repositories on the network and helm on PATH)')
      .option('--timeout <seconds>', 'give up waiting for the Applications of a cluster to settle after this long', '300')
      .option('--canaries', 'rehearse the canaries too: on a local cluster that runs things (controller-manager, scheduler, kwok, the pinned Argo Rollouts, local ELBv2 and CloudWatch endpoints), each canary of the services the change touches takes its steps with healthy, failing and missing metrics')
      .option('--no-sync', 'with --canaries: skip the Argo CD sync rehearsal')
      .option('--verbose', 'show the noise verbatim (Role/RoleBinding reconcile notes, last-applied-configuration warnings on objects the bootstrap applied), which is otherwise counted')
      .addHelpText(
        'after',
        [
          '',
          'Rehearses the commit HEAD (commit the rendered tree first). The first run builds Argo CD',
          '(clusters/addons.yaml charts.argo-cd: image.tag, else appVersion) from its Go module into .tools/ (~10 min on',
          '2 cores, once), like kube-apiserver and etcd for validate; redis-server (Debian package',
          'redis-server) must be installed. Everything runs on 127.0.0.1 and is stopped on exit, failure,',
          'Ctrl-C, or when this process is killed.',
          '',
          'Exit codes: 0 every Application from this repository Synced and staying Synced, 1 otherwise,',
          '2 usage or tool error.',
        ].join('\n'),
      ),
  run: async (options, ctx) => {
    const started = performance.now();
    const settleSeconds = Number(options.timeout);
    if (!Number.isInteger(settleSeconds) || settleSeconds < 10) throw new UsageError(`--timeout ${options.timeout}: must be a whole number of seconds, at least 10`);
    const clusters = await selectClusters(ctx.root, options.cluster);
    const { catalogue, issues } = await readAddonCatalogue(ctx.root);
    if (!catalogue) throw new InputError(issues);
    if (options.sync) await findRedis();
    const commit = await resolveCommit(ctx.root, 'HEAD');
    const baseCommit = options.base ? await resolveCommit(ctx.root, options.base) : undefined;
    const dirty = await runProcess('git', ['status', '--porcelain', '--', ...clusters.map((c) => `clusters/${c.name}/rendered`)], { cwd: ctx.root });
    if (dirty.stdout.trim()) ctx.err(`warning: uncommitted changes under ${clusters.map((c) => `clusters/${c.name}/rendered`).join(', ')} are not rehearsed (Argo CD syncs commits): commit them first`);

    const cacheRoot = cacheRootFor(ctx.root);
    const log = (line: string) => ctx.err(line);
    if (!options.sync && !options.canaries) throw new UsageError('--no-sync rehearses nothing without --canaries');
    // The canaries need it too: Argo CD's own health check and notification trigger judge an aborted Rollout.
    const argocd = await ensureArgoCd(cacheRoot, argoCdRelease(catalogue), { signal: ctx.signal, log });
    let failed = 0;
    for (const cluster of clusters) {
      const binaries = await ensureControlPlane(cacheRoot, cluster.kubernetesVersion, { signal: ctx.signal, log });
      const crdSources = await ensureCrdSources(cacheRoot, clusterCrdSources(catalogue, cluster), { signal: ctx.signal, log });
      if (options.canaries) {
        const { services, why } = await touchedCanaries(ctx.root, cluster.name, commit, baseCommit);
        if (services.length === 0) ctx.out(`canaries of ${cluster.name}: none rehearsed (${why})`);
        else {
          const behaviour = await ensureBehaviourBinaries(cacheRoot, cluster.kubernetesVersion, { rolloutsRelease: argoRolloutsRelease(catalogue), signal: ctx.signal, log });
          const argoCd = { argocd, ...(await argoCdSettingsAtCommit(ctx.root, commit, cluster.name)) };
          const canaries = await rehearseCanaries({ flavor: cluster.flavor, region: cluster.region, account: awsAccountOf(cluster.registry), services, controlPlane: binaries, behaviour, crdSources, cacheRoot, argoCd, signal: ctx.signal, log });
          for (const line of formatCanaries(cluster.name, canaries, why)) ctx.out(line);
          if (!canariesPass(canaries)) failed++;
        }
      }
      if (!options.sync) continue;
      const result = await rehearse(
        { repo: ctx.root, cluster: cluster.name, commit, ...(baseCommit ? { baseCommit } : {}) },
        { binaries, crdSources, argocd, cacheRoot, settleSeconds, rehearseCharts: Boolean(options.charts), signal: ctx.signal, log },
      );
      for (const line of formatRehearsal(result, { verbose: Boolean(options.verbose) })) ctx.out(line);
      if (!rehearsalPasses(result)) failed++;
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    if (failed > 0) throw new FindingsError(`rehearse failed: ${failed} cluster${failed === 1 ? '' : 's'} with Applications not Synced or not staying Synced${options.canaries ? ', or canaries that did not behave' : ''} (${seconds} s)`);
    ctx.out(`rehearse ok: ${clusters.length} cluster${clusters.length === 1 ? '' : 's'} (${seconds} s)`);
  },
});

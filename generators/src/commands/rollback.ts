import { defineCommand, type CommandContext } from '../cli/command.js';
import { insideWorkTree, isAncestor, readPathAtCommits, tryResolveCommit } from '../diff/git.js';
import { historyFiles, imageHistory, imageOf, sameImage, VERIFIED_TRAILER, type ImageHistoryEntry } from '../delivery/image-history.js';
import { currentImage, deliver, describeChange, describeImage, pickCluster, pickServices, planImageEdit, refused, splitList, type ImageEdit, type ResolvedImage } from '../delivery/image-update.js';
import { describeRollout } from '../delivery/rollout-summary.js';
import { UsageError } from '../errors.js';
import type { ClusterPlatform } from '../inputs/platform.js';
import { loadPlatform } from '../inputs/platform.js';
import { isProduction } from '../inputs/production.js';
import { imageDigest } from '../inputs/schemas/service.js';
import type { Service } from '../inputs/services.js';
import { printRenderedDiff } from './promote.js';

interface RollbackOptions {
  readonly cluster: string;
  readonly services?: string;
  readonly to?: string;
  readonly verified?: boolean;
  readonly list?: boolean;
  readonly force?: boolean;
}

/** What one service is rolled back to, and the history entry that ran it (none: a forced digest). */
interface RollbackTarget {
  readonly service: Service;
  readonly image: ResolvedImage;
  readonly entry?: ImageHistoryEntry;
}

export const rollbackCommand = defineCommand<RollbackOptions>({
  name: 'rollback',
  summary: 'Put services of one cluster back to an image they ran before (from the Git history of their inputs), then render.',
  define: (cmd) =>
    cmd
      .requiredOption('--cluster <cluster>', 'cluster to roll back (a folder under clusters/)')
      .requiredOption('--services <list>', 'services to roll back, comma-separated')
      .option('--to <digest|commit>', 'the image to go back to: a digest the cluster ran, or a commit (the image the service had there); default: the previous image')
      .option('--verified', `only images whose promotion passed verification (commit trailer ${VERIFIED_TRAILER})`)
      .option('--list', 'print the image history of each service in the cluster and change nothing')
      .option('--force', 'accept a digest or commit the cluster never ran')
      .addHelpText(
        'after',
        [
          '',
          'The history is `git log` of apps/<service>/service.yaml and apps/<service>/<cluster>.yaml from HEAD:',
          'each image, the commit that set it, its date and author, and whether the promotion that brought it',
          `passed verification (a "${VERIFIED_TRAILER}:" trailer, written by the promote workflow).`,
          'Without --to, each service goes back to the newest image before the one it runs now (with --verified,',
          'the newest verified one). Edits the override file as deploy does, renders, prints each change, how it',
          'rolls out (a canary runs its steps and analysis again) and the rendered diff against HEAD.',
          'Exit codes: 0 ok, 1 refused (no earlier image, a digest or commit the cluster never ran without',
          '--force, a tag-only image for a production cluster) or invalid input, 2 usage or tool error.',
        ].join('\n'),
      ),
  run: async (options, ctx) => {
    const requested = splitList(options.services);
    if (requested.length === 0) throw new UsageError('name what to roll back: --services a,b');
    if (!(await insideWorkTree(ctx.root))) throw new UsageError(`${ctx.root} is not inside a Git repository: rollback reads the images from the Git history of the inputs`);
    const platform = await loadPlatform(ctx.root);
    const problems: string[] = [];
    const target = pickCluster(platform, '--cluster', options.cluster, problems);
    const services = target ? pickServices(target, '--services', requested, problems) : [];
    if (options.to !== undefined && options.to.startsWith('sha256:') && services.length > 1) {
      problems.push(`--to ${options.to}: a digest names the image of one service; roll back one service at a time, or give a commit`);
    }
    if (problems.length) throw refused('rollback', problems);
    const cluster = target!;

    const histories = new Map<string, ImageHistoryEntry[]>();
    for (const service of services) histories.set(service.name, await imageHistory(ctx.root, 'HEAD', cluster.cluster, service.name));

    if (options.list) {
      for (const service of services) printHistory(ctx, cluster, service, histories.get(service.name)!, options.verified === true);
      return;
    }

    const targets: RollbackTarget[] = [];
    for (const service of services) {
      const chosen = await chooseTarget(ctx.root, cluster, service, histories.get(service.name)!, options, problems);
      if (chosen) targets.push(chosen);
    }
    if (problems.length) throw refused('rollback', problems);

    const edits: ImageEdit[] = [];
    for (const chosen of targets) {
      edits.push(await planImageEdit(ctx.root, cluster.cluster, chosen.service, { ...(chosen.image.tag ? { tag: chosen.image.tag } : {}), ...(chosen.image.digest ? { digest: chosen.image.digest } : {}), repository: chosen.image.repository }));
    }
    for (const [index, edit] of edits.entries()) {
      ctx.out(describeChange(edit));
      const entry = targets[index]!.entry;
      ctx.out(entry ? `  ${describeEntry(entry)}` : `  forced: ${cluster.cluster.name} never ran this digest (--force)`);
    }
    if (!(await deliver(ctx, edits))) return;
    ctx.out('');
    for (const chosen of targets) ctx.out(describeRollback(chosen.service, cluster.cluster.flavor));
    await printRenderedDiff(ctx);
  },
});

/** The image one service goes back to; adds a problem and returns undefined when it cannot. */
async function chooseTarget(root: string, cluster: ClusterPlatform, service: Service, history: readonly ImageHistoryEntry[], options: RollbackOptions, problems: string[]): Promise<RollbackTarget | undefined> {
  const current = currentImage(cluster.cluster, service);
  const where = `${service.name} in ${cluster.cluster.name}`;
  let chosen: RollbackTarget | undefined;
  if (options.to === undefined) {
    const earlier = history.filter((entry) => !sameImage(entry.image, current) && (!options.verified || entry.verified.length > 0));
    const entry = earlier[0];
    if (!entry) {
      const files = historyFiles(service.name, cluster.cluster.name);
      problems.push(
        `${where}: no ${options.verified ? 'verified ' : ''}image before ${describeImage(current)} in the history of ${files.base} and ${files.override}` +
          (options.verified ? ` (no commit with a ${VERIFIED_TRAILER} trailer); leave out --verified, or name one with --to` : ''),
      );
      return undefined;
    }
    chosen = { service, image: entry.image, entry };
  } else if (options.to.startsWith('sha256:')) {
    const digest = imageDigest.safeParse(options.to);
    if (!digest.success) {
      problems.push(`--to ${JSON.stringify(options.to)}: ${digest.error.issues[0]!.message}`);
      return undefined;
    }
    const entry = history.find((candidate) => candidate.image.digest === options.to);
    if (entry) chosen = { service, image: entry.image, entry };
    else if (options.force) chosen = { service, image: { repository: current.repository, digest: options.to } };
    else {
      const ran = [...new Set(history.flatMap((candidate) => (candidate.image.digest ? [describeImage(candidate.image)] : [])))];
      problems.push(`--to ${options.to}: ${where} never ran this digest (digests it ran: ${ran.join(', ') || 'none'}); check the digest, or pass --force to roll back to it anyway`);
      return undefined;
    }
  } else {
    const commit = await tryResolveCommit(root, options.to);
    if (!commit) {
      problems.push(`--to ${JSON.stringify(options.to)}: neither a digest (sha256:<64 hex digits>) nor a commit of this repository`);
      return undefined;
    }
    const files = historyFiles(service.name, cluster.cluster.name);
    const [[base], [override]] = await Promise.all([readPathAtCommits(root, [commit], files.base), readPathAtCommits(root, [commit], files.override)]);
    const image = imageOf(cluster.cluster.registry, base, override);
    if (!image) {
      problems.push(`--to ${options.to}: ${service.name} has no image at commit ${commit.slice(0, 12)} (no valid ${files.base} there)`);
      return undefined;
    }
    const entry = history.find((candidate) => sameImage(candidate.image, image));
    if (!(await isAncestor(root, commit, 'HEAD')) && !entry && !options.force) {
      problems.push(`--to ${options.to}: commit ${commit.slice(0, 12)} is not in the history of HEAD and ${where} never ran its image ${describeImage(image)}; pass --force to roll back to it anyway`);
      return undefined;
    }
    chosen = { service, image, ...(entry ? { entry } : {}) };
  }
  if (options.verified && options.to !== undefined && !(chosen.entry && chosen.entry.verified.length > 0)) {
    problems.push(`--to ${options.to}: no verification is recorded for ${describeImage(chosen.image)} (no ${VERIFIED_TRAILER} trailer); leave out --verified to roll back to it anyway`);
    return undefined;
  }
  if (!chosen.image.digest && isProduction(cluster.cluster)) {
    problems.push(
      `${where}: ${describeImage(chosen.image)} is a tag only, and a production cluster takes images pinned by digest; ` +
        `roll back to a digest (gitops rollback --cluster ${cluster.cluster.name} --services ${service.name} --list shows them)`,
    );
    return undefined;
  }
  return chosen;
}

/** `set by 1a2b3c4d5e6f on 2026-11-02 by Jane Doe: deploy to staging: user-service (verified: …)`. */
function describeEntry(entry: ImageHistoryEntry): string {
  const verified = entry.verified.length ? ` (verified: ${entry.verified.join('; ')})` : '';
  return `set by ${entry.commit.slice(0, 12)} on ${entry.date.slice(0, 10)} by ${entry.author}: ${entry.subject}${verified}`;
}

/** The `--list` output of one service: newest first, the image it runs now marked, the default target marked. */
function printHistory(ctx: CommandContext, cluster: ClusterPlatform, service: Service, history: readonly ImageHistoryEntry[], verifiedOnly: boolean): void {
  const current = currentImage(cluster.cluster, service);
  const target = history.find((entry) => !sameImage(entry.image, current) && (!verifiedOnly || entry.verified.length > 0));
  ctx.out(`${service.name} in ${cluster.cluster.name}: runs ${describeImage(current)}`);
  if (history.length === 0) ctx.out('  (no history: the inputs are not committed)');
  for (const entry of history) {
    const mark = sameImage(entry.image, current) && entry === history.find((candidate) => sameImage(candidate.image, current)) ? 'now     ' : entry === target ? 'previous' : '        ';
    const verified = entry.verified.length ? 'verified' : '        ';
    ctx.out(`  ${mark}  ${describeImage(entry.image).padEnd(36)}  ${entry.commit.slice(0, 12)}  ${entry.date.slice(0, 10)}  ${verified}  ${entry.author}: ${entry.subject}`);
  }
}

/**
 * How the rolled-back image reaches users. Argo Rollouts treats it as a new revision: the Rollout
 * sets no `rollbackWindow`, so a canary takes its steps and analysis again (argo-rollouts v1.9.0
 * rollout/sync.go isRollbackWithinWindow; rollout/analysis.go skips analysis only for aborted,
 * promote-full, within-window or initial rollouts). `kubectl argo rollouts promote --full` skips
 * the analysis, pauses and steps (pkg/kubectl-argo-rollouts/cmd/promote/promote.go).
 */
export function describeRollback(service: Service, flavor: 'eks' | 'k3s'): string {
  const line = describeRollout(service, flavor);
  if (service.rollout.strategy === 'rolling') return line;
  return (
    `${line}. A rollback runs these steps and the analysis again; in an incident, once Argo CD has synced, ` +
    `skip them with: kubectl argo rollouts promote ${service.name} -n ${service.name} --full`
  );
}

import { defineCommand, type CommandContext } from '../cli/command.js';
import { renderText } from '../diff/format/text.js';
import { resolveCommit } from '../diff/git.js';
import { reportAgainstCommit } from '../diff/sides.js';
import { currentImage, deliver, describeChange, describeImage, pickCluster, pickServices, planImageEdit, refused, splitList, type ImageEdit } from '../delivery/image-update.js';
import { describeRollout } from '../delivery/rollout-summary.js';
import { GitopsError } from '../errors.js';
import { loadPlatform } from '../inputs/platform.js';

interface PromoteOptions {
  readonly from: string;
  readonly to: string;
  readonly services?: string;
}

export const promoteCommand = defineCommand<PromoteOptions>({
  name: 'promote',
  summary: "Copy one cluster's images (pinned by digest) to another, e.g. staging to production, then render.",
  define: (cmd) =>
    cmd
      .requiredOption('--from <cluster>', 'cluster whose images are promoted (staging)')
      .requiredOption('--to <cluster>', 'cluster that gets them (production)')
      .option('--services <list>', 'services to promote, comma-separated (default: every service)')
      .addHelpText(
        'after',
        [
          '',
          "Sets image.digest (and the tag beside it, as a label) in apps/<service>/<to>.yaml to what <from>",
          'runs. A service that <from> runs by tag only cannot be promoted: deploy a digest there first.',
          'Prints each image change, how it rolls out in <to> (the canary steps and analysis, or a rolling',
          'update) and the rendered diff against HEAD (when the root is a Git checkout).',
          'Exit codes: 0 ok, 1 refused or invalid input, 2 usage or tool error.',
        ].join('\n'),
      ),
  run: async (options, ctx) => {
    const platform = await loadPlatform(ctx.root);
    const problems: string[] = [];
    const source = pickCluster(platform, '--from', options.from, problems);
    const target = pickCluster(platform, '--to', options.to, problems);
    if (source && target && source === target) problems.push(`--to ${options.to}: the same cluster as --from; promote copies images from one cluster to another`);
    const requested = options.services === undefined ? undefined : splitList(options.services);
    const services = source ? (requested ? pickServices(source, '--services', requested, problems) : [...source.services]) : [];
    if (requested?.length === 0) problems.push('--services: empty; leave it out to promote every service');
    for (const service of services) {
      if (service.image.digest) continue;
      problems.push(
        `${service.name}: ${options.from} runs ${describeImage(currentImage(source!.cluster, service))} (a tag only), which cannot be promoted; ` +
          `deploy a digest to ${options.from} first: gitops deploy --cluster ${options.from} --services ${service.name} --digest sha256:<64 hex digits>`,
      );
    }
    if (problems.length) throw refused('promote', problems);

    const edits: ImageEdit[] = [];
    for (const service of services) {
      const there = target!.services.find((entry) => entry.name === service.name)!;
      const image = currentImage(source!.cluster, service);
      edits.push(await planImageEdit(ctx.root, target!.cluster, there, image));
    }
    for (const edit of edits) ctx.out(describeChange(edit));
    if (!(await deliver(ctx, edits))) return;
    // How each promoted image will reach the target's users (as the merged inputs say).
    ctx.out('');
    for (const service of services) ctx.out(describeRollout(target!.services.find((entry) => entry.name === service.name)!, target!.cluster.flavor));
    await printRenderedDiff(ctx);
    ctx.out('');
    ctx.out(`What else differs between the two (scaling, resources, env, rollout, cloud resources, add-ons): gitops compare --from ${options.from} --to ${options.to}`);
  },
});

/** The summary of `gitops diff --base HEAD`: what the promotion changes in the rendered tree. */
export async function printRenderedDiff(ctx: CommandContext): Promise<void> {
  try {
    const commit = await resolveCommit(ctx.root, 'HEAD');
    const report = await reportAgainstCommit(ctx.root, { ref: 'HEAD', commit });
    ctx.out('');
    ctx.out(renderText(report, { color: false, summaryOnly: true }));
  } catch (error) {
    if (!(error instanceof GitopsError)) throw error;
    ctx.err(`rendered diff not shown: ${error.message}`);
  }
}

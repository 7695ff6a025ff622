import { defineCommand } from '../cli/command.js';
import { compareEnvironments } from '../compare/environments.js';
import { renderCompareMarkdown, renderCompareText } from '../compare/format.js';
import { pickCluster, pickServices, refused, splitList } from '../delivery/image-update.js';
import { UsageError } from '../errors.js';
import { loadPlatform } from '../inputs/platform.js';

interface CompareOptions {
  readonly from: string;
  readonly to: string;
  readonly service?: string;
  readonly format: string;
}

const formats = ['text', 'markdown', 'json'] as const;

export const compareCommand = defineCommand<CompareOptions>({
  name: 'compare',
  summary: 'What one environment runs that another does not, per service (images, scaling, resources, env, rollout, cloud resources, add-ons).',
  define: (cmd) =>
    cmd
      .requiredOption('--from <cluster>', 'cluster to compare from (e.g. staging)')
      .requiredOption('--to <cluster>', 'cluster to compare to (e.g. production)')
      .option('--service <list>', 'services to compare, comma-separated (default: every service, and the add-ons)')
      .option('--format <format>', `output: ${formats.join(', ')}`, 'text')
      .addHelpText(
        'after',
        [
          '',
          'Reads the inputs as render does (nothing is written, no cluster is asked). Differences are grouped:',
          'images (the release gap), drift (explained by no input and not by the clusters), and expected',
          'differences: declared for one cluster (apps/<service>/<cluster>.yaml, infra/<r>.yaml clusters.<c>)',
          'or following from the cluster (flavor, provider, production, domain, registry). Secret values are',
          'redacted. Exit codes: 0 (differences are information), 1 invalid input or unknown name, 2 usage.',
        ].join('\n'),
      ),
  run: async (options, ctx) => {
    if (!(formats as readonly string[]).includes(options.format)) throw new UsageError(`--format ${options.format}: must be one of ${formats.join(', ')}`);
    const platform = await loadPlatform(ctx.root);
    const problems: string[] = [];
    const from = pickCluster(platform, '--from', options.from, problems);
    const to = pickCluster(platform, '--to', options.to, problems);
    const requested = options.service === undefined ? undefined : splitList(options.service);
    if (from && requested) pickServices(from, '--service', requested, problems);
    if (requested?.length === 0) problems.push('--service: empty; leave it out to compare every service');
    if (problems.length) throw refused('compare', problems);
    const comparison = await compareEnvironments(ctx.root, platform, from!, to!, requested);
    if (options.format === 'json') ctx.out(JSON.stringify(comparison, null, 2));
    else ctx.out(options.format === 'markdown' ? renderCompareMarkdown(comparison) : renderCompareText(comparison));
  },
});

import { defineCommand } from '../cli/command.js';
import { UsageError } from '../errors.js';
import { deliver, describeChange, pickCluster, pickServices, planImageEdit, refused, splitList, type ImageEdit, type ImageTarget } from '../delivery/image-update.js';
import { loadPlatform } from '../inputs/platform.js';
import { isProduction } from '../inputs/production.js';
import { imageDigest, imageTag } from '../inputs/schemas/service.js';
import { repositoryPath } from '../inputs/services.js';

interface DeployOptions {
  readonly cluster: string;
  readonly services?: string;
  readonly frontend?: boolean;
  readonly tag?: string;
  readonly digest?: string;
  readonly registry?: string;
}

/** The service `--frontend` adds (the old Jenkins `deployFrontend`). */
export const FRONTEND_SERVICE = 'frontend';

/** A registry host as image repositories take it: DNS labels with at least one dot, no scheme, no port. */
const registryHost = /^[a-z0-9]+([.-][a-z0-9]+)*\.[a-z0-9]+([.-][a-z0-9]+)*$/;

export const deployCommand = defineCommand<DeployOptions>({
  name: 'deploy',
  summary: 'Set the image of services in one cluster (apps/<service>/<cluster>.yaml), then render.',
  define: (cmd) =>
    cmd
      .requiredOption('--cluster <cluster>', 'cluster to deploy to (a folder under clusters/)')
      .option('--services <list>', 'services to deploy, comma-separated (the old deployBackend)')
      .option('--frontend', `deploy the ${FRONTEND_SERVICE} service too (the old deployFrontend)`)
      .option('--tag <tag>', 'image tag; never "latest"; not accepted by production clusters')
      .option('--digest <digest>', 'image digest, sha256:<64 hex digits>; production clusters require it')
      .option('--registry <host>', "registry host the image was pushed to; written only when it is not the cluster's registry")
      .addHelpText(
        'after',
        [
          '',
          'Edits apps/<service>/<cluster>.yaml (created when missing), keeping comments and formatting;',
          'a tag replaces a digest and a digest replaces a tag (give both to set both). Every argument',
          'is checked before anything is written; when the render fails the inputs are restored.',
          'Exit codes: 0 ok, 1 refused (unknown service or cluster, bad tag or digest, production without',
          'a digest) or invalid input, 2 usage or tool error.',
        ].join('\n'),
      ),
  run: async (options, ctx) => {
    const requested = [...splitList(options.services), ...(options.frontend ? [FRONTEND_SERVICE] : [])];
    if (requested.length === 0) throw new UsageError('name what to deploy: --services a,b and/or --frontend');
    if (options.tag === undefined && options.digest === undefined) throw new UsageError('give the image: --tag <tag> or --digest sha256:<64 hex digits>');

    const problems: string[] = [];
    for (const [flag, value, schema] of [['--tag', options.tag, imageTag] as const, ['--digest', options.digest, imageDigest] as const]) {
      const checked = value === undefined ? undefined : schema.safeParse(value);
      if (checked && !checked.success) problems.push(`${flag} ${JSON.stringify(value)}: ${checked.error.issues[0]!.message}`);
    }
    if (options.registry !== undefined && !registryHost.test(options.registry)) {
      problems.push(`--registry ${JSON.stringify(options.registry)}: must be a registry host without scheme or path, e.g. "123456789012.dkr.ecr.eu-west-1.amazonaws.com"`);
    }
    const platform = await loadPlatform(ctx.root);
    const target = pickCluster(platform, '--cluster', options.cluster, problems);
    const services = target ? pickServices(target, '--services', requested, problems) : [];
    if (target && options.digest === undefined && isProduction(target.cluster)) {
      const why = target.cluster.production === true ? 'production: true' : `flavor ${target.cluster.flavor}`;
      problems.push(
        `--cluster ${target.cluster.name}: a production cluster (${why} in ${target.cluster.file}) takes images pinned by digest only; ` +
          'pass --digest sha256:<64 hex digits> (the digest your build pushed), or deploy the tag to staging and promote it',
      );
    }
    if (problems.length) throw refused('deploy', problems);

    const edits: ImageEdit[] = [];
    for (const service of services) {
      const image: ImageTarget = {
        ...(options.tag === undefined ? {} : { tag: options.tag }),
        ...(options.digest === undefined ? {} : { digest: options.digest }),
        ...(options.registry === undefined ? {} : { repository: `${options.registry}/${repositoryPath(service.image.repository)}` }),
      };
      edits.push(await planImageEdit(ctx.root, target!.cluster, service, image));
    }
    for (const edit of edits) ctx.out(describeChange(edit));
    await deliver(ctx, edits);
  },
});

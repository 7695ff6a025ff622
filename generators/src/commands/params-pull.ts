import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { defineCommand } from '../cli/command.js';
import { FindingsError, InputError, ToolError, UsageError } from '../errors.js';
import { compareNames, formatParams, paramsFilePath, parseParamsText, type Params } from '../delivery/params-file.js';
import { writeFileAtomic } from '../write-file-atomic.js';
import { createSsmClient, defaultParamsPath, normalizeSsmPath, pullParameters } from '../delivery/ssm-params.js';

interface ParamsPullOptions {
  cluster: string;
  path?: string;
  endpoint?: string;
  region?: string;
  failOnSecureString?: boolean;
}

/** Exit code of a command stopped by Ctrl-C. */
const INTERRUPTED = 130;

export const paramsPullCommand = defineCommand<ParamsPullOptions>({
  name: 'params pull',
  summary: 'Read String and StringList parameters from SSM Parameter Store into clusters/<cluster>/params.yaml (SecureStrings are skipped and named)',
  define: (cmd) =>
    cmd
      .requiredOption('--cluster <cluster>', 'cluster whose params.yaml to write (clusters/<cluster>/)')
      .option('--path <ssm-path>', 'SSM path to read recursively (default: /learning-platform/<cluster>)')
      .option('--endpoint <url>', 'SSM endpoint URL, e.g. a local or VPC endpoint (default: the SDK resolves it)')
      .option('--region <region>', 'AWS region (default: AWS_REGION or the AWS profile)')
      .option('--fail-on-secure-string', 'fail (exit 1, nothing written) when the path holds a SecureString, instead of skipping it with a notice'),
  run: async (options, ctx) => {
    const cluster = await requireCluster(ctx.root, options.cluster);
    const ssmPath = normalizeSsmPath(options.path ?? defaultParamsPath(cluster));
    const file = paramsFilePath(cluster);
    const target = path.join(ctx.root, file);

    const client = createSsmClient({ endpoint: options.endpoint, region: options.region });
    let pulled;
    try {
      pulled = await pullParameters(client, ssmPath, { signal: ctx.signal, endpoint: options.endpoint });
    } catch (error) {
      if (ctx.signal.aborted) {
        ctx.err(`interrupted while reading SSM path ${ssmPath}; ${file} was not changed.`);
        return INTERRUPTED;
      }
      throw error;
    } finally {
      client.destroy();
    }

    const secure = pulled.secureStringNames;
    if (secure.length && options.failOnSecureString) {
      throw new FindingsError(
        `${plural(secure.length, 'SecureString parameter')} under ${ssmPath}: params.yaml only holds String and StringList values. ` +
          'Reference secrets through an ExternalSecret instead (`secretEnv` in the service input), or move them out of this path; nothing was written.',
        secure.map((name) => `  SecureString: ${name}`),
      );
    }
    const names = Object.keys(pulled.parameters);
    if (names.length === 0) {
      const skipped = secure.length ? ` (only ${plural(secure.length, 'SecureString')}, which params.yaml never holds)` : '';
      throw new ToolError(`no String or StringList parameters under SSM path ${ssmPath}${skipped}; ${file} was not changed.`, 'check --path, --region and the account the credentials belong to.');
    }
    // SecureStrings are skipped: their values were never decrypted (WithDecryption: false) and are
    // never printed or written; one notice says how to use them instead.
    if (secure.length) secureStringNotice(ssmPath, secure).forEach((line) => ctx.err(line));

    const previousText = await readFile(target, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    let previous: Params = {};
    if (previousText !== undefined) {
      try {
        previous = parseParamsText(file, previousText).parameters;
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        ctx.err(`warning: the existing ${file} is not valid (${error.issues.length} issue${error.issues.length === 1 ? '' : 's'}); replacing it.`);
      }
    }

    const text = formatParams(ssmPath, pulled.parameters);
    const changes = compare(previous, pulled.parameters);
    ctx.out(`read ${names.length} parameter${names.length === 1 ? '' : 's'} from SSM path ${ssmPath} (${pulled.pages} page${pulled.pages === 1 ? '' : 's'})`);
    if (text === previousText) {
      ctx.out(`${file} is up to date.`);
      return;
    }
    if (ctx.signal.aborted) {
      ctx.err(`interrupted; ${file} was not changed.`);
      return INTERRUPTED;
    }
    try {
      await writeFileAtomic(target, text);
    } catch (error) {
      throw new ToolError(`cannot write ${file}: ${(error as Error).message}`);
    }
    for (const name of changes.added) ctx.out(`  + ${name}`);
    for (const name of changes.changed) ctx.out(`  ~ ${name}`);
    for (const name of changes.removed) ctx.out(`  - ${name}`);
    ctx.out(`wrote ${file}: ${changes.added.length} added, ${changes.changed.length} changed, ${changes.removed.length} removed.`);
  },
});

/** The notice for skipped SecureString parameters: their full names and how a service references them. */
function secureStringNotice(ssmPath: string, relativeNames: readonly string[]): string[] {
  const full = relativeNames.map((name) => `${ssmPath === '/' ? '' : ssmPath}/${name}`);
  return [
    `notice: skipped ${plural(full.length, 'SecureString parameter')} (not decrypted, not written; params.yaml holds String and StringList values only):`,
    ...full.map((name) => `  ${name}`),
    `  A service reads a secret through \`secretEnv\`, which renders an ExternalSecret, e.g. in apps/<service>/service.yaml:`,
    `    secretEnv: { NAME: { store: parameter-store, key: ${full[0]} } }`,
    '  (--fail-on-secure-string makes a SecureString under the path an error instead.)',
  ];
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Names added, changed and removed between two parameter sets (names only: values may be sensitive). */
export function compare(before: Params, after: Params): { added: string[]; changed: string[]; removed: string[] } {
  const added: string[] = [];
  const changed: string[] = [];
  const removed: string[] = [];
  for (const name of Object.keys(after).sort(compareNames)) {
    const old = before[name];
    if (old === undefined) added.push(name);
    else if (!sameValue(old, after[name]!)) changed.push(name);
  }
  for (const name of Object.keys(before).sort(compareNames)) {
    if (after[name] === undefined) removed.push(name);
  }
  return { added, changed, removed };
}

function sameValue(a: string | readonly string[], b: string | readonly string[]): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return a.length === b.length && a.every((item, index) => item === b[index]);
}

/** Checks the cluster name and that `clusters/<cluster>/cluster.yaml` exists. */
export async function requireCluster(root: string, cluster: string): Promise<string> {
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(cluster)) {
    throw new UsageError(`--cluster ${JSON.stringify(cluster)} is not a cluster name (lowercase letters, digits and "-").`);
  }
  const exists = await stat(path.join(root, 'clusters', cluster, 'cluster.yaml')).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!exists) throw new UsageError(`unknown cluster ${cluster}: clusters/${cluster}/cluster.yaml not found under ${root}.`);
  return cluster;
}

import { randomBytes } from 'node:crypto';
import { defineCommand, type CommandContext } from '../cli/command.js';
import { ExitCode, ExitWith, ToolError, UsageError } from '../errors.js';
import { AbortedError, ArgoWorkflowsClient, argoOptionsFromEnv, sleep, type Workflow } from '../delivery/argo-workflows-client.js';
import { displayName, failedNodes, followWorkflow, formatDuration, parseDuration, podNameOf } from '../delivery/follow-workflow.js';
import { requireCluster } from './params-pull.js';
import { workflowsNamespaceName } from '../argocd/layout.js';
import { isProduction } from '../inputs/production.js';
import { readYamlFile } from '../inputs/yaml-file.js';
import { parseImage } from '../validate/pod-templates.js';
import { templateNames } from '../workflows/plan.js';

interface VerifyOptions {
  cluster: string;
  template: string;
  param: string[];
  timeout: string;
  namespace: string;
  pollInterval: string;
}

/** Exit code of a command stopped by Ctrl-C. */
const INTERRUPTED = ExitCode.interrupted;
/** Failed nodes whose logs are printed, and log lines per node. */
const MAX_FAILED_NODES = 5;
const LOG_TAIL_LINES = 40;

/** The WorkflowTemplates a cluster may render (`workflows:` in cluster.yaml) and their parameters, for the help. */
const templatesHelp = [
  '',
  `WorkflowTemplates (rendered into clusters/<cluster>/rendered/workflows/, namespace ${workflowsNamespaceName}, when cluster.yaml lists them):`,
  ...[
    [templateNames.integrationTests, 'the test-runner image against the services', 'revision=<sha> base-url=<url>'],
    [templateNames.loadTest, 'k6 against the services', 'revision=<sha> base-url=<url> vus=<n> duration=<30s|5m>'],
    [templateNames.dbMigrate, 'a migration image against the database', 'revision=<sha> migration-image=<image:tag|image@sha256:…>'],
  ].map(([name, what, params]) => `  ${name!.padEnd(19)}${what!.padEnd(44)}--param ${params!.split(' ').join(' --param ')}`),
  'Every parameter has a default in the template (revision: empty). A parameter ending in -image must be pinned',
  '(a tag other than latest, or a digest; a digest in a production cluster).',
].join('\n');

export const CLUSTER_LABEL = 'gitops.learning-platform/cluster';
export const VERIFY_ID_LABEL = 'gitops.learning-platform/verify-id';

export const verifyCommand = defineCommand<VerifyOptions>({
  name: 'verify',
  summary: 'Submit an Argo Workflows template (integration, load, migration) and follow it to the end',
  define: (cmd) =>
    cmd
      .requiredOption('--cluster <cluster>', 'cluster the run verifies (labels the workflow)')
      .requiredOption('--template <name>', `WorkflowTemplate to submit (${Object.values(templateNames).join(', ')})`)
      .option('--param <name=value>', 'workflow parameter (repeatable)', (value: string, all: string[]) => [...all, value], [] as string[])
      .option('--timeout <duration>', 'stop the workflow and exit 2 after this long (90s, 15m, 1h)', '15m')
      .option('--namespace <ns>', 'namespace of the WorkflowTemplate and the workflow', workflowsNamespaceName)
      .option('--poll-interval <duration>', 'how often to poll when the event stream is lost', '5s')
      .addHelpText(
        'after',
        `${templatesHelp}\n\nEnvironment: ARGO_SERVER (URL), ARGO_TOKEN (a token of service account gitops-verify in ${workflowsNamespaceName}), ARGO_INSECURE_SKIP_VERIFY=true, ARGO_CA_FILE.\nExit codes: 0 Succeeded, 1 Failed or Error, 2 timeout or tool error, 130 interrupted.`,
      ),
  run: async (options, ctx) => {
    const cluster = await requireCluster(ctx.root, options.cluster);
    const timeoutMs = duration('--timeout', options.timeout);
    const pollIntervalMs = duration('--poll-interval', options.pollInterval);
    const namespace = options.namespace;
    if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(namespace)) throw new UsageError(`--namespace ${JSON.stringify(namespace)} is not a namespace name.`);
    if (!/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/.test(options.template)) throw new UsageError(`--template ${JSON.stringify(options.template)} is not a WorkflowTemplate name.`);
    for (const param of options.param) {
      if (!/^[A-Za-z0-9_.-]+=/.test(param)) throw new UsageError(`--param ${JSON.stringify(param)} must be name=value.`);
    }
    await checkImageParams(ctx.root, cluster, options.param);

    const client = new ArgoWorkflowsClient(argoOptionsFromEnv());
    if (ctx.signal.aborted) return INTERRUPTED;

    const labels = { [CLUSTER_LABEL]: cluster, [VERIFY_ID_LABEL]: randomBytes(8).toString('hex') };
    let submitted: Workflow;
    try {
      submitted = await client.submitFromTemplate(namespace, options.template, { generateName: `${options.template}-`, parameters: options.param, labels }, ctx.signal);
    } catch (error) {
      if (!(error instanceof AbortedError)) throw error;
      await stopInterruptedSubmission(client, ctx, namespace, options.template, labelSelector(labels));
      return INTERRUPTED;
    }
    const name = submitted.metadata.name;
    ctx.out(`submitted workflow ${namespace}/${name} from WorkflowTemplate ${options.template} (timeout ${formatDuration(timeoutMs)})`);
    ctx.out(`  ${client.serverLabel}/workflows/${namespace}/${name}`);

    const outcome = await followWorkflow({
      client,
      namespace,
      name,
      label: options.template,
      initial: submitted,
      timeoutMs,
      pollIntervalMs,
      signal: ctx.signal,
      out: ctx.out,
    });

    switch (outcome.kind) {
      case 'finished': {
        const workflow = outcome.workflow;
        const phase = workflow.status?.phase ?? '';
        const took = elapsed(workflow);
        if (phase === 'Succeeded') {
          ctx.out(`workflow ${name} Succeeded${took}`);
          return ExitCode.ok;
        }
        await reportFailure(client, ctx, namespace, workflow, options.template);
        const message = workflow.status?.message ? `: ${workflow.status.message}` : '';
        throw new ExitWith(ExitCode.findings, `workflow ${name} ${phase}${took}${message}`);
      }
      case 'timeout': {
        const stopped = await stop(client, ctx, namespace, name, `gitops verify: timed out after ${formatDuration(timeoutMs)}`);
        throw new ExitWith(ExitCode.usage, `workflow ${name} did not finish within ${formatDuration(timeoutMs)}${stopped ? '; stopped it' : ''}.`);
      }
      case 'interrupted': {
        const stopped = await stop(client, ctx, namespace, name, 'gitops verify: interrupted');
        ctx.err(`interrupted${stopped ? `; stopped workflow ${name}` : ''}.`);
        return INTERRUPTED;
      }
      case 'lost':
        throw new ToolError(`lost track of workflow ${name}: ${outcome.error.message}`, `it may still be running: argo get -n ${namespace} ${name}`);
    }
  },
});

/**
 * An image handed to a workflow (`--param <x>-image=…`, e.g. db-migrate's migration-image) obeys the
 * rules the rendered images obey: pinned by a tag other than latest or by a digest, and by a digest
 * in a production cluster. Checked before anything is submitted.
 */
async function checkImageParams(root: string, cluster: string, params: readonly string[]): Promise<void> {
  const images = params.filter((param) => /^(?:[A-Za-z0-9_.-]*-)?image=/.test(param));
  if (images.length === 0) return;
  const input = await readYamlFile(root, `clusters/${cluster}/cluster.yaml`).catch(() => undefined);
  const data = input?.file.data;
  const production = isProduction(data && typeof data === 'object' ? (data as Record<string, unknown>) : {});
  for (const param of images) {
    const [name, ...rest] = param.split('=');
    const image = rest.join('=');
    const { tag, digest } = parseImage(image);
    if (!image) throw new UsageError(`--param ${name} is empty: give an image reference.`);
    if (tag === 'latest' || (!tag && !digest)) throw new UsageError(`--param ${name}=${image} is not pinned: give a version tag (never latest) or a digest.`);
    if (digest !== undefined && !/^sha256:[a-f0-9]{64}$/.test(digest)) throw new UsageError(`--param ${name}=${image}: the digest must be sha256: followed by 64 hex digits.`);
    if (production && !digest) throw new UsageError(`--param ${name}=${image}: ${cluster} is a production cluster; pin the image by digest (…@sha256:…).`);
  }
}

function duration(flag: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw new UsageError(`${flag} ${JSON.stringify(text)} is not a duration (e.g. 90s, 15m, 1h).`);
  return ms;
}

function elapsed(workflow: Workflow): string {
  const started = Date.parse(workflow.status?.startedAt ?? '');
  const finished = Date.parse(workflow.status?.finishedAt ?? '');
  return Number.isFinite(started) && Number.isFinite(finished) && finished >= started ? ` in ${formatDuration(finished - started)}` : '';
}

/** How long the lookup after an interrupted submit may take, and the pause before it looks a second time. */
const LOOKUP_TIMEOUT_MS = 10_000;
const SETTLE_MS = 1_000;

function labelSelector(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/**
 * After Ctrl-C during a submit the workflow may exist: the Argo Server creates it before it
 * answers, and a create call already sent completes even when the client goes away
 * (`SubmitWorkflow` in argo-workflows v3.7.9 server/workflow/workflow_server.go). Finds what this
 * submission created by its labels (again after a pause, for a create still in flight) with a
 * fresh deadline, and stops it. When that cannot be known, prints exactly what may be running and
 * how to stop it (`argo stop -l`: cmd/argo/commands/stop.go of the same release).
 */
async function stopInterruptedSubmission(client: ArgoWorkflowsClient, ctx: CommandContext, namespace: string, template: string, selector: string): Promise<void> {
  const lookup = () => client.listWorkflows(namespace, selector, AbortSignal.timeout(LOOKUP_TIMEOUT_MS));
  let found: Workflow[];
  try {
    found = await lookup();
    if (found.length === 0) {
      await sleep(SETTLE_MS);
      found = await lookup();
    }
  } catch (error) {
    const cause = error instanceof AbortedError ? `no answer within ${formatDuration(LOOKUP_TIMEOUT_MS)}` : (error as Error).message;
    ctx.err(`interrupted while submitting WorkflowTemplate ${template}: a workflow labelled ${selector} may be running in namespace ${namespace}, and the Argo Server could not be asked (${cause}).`);
    ctx.err(`  check it with: argo list -n ${namespace} -l ${selector}`);
    ctx.err(`  stop it with:  argo stop -n ${namespace} -l ${selector}`);
    return;
  }
  if (found.length === 0) {
    ctx.err(`interrupted while submitting; no workflow labelled ${selector} was created (should one appear, stop it with: argo stop -n ${namespace} -l ${selector}).`);
    return;
  }
  const stopped: string[] = [];
  for (const workflow of found) {
    if (await stop(client, ctx, namespace, workflow.metadata.name, 'gitops verify: interrupted')) stopped.push(workflow.metadata.name);
  }
  ctx.err(`interrupted while submitting${stopped.length ? `; stopped workflow ${stopped.join(', ')}` : ''}.`);
}

/** Stops a workflow with a fresh deadline (the command's own signal may be aborted). */
async function stop(client: ArgoWorkflowsClient, ctx: CommandContext, namespace: string, name: string, message: string): Promise<boolean> {
  try {
    await client.stopWorkflow(namespace, name, message, AbortSignal.timeout(15_000));
    return true;
  } catch (error) {
    const cause = error instanceof AbortedError ? 'no answer within 15s' : (error as Error).message;
    ctx.err(`could not stop workflow ${name}: ${cause}; stop it with: argo stop -n ${namespace} ${name}`);
    return false;
  }
}

/** Prints each failed node's message and the tail of its main container's log. */
async function reportFailure(client: ArgoWorkflowsClient, ctx: CommandContext, namespace: string, workflow: Workflow, label: string): Promise<void> {
  const name = workflow.metadata.name;
  const failed = failedNodes(workflow);
  for (const node of failed.slice(0, MAX_FAILED_NODES)) {
    const pod = podNameOf(workflow, node);
    ctx.out('');
    ctx.out(`${displayName(node, name, label)} ${node.phase}${node.message ? `: ${node.message.split('\n')[0]}` : ''}`);
    if (!pod) continue;
    let lines: string[];
    try {
      lines = await client.podLogTail(namespace, name, pod, { container: 'main', tailLines: LOG_TAIL_LINES }, AbortSignal.timeout(20_000));
    } catch (error) {
      const cause = error instanceof AbortedError ? 'no answer within 20s' : (error as Error).message;
      ctx.out(`  (logs of pod ${pod} unavailable: ${cause})`);
      continue;
    }
    if (lines.length === 0) {
      ctx.out(`  (pod ${pod} logged nothing)`);
      continue;
    }
    ctx.out(`  last ${lines.length} log line${lines.length === 1 ? '' : 's'} of pod ${pod}:`);
    for (const line of lines) ctx.out(`  | ${line}`);
  }
  if (failed.length > MAX_FAILED_NODES) ctx.out(`(${failed.length - MAX_FAILED_NODES} more failed nodes not shown: argo get -n ${namespace} ${name})`);
  if (failed.length) ctx.out('');
}

import { GitopsError, ToolError } from '../errors.js';
import { AbortedError, sleep, type ArgoWorkflowsClient, type NodePhase, type Workflow, type WorkflowNode } from './argo-workflows-client.js';

/**
 * Follows one workflow to its end: the event stream first, polling `GET` when the stream breaks
 * (and, slowly, while it looks healthy, in case it hangs silently). Prints each node's phase
 * changes once, in order.
 */

export interface FollowOptions {
  readonly client: ArgoWorkflowsClient;
  readonly namespace: string;
  readonly name: string;
  /** Printed instead of the workflow name in node names (`integration-tests.run-suite`). */
  readonly label?: string;
  /** The workflow as submitted, printed first. */
  readonly initial?: Workflow;
  readonly timeoutMs: number;
  /** Poll interval once the stream is gone. */
  readonly pollIntervalMs: number;
  /** Poll interval while the stream is up (a guard against a silently hung stream). */
  readonly streamCheckIntervalMs?: number;
  readonly signal: AbortSignal;
  readonly out: (line: string) => void;
}

export type FollowOutcome =
  | { readonly kind: 'finished'; readonly workflow: Workflow }
  | { readonly kind: 'timeout'; readonly workflow?: Workflow }
  | { readonly kind: 'interrupted'; readonly workflow?: Workflow }
  | { readonly kind: 'lost'; readonly error: GitopsError; readonly workflow?: Workflow };

const TERMINAL_WORKFLOW: ReadonlySet<string> = new Set(['Succeeded', 'Failed', 'Error']);
const TERMINAL_NODE: ReadonlySet<string> = new Set(['Succeeded', 'Failed', 'Error', 'Skipped', 'Omitted']);

export function isFinished(workflow: Workflow | undefined): boolean {
  return TERMINAL_WORKFLOW.has(workflow?.status?.phase ?? '');
}

export async function followWorkflow(options: FollowOptions): Promise<FollowOutcome> {
  const { client, namespace, name, out } = options;
  const progress = new NodeProgress(name, options.label ?? name, out);
  let latest = options.initial;
  if (latest) progress.update(latest);
  if (isFinished(latest)) return { kind: 'finished', workflow: latest! };

  const inner = new AbortController();
  let settled = false;
  let settle!: (outcome: FollowOutcome) => void;
  const outcome = new Promise<FollowOutcome>((resolve) => (settle = resolve));
  const finish = (result: FollowOutcome) => {
    if (settled) return;
    settled = true;
    settle(result);
    inner.abort();
  };
  const seen = (workflow: Workflow) => {
    if (settled) return;
    latest = workflow;
    progress.update(workflow);
    if (isFinished(workflow)) finish({ kind: 'finished', workflow });
  };

  const onAbort = () => finish({ kind: 'interrupted', workflow: latest });
  if (options.signal.aborted) onAbort();
  else options.signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => finish({ kind: 'timeout', workflow: latest }), options.timeoutMs);

  let streaming = true;
  let wake: () => void = () => {};
  const streamTask = (async () => {
    let reason = 'the server closed it';
    try {
      for await (const event of client.watchWorkflow(namespace, name, inner.signal)) {
        if (event.type === 'DELETED') {
          finish({ kind: 'lost', error: new ToolError(`workflow ${name} was deleted before it finished`), workflow: latest });
          return;
        }
        if (event.object.metadata.name === name) seen(event.object);
      }
    } catch (error) {
      if (error instanceof AbortedError || settled) return;
      reason = error instanceof Error ? error.message : String(error);
    }
    if (settled) return;
    streaming = false;
    out(`  (event stream lost: ${reason}; polling every ${formatDuration(options.pollIntervalMs)})`);
    wake();
  })();

  const pollTask = (async () => {
    const checkInterval = options.streamCheckIntervalMs ?? Math.max(30_000, options.pollIntervalMs * 6);
    while (!settled) {
      const waiting = new AbortController();
      wake = () => waiting.abort();
      try {
        await sleep(streaming ? checkInterval : options.pollIntervalMs, AbortSignal.any([inner.signal, waiting.signal]));
      } catch {
        if (inner.signal.aborted) return; // settled
        // woken early: the stream is gone, poll now
      }
      if (settled) return;
      try {
        seen(await client.getWorkflow(namespace, name, inner.signal));
      } catch (error) {
        if (error instanceof AbortedError || settled) return;
        // While the stream is healthy it has the last word; once it is gone a failed poll (after
        // the client's own retries) means we have lost the workflow.
        if (!streaming) {
          const cause = error instanceof GitopsError ? error : new ToolError(String(error));
          finish({ kind: 'lost', error: cause, workflow: latest });
        }
      }
    }
  })();

  const result = await outcome;
  clearTimeout(timer);
  options.signal.removeEventListener('abort', onAbort);
  await Promise.allSettled([streamTask, pollTask]);
  return result;
}

/** Prints each visible node's phase changes once (Pending is not printed; terminal phases are final). */
export class NodeProgress {
  private readonly printed = new Map<string, string>();

  constructor(
    private readonly workflowName: string,
    private readonly label: string,
    private readonly out: (line: string) => void,
  ) {}

  update(workflow: Workflow): void {
    const nodes = Object.values(workflow.status?.nodes ?? {})
      .filter((node) => isVisible(node, workflow))
      .sort(compareNodes);
    for (const node of nodes) {
      const phase = node.phase;
      if (!phase || phase === 'Pending') continue;
      const before = this.printed.get(node.id);
      if (before === phase || (before && TERMINAL_NODE.has(before))) continue;
      this.printed.set(node.id, phase);
      const message = (phase === 'Failed' || phase === 'Error') && node.message ? `: ${oneLine(node.message)}` : '';
      this.out(`  ${SYMBOL[phase] ?? '•'} ${displayName(node, this.workflowName, this.label)} ${phase}${message}`);
    }
  }
}

const SYMBOL: Readonly<Record<string, string>> = {
  Running: '▸',
  Succeeded: '✓',
  Failed: '✗',
  Error: '✗',
  Skipped: '○',
  Omitted: '○',
};

/** Grouping nodes (steps, DAGs, retries) are structure, not work: only their leaves are printed. */
const HIDDEN_TYPES: ReadonlySet<string> = new Set(['StepGroup', 'TaskGroup', 'Steps', 'DAG', 'Retry']);

function isVisible(node: WorkflowNode, workflow: Workflow): boolean {
  return node.id !== workflow.metadata.name && node.name !== workflow.metadata.name && !HIDDEN_TYPES.has(node.type ?? '');
}

function compareNodes(a: WorkflowNode, b: WorkflowNode): number {
  const sa = a.startedAt ?? '';
  const sb = b.startedAt ?? '';
  if (sa !== sb) return sa < sb ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** `integration-tests-x7k2p.run-suite` → `integration-tests.run-suite` (the label replaces the generated name). */
export function displayName(node: WorkflowNode, workflowName: string, label: string): string {
  return node.name.startsWith(workflowName) ? `${label}${node.name.slice(workflowName.length)}` : node.name;
}

/** Leaf nodes that failed (pods first), in start order. */
export function failedNodes(workflow: Workflow): WorkflowNode[] {
  return Object.values(workflow.status?.nodes ?? {})
    .filter((node) => (node.phase === 'Failed' || node.phase === 'Error') && isVisible(node, workflow))
    .sort(compareNodes);
}

/** FNV-1a, 32 bit, as Argo hashes node names into pod names. */
export function fnv32a(input: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(input, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

const MAX_POD_NAME_PREFIX = 253 - 10 - 1;

/**
 * The pod name of a Pod node, as Argo derives it (`workflow/util/pod_name.go`): v2
 * `<workflow>-<template>-<fnv32a(node name)>` unless the workflow says `pod-name-format: v1`
 * (or the node has no template name), in which case it is the node id.
 */
export function podNameOf(workflow: Workflow, node: WorkflowNode): string | undefined {
  if (node.type !== 'Pod') return undefined;
  const version = workflow.metadata.annotations?.['workflows.argoproj.io/pod-name-format'] ?? 'v2';
  const templateName = node.templateName || node.templateRef?.template || '';
  const workflowName = workflow.metadata.name;
  if (version !== 'v2' || templateName === '') return node.id;
  if (workflowName === node.name) return workflowName;
  let prefix = node.name.includes('.inline') ? workflowName : `${workflowName}-${templateName}`;
  if (prefix.length > MAX_POD_NAME_PREFIX) prefix = prefix.slice(0, MAX_POD_NAME_PREFIX);
  return `${prefix}-${fnv32a(node.name)}`;
}

/** `90s`, `15m`, `1h`, `1h30m`, `500ms` → milliseconds; undefined when not a duration. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^(\d+(ms|h|m|s))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const match of trimmed.matchAll(/(\d+)(ms|h|m|s)/g)) {
    const value = Number(match[1]);
    total += value * (match[2] === 'h' ? 3_600_000 : match[2] === 'm' ? 60_000 : match[2] === 's' ? 1_000 : 1);
  }
  return total;
}

export function formatDuration(ms: number): string {
  if (ms > 0 && ms < 1_000) return `${ms}ms`;
  const seconds = Math.round(ms / 1_000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return [h ? `${h}h` : '', m ? `${m}m` : '', s || (!h && !m) ? `${s}s` : ''].join('');
}

function oneLine(text: string): string {
  const line = text.split('\n')[0]!.trim();
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

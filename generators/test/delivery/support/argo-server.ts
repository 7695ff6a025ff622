import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local Argo Server speaking the REST API `gitops verify` uses: submit from a WorkflowTemplate,
 * get, list, the workflow event stream (server-sent events), logs and stop. Workflows move through
 * scripted phases on a timer; failures (401/403, 404, 5xx, a dropped stream) are scripted too.
 */

export type Phase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Error' | 'Skipped' | 'Omitted';

export interface ScriptedNode {
  /** Name relative to the workflow, e.g. `run-suite`; the node's full name is `<workflow>.<name>`. */
  readonly name: string;
  readonly phase: Phase;
  readonly message?: string;
  readonly templateName?: string;
}

export interface ScriptedStep {
  readonly phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Error';
  readonly message?: string;
  readonly nodes?: readonly ScriptedNode[];
}

export interface TemplateScript {
  /** States the workflow goes through, one per tick; it stays in the last one. */
  readonly steps: readonly ScriptedStep[];
  /** Log lines of a node's main container, by relative node name. */
  readonly logs?: Readonly<Record<string, readonly string[]>>;
}

export interface ArgoBehaviour {
  /** The token the server accepts (`Authorization: Bearer <token>`); undefined accepts anything. */
  token?: string;
  /** Answer every API call with 403. */
  forbidden?: boolean;
  /** Answer the first N submits with 503 (and `Retry-After: 0`), creating nothing. */
  submitFailFirst?: number;
  /** Create the workflow on the first N submits but answer 502, as if the answer was lost. */
  submitLoseAnswerFirst?: number;
  /** Create the workflow on submit at once but hold the answer this long (a slow server or proxy); a client that goes away leaves the workflow created. */
  submitAnswerDelayMs?: number;
  /**
   * Hold each submit this long before creating anything; a client that goes away meanwhile creates
   * nothing (the real server's request context is cancelled before its create call).
   */
  submitHoldMs?: number;
  /** Answer every list of workflows with this status. */
  listStatus?: number;
  /** Answer the first N lists of workflows with 503 (and `Retry-After: 0`). */
  listFailFirst?: number;
  /** Answer every call with 500. */
  alwaysFail?: boolean;
  /** Close each event stream after this many events (mid-run), without a proper end. */
  dropStreamAfterEvents?: number;
  /** Answer event-stream requests with this status. */
  streamStatus?: number;
  /** Send no `Retry-After` with 5xx answers (the client's own backoff applies). */
  noRetryAfter?: boolean;
  /** Milliseconds between scripted steps. */
  tickMs?: number;
}

export interface ArgoRequestRecord {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly authorization: string | undefined;
  readonly accept: string | undefined;
  readonly body: unknown;
}

interface NodeState {
  id: string;
  name: string;
  displayName: string;
  type: string;
  phase: Phase;
  message?: string;
  templateName?: string;
  boundaryID?: string;
  startedAt?: string;
  finishedAt?: string;
  children?: string[];
}

interface WorkflowState {
  metadata: { name: string; namespace: string; labels: Record<string, string>; resourceVersion: string; creationTimestamp: string };
  spec: { workflowTemplateRef: { name: string }; arguments: { parameters: { name: string; value: string }[] } };
  status: { phase: string; message?: string; startedAt?: string; finishedAt?: string; nodes: Record<string, NodeState> };
}

interface Tracked {
  workflow: WorkflowState;
  script: TemplateScript;
  step: number;
  timer?: NodeJS.Timeout;
  stoppedWith?: string;
}

export interface ArgoServer {
  readonly url: string;
  readonly requests: ArgoRequestRecord[];
  /** Every workflow created, by name. */
  readonly workflows: Map<string, WorkflowState>;
  /** Names of workflows stopped through the API. */
  readonly stopped: string[];
  behave(next: ArgoBehaviour): void;
  template(name: string, script: TemplateScript, namespace?: string): void;
  close(): Promise<void>;
}

export async function startArgoServer(initial: ArgoBehaviour = {}): Promise<ArgoServer> {
  let behaviour: ArgoBehaviour = initial;
  let submits = 0;
  let lists = 0;
  let counter = 0;
  let resourceVersion = 1000;
  const templates = new Map<string, TemplateScript>();
  const tracked = new Map<string, Tracked>();
  const workflows = new Map<string, WorkflowState>();
  const stopped: string[] = [];
  const requests: ArgoRequestRecord[] = [];
  const watchers = new Set<{ name: string; namespace: string; res: ServerResponse; sent: number }>();

  const now = () => new Date(Date.UTC(2026, 0, 1, 12, 0, 0) + (Date.now() % 86_400_000)).toISOString().replace(/\.\d+Z$/, 'Z');

  function apply(t: Tracked, step: ScriptedStep): void {
    const wf = t.workflow;
    const name = wf.metadata.name;
    const root: NodeState = (wf.status.nodes[name] ??= { id: name, name, displayName: name, type: 'Steps', phase: 'Pending', templateName: 'main', children: [] });
    root.phase = step.phase;
    for (const scripted of step.nodes ?? []) {
      const fullName = `${name}.${scripted.name}`;
      const id = `${name}-${fnv32a(fullName)}`;
      const node: NodeState = (wf.status.nodes[id] ??= {
        id,
        name: fullName,
        displayName: scripted.name,
        type: 'Pod',
        phase: 'Pending',
        templateName: scripted.templateName ?? scripted.name,
        boundaryID: name,
      });
      if (!root.children!.includes(id)) root.children!.push(id);
      if (node.phase !== scripted.phase) {
        node.phase = scripted.phase;
        if (scripted.phase === 'Running' && !node.startedAt) node.startedAt = now();
        if (['Succeeded', 'Failed', 'Error', 'Skipped', 'Omitted'].includes(scripted.phase)) {
          node.startedAt ??= now();
          node.finishedAt = now();
        }
      }
      if (scripted.message !== undefined) node.message = scripted.message;
    }
    wf.status.phase = step.phase;
    if (step.message !== undefined) wf.status.message = step.message;
    if (step.phase !== 'Pending') wf.status.startedAt ??= now();
    if (['Succeeded', 'Failed', 'Error'].includes(step.phase)) wf.status.finishedAt = now();
    wf.metadata.resourceVersion = String(++resourceVersion);
    broadcast(wf);
  }

  function advance(t: Tracked): void {
    if (t.stoppedWith !== undefined) return;
    if (t.step + 1 >= t.script.steps.length) return;
    t.step++;
    apply(t, t.script.steps[t.step]!);
    schedule(t);
  }

  function schedule(t: Tracked): void {
    if (t.step + 1 < t.script.steps.length) t.timer = setTimeout(() => advance(t), behaviour.tickMs ?? 25);
  }

  function broadcast(wf: WorkflowState): void {
    for (const watcher of watchers) {
      if (watcher.name === wf.metadata.name && watcher.namespace === wf.metadata.namespace) sendEvent(watcher, 'MODIFIED', wf);
    }
  }

  function sendEvent(watcher: { res: ServerResponse; sent: number }, type: string, wf: WorkflowState): void {
    if (watcher.res.destroyed) return;
    watcher.res.write(`data: ${JSON.stringify({ result: { type, object: wf } })}\n\n`);
    watcher.sent++;
    const limit = behaviour.dropStreamAfterEvents;
    if (limit !== undefined && watcher.sent >= limit) {
      // A proxy cutting the connection mid-stream: no terminating chunk.
      watcher.res.socket?.destroy();
    }
  }

  function create(namespace: string, templateName: string, body: SubmitBody): Tracked {
    const script = templates.get(`${namespace}/${templateName}`)!;
    const generateName = body.submitOptions?.generateName ?? `${templateName}-`;
    const name = `${generateName}${(++counter).toString(36).padStart(5, 'x')}`;
    const labels: Record<string, string> = { 'workflows.argoproj.io/workflow-template': templateName };
    for (const pair of (body.submitOptions?.labels ?? '').split(',').filter(Boolean)) {
      const [k, v] = pair.split('=');
      labels[k!] = v ?? '';
    }
    const workflow: WorkflowState = {
      metadata: { name, namespace, labels, resourceVersion: String(++resourceVersion), creationTimestamp: now() },
      spec: {
        workflowTemplateRef: { name: templateName },
        arguments: {
          parameters: (body.submitOptions?.parameters ?? []).map((p) => {
            const i = p.indexOf('=');
            return { name: p.slice(0, i), value: p.slice(i + 1) };
          }),
        },
      },
      status: { phase: '', nodes: {} },
    };
    const t: Tracked = { workflow, script, step: 0 };
    workflows.set(name, workflow);
    tracked.set(name, t);
    apply(t, script.steps[0]!);
    schedule(t);
    return t;
  }

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) json(res, 500, { code: 13, message: String(error) });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Set when the client goes away before the answer (its socket closed).
    let gone = false;
    res.on('close', () => (gone = !res.writableFinished));
    const url = new URL(req.url ?? '/', 'http://localhost');
    const raw = await readBody(req);
    let body: unknown = undefined;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        return json(res, 400, { code: 3, message: 'body is not JSON' });
      }
    }
    const record: ArgoRequestRecord = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      authorization: req.headers.authorization,
      accept: req.headers.accept,
      body,
    };
    requests.push(record);

    if (behaviour.token !== undefined && req.headers.authorization !== `Bearer ${behaviour.token}`) {
      return json(res, 401, { code: 16, message: 'token not valid. see https://argo-workflows.readthedocs.io/en/latest/faq/' });
    }
    if (behaviour.forbidden) {
      return json(res, 403, { code: 7, message: 'workflows.argoproj.io is forbidden: User "system:serviceaccount:argo:ci" cannot create resource "workflows"' });
    }
    const retryAfter: Record<string, string> = behaviour.noRetryAfter ? {} : { 'retry-after': '0' };
    if (behaviour.alwaysFail) return json(res, 500, { code: 13, message: 'etcdserver: request timed out' }, retryAfter);

    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    // /api/v1/workflows/{ns}/submit
    if (req.method === 'POST' && parts.length === 5 && parts[2] === 'workflows' && parts[4] === 'submit') {
      const namespace = parts[3]!;
      const submit = body as SubmitBody;
      const index = submits++;
      if (submit?.resourceKind !== 'WorkflowTemplate' || typeof submit.resourceName !== 'string') {
        return json(res, 400, { code: 3, message: 'resourceKind and resourceName are required' });
      }
      if (index < (behaviour.submitFailFirst ?? 0)) return json(res, 503, { code: 14, message: 'upstream connect error' }, retryAfter);
      if (!templates.has(`${namespace}/${submit.resourceName}`)) {
        return json(res, 404, { code: 5, message: `workflowtemplates.argoproj.io "${submit.resourceName}" not found` });
      }
      if (behaviour.submitHoldMs) {
        await delay(behaviour.submitHoldMs);
        if (gone) return;
      }
      const t = create(namespace, submit.resourceName, submit);
      if (index < (behaviour.submitFailFirst ?? 0) + (behaviour.submitLoseAnswerFirst ?? 0)) {
        return json(res, 502, { message: 'bad gateway' }, retryAfter);
      }
      if (behaviour.submitAnswerDelayMs) {
        await delay(behaviour.submitAnswerDelayMs);
        if (gone) return;
      }
      return json(res, 200, t.workflow);
    }
    // /api/v1/workflows/{ns}
    if (req.method === 'GET' && parts.length === 4 && parts[2] === 'workflows') {
      if (behaviour.listStatus) return json(res, behaviour.listStatus, { code: 13, message: 'etcdserver: leader changed' }, retryAfter);
      if (lists++ < (behaviour.listFailFirst ?? 0)) return json(res, 503, { code: 14, message: 'upstream connect error' }, retryAfter);
      const selector = url.searchParams.get('listOptions.labelSelector') ?? '';
      const wanted = selector
        .split(',')
        .filter(Boolean)
        .map((pair) => pair.split('=') as [string, string]);
      const items = [...workflows.values()].filter((wf) => wf.metadata.namespace === parts[3] && wanted.every(([k, v]) => wf.metadata.labels[k] === v));
      return json(res, 200, { metadata: { resourceVersion: String(resourceVersion) }, items: items.length ? items : null });
    }
    // /api/v1/workflows/{ns}/{name}
    if (req.method === 'GET' && parts.length === 5 && parts[2] === 'workflows') {
      const wf = workflows.get(parts[4]!);
      if (!wf || wf.metadata.namespace !== parts[3]) return json(res, 404, { code: 5, message: `workflows.argoproj.io "${parts[4]}" not found` });
      return json(res, 200, wf);
    }
    // /api/v1/workflows/{ns}/{name}/stop
    if (req.method === 'PUT' && parts.length === 6 && parts[2] === 'workflows' && parts[5] === 'stop') {
      const t = tracked.get(parts[4]!);
      if (!t) return json(res, 404, { code: 5, message: 'not found' });
      if (t.timer) clearTimeout(t.timer);
      stopped.push(parts[4]!);
      t.stoppedWith = String((body as { message?: string } | undefined)?.message ?? '');
      const nodes = Object.values(t.workflow.status.nodes)
        .filter((n) => n.type === 'Pod' && (n.phase === 'Running' || n.phase === 'Pending'))
        .map((n) => ({ name: n.displayName, phase: 'Failed' as const, message: 'Stopped with strategy \'Stop\'' }));
      apply(t, { phase: 'Failed', message: `Stopped with strategy 'Stop': ${t.stoppedWith}`, nodes });
      return json(res, 200, t.workflow);
    }
    // /api/v1/workflows/{ns}/{name}/log
    if (req.method === 'GET' && parts.length === 6 && parts[2] === 'workflows' && parts[5] === 'log') {
      const t = tracked.get(parts[4]!);
      if (!t) return json(res, 404, { code: 5, message: 'not found' });
      const podName = url.searchParams.get('podName');
      const container = url.searchParams.get('logOptions.container') ?? 'main';
      const tail = Number(url.searchParams.get('logOptions.tailLines') ?? '0');
      res.writeHead(200, { 'content-type': 'application/json' });
      for (const node of Object.values(t.workflow.status.nodes)) {
        if (node.type !== 'Pod') continue;
        const pod = podNameV2(t.workflow.metadata.name, node.name, node.templateName ?? '');
        if (podName && pod !== podName) continue;
        if (container !== 'main') continue;
        const lines = t.script.logs?.[node.displayName] ?? [];
        for (const line of tail > 0 ? lines.slice(-tail) : lines) {
          res.write(`${JSON.stringify({ result: { content: line, podName: pod } })}\n`);
        }
      }
      res.end();
      return;
    }
    // /api/v1/workflow-events/{ns}
    if (req.method === 'GET' && parts.length === 4 && parts[2] === 'workflow-events') {
      if (!(req.headers.accept ?? '').includes('text/event-stream')) return json(res, 400, { code: 3, message: 'Accept: text/event-stream expected' });
      if (behaviour.streamStatus) return json(res, behaviour.streamStatus, { code: 14, message: 'stream unavailable' });
      const selector = url.searchParams.get('listOptions.fieldSelector') ?? '';
      const match = /^metadata\.name=(.+)$/.exec(selector);
      if (!match) return json(res, 400, { code: 3, message: 'fieldSelector metadata.name=<name> expected' });
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      res.flushHeaders();
      const watcher = { name: match[1]!, namespace: parts[3]!, res, sent: 0 };
      watchers.add(watcher);
      res.on('close', () => watchers.delete(watcher));
      const wf = workflows.get(watcher.name);
      if (wf) sendEvent(watcher, 'ADDED', wf);
      return;
    }
    return json(res, 404, { code: 5, message: `no route for ${req.method} ${url.pathname}` });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    workflows,
    stopped,
    behave(next) {
      behaviour = next;
      submits = 0;
      lists = 0;
    },
    template(name, script, namespace = 'argo') {
      templates.set(`${namespace}/${name}`, script);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of tracked.values()) if (t.timer) clearTimeout(t.timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface SubmitBody {
  resourceKind?: string;
  resourceName?: string;
  submitOptions?: { generateName?: string; parameters?: string[]; labels?: string };
}

/** Argo's pod name (format v2): `<workflow>-<template>-<fnv32a(node name)>`. Written from the Go source, independently of the client. */
export function podNameV2(workflowName: string, nodeName: string, templateName: string): string {
  return `${workflowName}-${templateName}-${fnv32a(nodeName)}`;
}

function fnv32a(text: string): number {
  let hash = 2166136261;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash += (hash << 1) + (hash << 4) + (hash << 7) + (hash << 8) + (hash << 24);
  }
  return hash >>> 0;
}

/** Waits without keeping the process alive (a held answer outlives a test that ends first). */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

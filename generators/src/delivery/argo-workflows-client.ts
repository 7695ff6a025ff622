import axios, { type AxiosInstance, type AxiosRequestConfig, type AxiosResponse } from 'axios';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { ToolError, UsageError } from '../errors.js';

/**
 * A small client of the Argo Workflows Server REST API (axios over HTTP/1.1): submit from a
 * WorkflowTemplate, get, list, watch (server-sent events), logs and stop. Failures become
 * `ToolError`s with one-line causes; the token never appears in any message.
 */

/** The parts of an Argo `Workflow` this client reads. */
export interface Workflow {
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; resourceVersion?: string };
  status?: WorkflowStatus;
}

export interface WorkflowStatus {
  phase?: WorkflowPhase | '';
  message?: string;
  startedAt?: string | null;
  finishedAt?: string | null;
  nodes?: Record<string, WorkflowNode>;
}

export type WorkflowPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Error';
export type NodePhase = WorkflowPhase | 'Skipped' | 'Omitted';

export interface WorkflowNode {
  id: string;
  name: string;
  displayName?: string;
  type?: string;
  phase?: NodePhase;
  message?: string;
  templateName?: string;
  templateRef?: { name?: string; template?: string };
  boundaryID?: string;
  startedAt?: string | null;
  finishedAt?: string | null;
  children?: string[];
}

export interface WorkflowEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | string;
  readonly object: Workflow;
}

export interface RetryPolicy {
  /** Attempts per request including the first. */
  readonly attempts: number;
  /** First backoff; doubled per attempt up to `maxDelayMs`. A `Retry-After` header wins (capped). */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 500, maxDelayMs: 8_000 };

export interface ArgoClientOptions {
  /** Base URL of the Argo Server, e.g. `https://argo.example.com:2746`. */
  readonly server: string;
  /** Bearer token (with or without the `Bearer ` prefix). */
  readonly token?: string;
  readonly insecureSkipVerify?: boolean;
  /** PEM text of the CA that signed the server's certificate. */
  readonly ca?: string;
  readonly retry?: RetryPolicy;
  /** Per-request timeout of non-streaming calls. */
  readonly requestTimeoutMs?: number;
}

/**
 * Client options from the environment, as the `argo` CLI reads them:
 * `ARGO_SERVER` (a URL, or `host:port` made https unless `ARGO_SECURE=false`), `ARGO_BASE_HREF`,
 * `ARGO_TOKEN`, `ARGO_INSECURE_SKIP_VERIFY=true`, `ARGO_CA_FILE`.
 */
export function argoOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ArgoClientOptions {
  const raw = env['ARGO_SERVER']?.trim();
  if (!raw) {
    throw new UsageError('ARGO_SERVER is not set: set it to the Argo Server URL, e.g. https://argo.example.com:2746 (and ARGO_TOKEN to a token).');
  }
  const secure = (env['ARGO_SECURE'] ?? 'true').toLowerCase() !== 'false';
  let url: URL;
  try {
    url = new URL(/^https?:\/\//i.test(raw) ? raw : `${secure ? 'https' : 'http'}://${raw}`);
  } catch {
    throw new UsageError(`ARGO_SERVER is not a URL or host:port: ${JSON.stringify(raw)}`);
  }
  const baseHref = env['ARGO_BASE_HREF']?.trim();
  if (baseHref && baseHref !== '/') url.pathname = `${url.pathname.replace(/\/$/, '')}/${baseHref.replace(/^\/|\/$/g, '')}`;
  const caFile = env['ARGO_CA_FILE']?.trim();
  let ca: string | undefined;
  if (caFile) {
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch (error) {
      throw new UsageError(`ARGO_CA_FILE ${caFile} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  const token = env['ARGO_TOKEN']?.trim();
  return {
    server: url.toString().replace(/\/$/, ''),
    ...(token ? { token } : {}),
    insecureSkipVerify: (env['ARGO_INSECURE_SKIP_VERIFY'] ?? '').toLowerCase() === 'true',
    ...(ca ? { ca } : {}),
  };
}

/** Thrown (never wrapped) when the caller's signal aborts a request. */
export class AbortedError extends Error {
  constructor() {
    super('aborted');
    this.name = 'AbortedError';
  }
}

/** A non-2xx answer from the server, after retries. */
export class ArgoHttpError extends ToolError {
  constructor(
    message: string,
    readonly status: number,
    hint?: string,
  ) {
    super(message, hint);
    this.name = 'ArgoHttpError';
  }
}

export interface SubmitOptions {
  readonly generateName?: string;
  /** `name=value` pairs. */
  readonly parameters?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
}

export class ArgoWorkflowsClient {
  private readonly http: AxiosInstance;
  private readonly retry: RetryPolicy;
  private readonly secret: string | undefined;
  /** Where the server is, for messages: origin and path, never credentials. */
  readonly serverLabel: string;

  constructor(options: ArgoClientOptions) {
    const url = new URL(options.server);
    url.username = '';
    url.password = '';
    this.serverLabel = url.toString().replace(/\/$/, '');
    this.retry = options.retry ?? DEFAULT_RETRY;
    const token = options.token?.trim();
    this.secret = token ? token.replace(/^Bearer\s+/i, '') : undefined;
    this.http = axios.create({
      baseURL: options.server.replace(/\/$/, ''),
      timeout: options.requestTimeoutMs ?? 30_000,
      headers: {
        Accept: 'application/json',
        ...(this.secret ? { Authorization: `Bearer ${this.secret}` } : {}),
      },
      httpAgent: new http.Agent({ keepAlive: true }),
      httpsAgent: new https.Agent({ keepAlive: true, rejectUnauthorized: !options.insecureSkipVerify, ...(options.ca ? { ca: options.ca } : {}) }),
      validateStatus: () => true,
      maxRedirects: 0,
      proxy: false,
    });
  }

  /** `POST /api/v1/workflows/{ns}/submit` from a WorkflowTemplate. 404 means the template does not exist. */
  async submitFromTemplate(namespace: string, template: string, options: SubmitOptions, signal?: AbortSignal): Promise<Workflow> {
    const labels = Object.entries(options.labels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const body = {
      namespace,
      resourceKind: 'WorkflowTemplate',
      resourceName: template,
      submitOptions: {
        ...(options.generateName ? { generateName: options.generateName } : {}),
        ...(options.parameters?.length ? { parameters: [...options.parameters] } : {}),
        ...(labels ? { labels } : {}),
      },
    };
    const url = `/api/v1/workflows/${enc(namespace)}/submit`;
    const action = `submitting WorkflowTemplate ${template}`;
    // Submitting is not idempotent: a failed attempt may still have created the workflow (the
    // server creates it, then the answer is lost). Before a retry, look for what this submission
    // created by its labels; when that cannot be known, stop rather than risk a second run.
    const res = await this.send({ method: 'POST', url, data: body }, signal, action, async (failure) => {
      // A refused connection reached no server: nothing was created.
      if (isConnectionRefused(failure.error)) return undefined;
      const said = failure.res ? parseMessage(failure.res.data) : '';
      const failed = failure.res ? `HTTP ${failure.res.status}${said ? `: ${this.redact(said)}` : ''}` : describeNetworkError(failure.error);
      const named = options.generateName ?? `${template}-`;
      if (!labels) {
        throw new ToolError(
          `Argo Server at ${this.serverLabel} failed ${action} (${failed}); not retried: without labels there is no way to tell whether the workflow was created.`,
          `check for a new workflow named ${named}… with: argo list -n ${namespace}`,
        );
      }
      try {
        // listWorkflows retries 5xx and network errors itself, with the same bounded backoff.
        return (await this.listWorkflows(namespace, labels, signal))[0];
      } catch (error) {
        if (error instanceof AbortedError) throw error;
        throw new ToolError(
          `Argo Server at ${this.serverLabel} failed ${action} (${failed}) and could not be asked whether the workflow was created (${(error as Error).message}); not submitting again, so that no second run starts.`,
          `a workflow named ${named}… labelled ${labels} may be running: check with \`argo list -n ${namespace} -l ${labels}\`, stop it with \`argo stop -n ${namespace} -l ${labels}\`.`,
        );
      }
    });
    if ('metadata' in res) return res;
    if (res.status === 404) {
      throw new ArgoHttpError(`WorkflowTemplate ${template} not found in namespace ${namespace}`, 404, `list them with: argo template list -n ${namespace}`);
    }
    this.check(res, action);
    return asWorkflow(res.data, 'submit');
  }

  /** `GET /api/v1/workflows/{ns}/{name}`. */
  async getWorkflow(namespace: string, name: string, signal?: AbortSignal): Promise<Workflow> {
    const res = await this.send({ method: 'GET', url: `/api/v1/workflows/${enc(namespace)}/${enc(name)}` }, signal, `getting workflow ${name}`);
    if (res.status === 404) throw new ArgoHttpError(`workflow ${name} not found in namespace ${namespace} (deleted?)`, 404);
    this.check(res, `getting workflow ${name}`);
    return asWorkflow(res.data, 'get');
  }

  /** `GET /api/v1/workflows/{ns}?listOptions.labelSelector=...`. */
  async listWorkflows(namespace: string, labelSelector: string, signal?: AbortSignal): Promise<Workflow[]> {
    const res = await this.send(
      { method: 'GET', url: `/api/v1/workflows/${enc(namespace)}`, params: { 'listOptions.labelSelector': labelSelector } },
      signal,
      'listing workflows',
    );
    this.check(res, 'listing workflows');
    const items = (res.data as { items?: unknown[] | null } | undefined)?.items ?? [];
    return items.map((item) => asWorkflow(item, 'list'));
  }

  /** `PUT /api/v1/workflows/{ns}/{name}/stop`: runs exit handlers, then fails the workflow. */
  async stopWorkflow(namespace: string, name: string, message: string, signal?: AbortSignal): Promise<void> {
    const url = `/api/v1/workflows/${enc(namespace)}/${enc(name)}/stop`;
    const res = await this.send({ method: 'PUT', url, data: { name, namespace, message } }, signal, `stopping workflow ${name}`);
    this.check(res, `stopping workflow ${name}`);
  }

  /**
   * The last `tailLines` log lines of one pod's container, through the workflow log endpoint
   * (`/log?podName=...&logOptions.container=...`). Lines are returned without trailing newlines.
   */
  async podLogTail(namespace: string, name: string, podName: string, options: { container?: string; tailLines: number }, signal?: AbortSignal): Promise<string[]> {
    const res = await this.send(
      {
        method: 'GET',
        url: `/api/v1/workflows/${enc(namespace)}/${enc(name)}/log`,
        params: { podName, 'logOptions.container': options.container ?? 'main', 'logOptions.tailLines': String(options.tailLines) },
        responseType: 'text',
        transformResponse: (data: unknown) => data,
      },
      signal,
      `reading logs of pod ${podName}`,
    );
    this.check(res, `reading logs of pod ${podName}`);
    const lines: string[] = [];
    for (const raw of String(res.data ?? '').split('\n')) {
      const line = raw.replace(/^data:\s?/, '').trim();
      if (!line) continue;
      let item: { result?: { content?: string; podName?: string }; error?: { message?: string } };
      try {
        item = JSON.parse(line) as typeof item;
      } catch {
        continue;
      }
      if (item.error) throw new ToolError(`reading logs of pod ${podName} failed: ${this.redact(oneLine(item.error.message ?? 'stream error'))}`);
      if (item.result?.podName && item.result.podName !== podName) continue;
      const content = item.result?.content;
      if (content !== undefined) lines.push(...content.replace(/\n$/, '').split('\n'));
    }
    return lines.slice(-options.tailLines);
  }

  /**
   * Watches one workflow through `GET /api/v1/workflow-events/{ns}` (server-sent events). Ends
   * when the server closes the stream; throws when it breaks. Not retried: the caller polls instead.
   */
  async *watchWorkflow(namespace: string, name: string, signal?: AbortSignal): AsyncGenerator<WorkflowEvent> {
    let res: AxiosResponse;
    try {
      res = await this.http.request({
        method: 'GET',
        url: `/api/v1/workflow-events/${enc(namespace)}`,
        params: { 'listOptions.fieldSelector': `metadata.name=${name}` },
        headers: { Accept: 'text/event-stream' },
        responseType: 'stream',
        timeout: 0,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (signal?.aborted) throw new AbortedError();
      throw this.networkError(error, `watching workflow ${name}`, 1);
    }
    const stream = res.data as Readable;
    if (res.status < 200 || res.status >= 300) {
      const text = await readSome(stream);
      throw this.httpError(res.status, parseMessage(text), `watching workflow ${name}`, 1);
    }
    const decoder = new StringDecoder('utf8');
    let buffer = '';
    let data: string[] = [];
    try {
      for await (const chunk of stream) {
        buffer += decoder.write(chunk as Buffer);
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline).replace(/\r$/, '');
          buffer = buffer.slice(newline + 1);
          if (line === '') {
            if (data.length) {
              const event = this.parseEvent(data.join('\n'), name);
              data = [];
              if (event) yield event;
            }
          } else if (line.startsWith('data:')) {
            data.push(line.slice(5).replace(/^ /, ''));
          }
          // Comments (`:`), `event:`, `id:` and `retry:` fields carry nothing this client needs.
        }
      }
    } catch (error) {
      if (signal?.aborted) throw new AbortedError();
      throw new ToolError(`the event stream of workflow ${name} broke: ${describeNetworkError(error)}`);
    } finally {
      stream.destroy();
    }
    if (signal?.aborted) throw new AbortedError();
    if (data.length) {
      const event = this.parseEvent(data.join('\n'), name);
      if (event) yield event;
    }
  }

  private parseEvent(text: string, name: string): WorkflowEvent | undefined {
    let parsed: { result?: { type?: string; object?: unknown }; error?: { message?: string } };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      throw new ToolError(`the event stream of workflow ${name} sent something that is not JSON`);
    }
    if (parsed.error) throw new ToolError(`the event stream of workflow ${name} failed: ${this.redact(oneLine(parsed.error.message ?? 'stream error'))}`);
    const result = parsed.result;
    if (!result?.object) return undefined;
    return { type: result.type ?? 'MODIFIED', object: asWorkflow(result.object, 'watch') };
  }

  /**
   * Sends with bounded exponential backoff on 5xx and network errors. Returns the response of the
   * last attempt (any status), or what `recover` finds before a retry.
   */
  private async send<R = never>(
    config: AxiosRequestConfig,
    signal: AbortSignal | undefined,
    action: string,
    recover?: (failure: { readonly res?: AxiosResponse; readonly error?: unknown }) => Promise<R | undefined>,
  ): Promise<AxiosResponse | R> {
    const attempts = Math.max(1, this.retry.attempts);
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw new AbortedError();
      let res: AxiosResponse | undefined;
      let failure: unknown;
      try {
        res = await this.http.request({ ...config, ...(signal ? { signal } : {}) });
      } catch (error) {
        if (signal?.aborted) throw new AbortedError();
        failure = error;
      }
      const retryable = res ? res.status >= 500 : isRetryableNetworkError(failure);
      if (res && !retryable) return res;
      if (!retryable || attempt >= attempts) {
        if (res) throw this.httpError(res.status, parseMessage(res.data), action, attempt);
        throw this.networkError(failure, action, attempt);
      }
      await sleep(this.backoff(attempt, res), signal);
      if (recover) {
        const found = await recover(res ? { res } : { error: failure });
        if (found !== undefined) return found;
      }
    }
  }

  private backoff(attempt: number, res: AxiosResponse | undefined): number {
    const exponential = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    const retryAfter = res?.headers['retry-after'];
    if (retryAfter !== undefined && /^\d+$/.test(String(retryAfter))) {
      return Math.min(this.retry.maxDelayMs, Number(retryAfter) * 1000);
    }
    return exponential;
  }

  private check(res: AxiosResponse, action: string): void {
    if (res.status >= 200 && res.status < 300) return;
    throw this.httpError(res.status, parseMessage(res.data), action, 1);
  }

  private httpError(status: number, serverMessage: string, action: string, attempts: number): ArgoHttpError {
    const said = serverMessage ? `: ${this.redact(serverMessage)}` : '';
    if (status === 401 || status === 403) {
      const what = status === 401 ? '401 Unauthorized' : '403 Forbidden';
      const hint = this.secret
        ? status === 401
          ? 'ARGO_TOKEN is not accepted by the server (expired or for another cluster); get a fresh token.'
          : "ARGO_TOKEN's service account lacks the RBAC this needs (workflows and workflowtemplates in the namespace)."
        : 'ARGO_TOKEN is not set; set it to a token of a service account the Argo Server accepts.';
      return new ArgoHttpError(`Argo Server at ${this.serverLabel} refused ${action} (HTTP ${what})${said}`, status, hint);
    }
    const after = attempts > 1 ? ` after ${attempts} attempts` : '';
    if (status >= 500) {
      return new ArgoHttpError(`Argo Server at ${this.serverLabel} failed ${action} with HTTP ${status}${after}${said}`, status, 'check the argo-server pods and their logs; try again later.');
    }
    return new ArgoHttpError(`Argo Server at ${this.serverLabel} answered HTTP ${status} ${action}${said}`, status);
  }

  private networkError(error: unknown, action: string, attempts: number): ToolError {
    const after = attempts > 1 ? ` after ${attempts} attempts` : '';
    return new ToolError(
      `cannot reach Argo Server at ${this.serverLabel} while ${action}${after}: ${describeNetworkError(error)}`,
      'check ARGO_SERVER, the network path, and ARGO_INSECURE_SKIP_VERIFY / ARGO_CA_FILE for TLS.',
    );
  }

  /** Removes the token from any text the server sent back. */
  private redact(text: string): string {
    return this.secret ? text.split(this.secret).join('***') : text;
  }
}

const RETRYABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_SOCKET_CONNECTION_TIMEOUT']);

function isRetryableNetworkError(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  return code !== undefined && RETRYABLE_CODES.has(code);
}

/** True when the connection was refused: the request never reached a server. */
function isConnectionRefused(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string } } | undefined;
  return (e?.code ?? e?.cause?.code) === 'ECONNREFUSED';
}

/** The code or a short reason of a transport error; never the request config (it holds the token). */
function describeNetworkError(error: unknown): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string } } | undefined;
  const code = e?.code ?? e?.cause?.code;
  if (code && code !== 'ERR_BAD_RESPONSE' && code !== 'ERR_BAD_REQUEST') {
    if (code.startsWith('ERR_TLS') || code.includes('CERT') || code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'SELF_SIGNED_CERT_IN_CHAIN') {
      return `TLS: ${code} (set ARGO_CA_FILE, or ARGO_INSECURE_SKIP_VERIFY=true for a test server)`;
    }
    return code;
  }
  return oneLine(e?.message ?? String(error));
}

function parseMessage(data: unknown): string {
  if (data === undefined || data === null || data === '') return '';
  let value: unknown = data;
  if (typeof data === 'string') {
    try {
      value = JSON.parse(data);
    } catch {
      return oneLine(data);
    }
  }
  const message = (value as { message?: unknown; error?: { message?: unknown } })?.message ?? (value as { error?: { message?: unknown } })?.error?.message;
  return typeof message === 'string' ? oneLine(message) : '';
}

function oneLine(text: string): string {
  const line = text.split('\n')[0]!.trim();
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

function asWorkflow(value: unknown, what: string): Workflow {
  const name = (value as Workflow | undefined)?.metadata?.name;
  if (typeof name !== 'string' || !name) throw new ToolError(`Argo Server answered ${what} without a workflow (no metadata.name)`);
  return value as Workflow;
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

async function readSome(stream: Readable, limit = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= limit) break;
    }
  } catch {
    // A broken error body still leaves the status to report.
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Waits `ms`, or throws `AbortedError` as soon as the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

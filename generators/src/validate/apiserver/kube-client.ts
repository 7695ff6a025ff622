/**
 * The few Kubernetes API calls the apiserver engine makes, over HTTPS with axios (keep-alive, a
 * bounded number of sockets): aggregated discovery, server-side apply, get, create.
 *
 * Apply is server-side apply with one field manager (`gitops`), `force=true` and
 * `fieldValidation=Strict`, so an unknown or duplicate field is a rejection, not a silent drop.
 */
import { setMaxListeners } from 'node:events';
import { Agent } from 'node:https';
import axios, { type AxiosInstance } from 'axios';

/** Where a kind is served. */
export interface ServedResource {
  /** URL segment, `deployments`. */
  readonly plural: string;
  readonly namespaced: boolean;
}

/** One answer of the API server. */
export interface ApiAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  /** Admission and deprecation warnings (`Warning: 299 - "..."` headers), texts only. */
  readonly warnings: readonly string[];
}

export interface KubeClientOptions {
  readonly url: string;
  readonly token: string;
  readonly ca: string;
  /** Parallel requests at most (default 8). */
  readonly maxSockets?: number;
  /** Aborts every request in flight (Ctrl-C). */
  readonly signal?: AbortSignal;
}

export const FIELD_MANAGER = 'gitops';

/** The text of each RFC 7234 warning in a `Warning` header value (several may be joined by ", "). */
export function parseWarnings(header: string | string[] | undefined): string[] {
  const values = Array.isArray(header) ? header : header ? [header] : [];
  const texts: string[] = [];
  for (const value of values) {
    for (const match of value.matchAll(/\d{3} \S+ "((?:[^"\\]|\\.)*)"/g)) texts.push(match[1]!.replace(/\\(.)/g, '$1'));
  }
  return texts;
}

export class KubeClient {
  private readonly http: AxiosInstance;
  private readonly agent: Agent;

  constructor(options: KubeClientOptions) {
    this.agent = new Agent({ ca: options.ca, keepAlive: true, maxSockets: options.maxSockets ?? 8 });
    // One listener on the caller's signal; the requests in flight listen to this client's own.
    let signal: AbortSignal | undefined;
    if (options.signal) {
      const own = new AbortController();
      setMaxListeners(256, own.signal);
      if (options.signal.aborted) own.abort(options.signal.reason);
      else options.signal.addEventListener('abort', () => own.abort(options.signal!.reason), { once: true });
      signal = own.signal;
    }
    this.http = axios.create({
      baseURL: options.url,
      httpsAgent: this.agent,
      headers: { authorization: `Bearer ${options.token}` },
      validateStatus: () => true,
      timeout: 60_000,
      ...(signal ? { signal } : {}),
    });
  }

  /** Closes the kept-alive sockets. */
  close(): void {
    this.agent.destroy();
  }

  /** Every served kind, keyed `group/version/Kind` (`/v1/Namespace` for the core group). */
  async discover(): Promise<Map<string, ServedResource>> {
    const served = new Map<string, ServedResource>();
    const accept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
    for (const root of ['/api', '/apis']) {
      const answer = await this.request('GET', root, undefined, { accept });
      if (answer.status !== 200) throw new Error(`GET ${root}: HTTP ${answer.status}`);
      for (const group of (answer.body['items'] as DiscoveryGroup[] | undefined) ?? []) {
        for (const version of group.versions ?? []) {
          for (const resource of version.resources ?? []) {
            const kind = resource.responseKind?.kind;
            if (!kind) continue;
            served.set(`${group.metadata?.name ?? ''}/${version.version}/${kind}`, { plural: resource.resource, namespaced: resource.scope === 'Namespaced' });
          }
        }
      }
    }
    return served;
  }

  /** Server-side apply of one object at its path. */
  apply(objectPath: string, object: unknown, options: { dryRun?: boolean } = {}): Promise<ApiAnswer> {
    const query = `fieldManager=${FIELD_MANAGER}&force=true&fieldValidation=Strict${options.dryRun ? '&dryRun=All' : ''}`;
    return this.request('PATCH', `${objectPath}?${query}`, JSON.stringify(object), { 'content-type': 'application/apply-patch+yaml' });
  }

  get(objectPath: string): Promise<ApiAnswer> {
    return this.request('GET', objectPath);
  }

  async request(method: 'GET' | 'PATCH' | 'POST' | 'DELETE', url: string, data?: string, headers: Record<string, string> = {}): Promise<ApiAnswer> {
    const response = await this.http.request({ method, url, data, headers: { accept: 'application/json', ...headers }, responseType: 'text' });
    let body: Record<string, unknown> = {};
    if (typeof response.data === 'string' && response.data !== '') {
      try {
        body = JSON.parse(response.data) as Record<string, unknown>;
      } catch {
        body = { message: response.data.slice(0, 500) };
      }
    }
    return { status: response.status, body, warnings: parseWarnings(response.headers['warning'] as string | string[] | undefined) };
  }
}

interface DiscoveryGroup {
  readonly metadata?: { readonly name?: string };
  readonly versions?: readonly {
    readonly version: string;
    readonly resources?: readonly { readonly resource: string; readonly scope?: string; readonly responseKind?: { readonly kind?: string } }[];
  }[];
}

/** The URL path of an object (without query), from where its kind is served. */
export function objectPath(apiVersion: string, served: ServedResource, name: string, namespace: string | undefined): string {
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const ns = served.namespaced ? `/namespaces/${encodeURIComponent(namespace ?? 'default')}` : '';
  return `${base}${ns}/${served.plural}/${encodeURIComponent(name)}`;
}

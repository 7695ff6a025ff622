import { GetParametersByPathCommand, SSMClient, type Parameter, type SSMClientConfig } from '@aws-sdk/client-ssm';
import { ToolError } from '../errors.js';
import { compareNames, PARAM_NAME_PATTERN, type Params } from './params-file.js';

/** How to reach SSM. Anything left out comes from the SDK's standard resolution (env, profile, IMDS). */
export interface SsmClientOptions {
  /** A local or VPC endpoint, e.g. `http://127.0.0.1:4566`. */
  readonly endpoint?: string;
  readonly region?: string;
  /** Static credentials; the default provider chain when absent. */
  readonly credentials?: SSMClientConfig['credentials'];
  /** Attempts per request including the first (standard retry mode). Default: `AWS_MAX_ATTEMPTS`, else 5. */
  readonly maxAttempts?: number;
  /** A retry strategy replacing the standard one (tests use a short backoff). */
  readonly retryStrategy?: SSMClientConfig['retryStrategy'];
}

export const DEFAULT_MAX_ATTEMPTS = 5;

/** An SSMClient with the SDK's standard retry strategy (throttling and 5xx are retried with backoff). */
export function createSsmClient(options: SsmClientOptions = {}): SSMClient {
  const fromEnv = Number.parseInt(process.env['AWS_MAX_ATTEMPTS'] ?? '', 10);
  return new SSMClient({
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.region ? { region: options.region } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.retryStrategy
      ? { retryStrategy: options.retryStrategy }
      : { retryMode: 'standard', maxAttempts: options.maxAttempts ?? (fromEnv > 0 ? fromEnv : DEFAULT_MAX_ATTEMPTS) }),
  });
}

/** The default SSM path of a cluster's parameters. */
export function defaultParamsPath(cluster: string): string {
  return `/learning-platform/${cluster}`;
}

/** Normalises a user-given path: leading slash, no trailing slash, no empty segments. */
export function normalizeSsmPath(raw: string): string {
  const trimmed = raw.trim();
  if (!trimmed.startsWith('/')) throw new ToolError(`SSM path must start with "/": ${trimmed || '(empty)'}`);
  const segments = trimmed.split('/').filter((segment) => segment !== '');
  const normalized = `/${segments.join('/')}`;
  if (segments.some((segment) => !/^[A-Za-z0-9_.\-]+$/.test(segment))) {
    throw new ToolError(`SSM path ${normalized} has characters SSM does not allow in names (letters, digits, "_", ".", "-" and "/").`);
  }
  return normalized;
}

export interface PulledParams {
  /** Normalised path that was read. */
  readonly path: string;
  /** String and StringList parameters by name relative to the path. */
  readonly parameters: Params;
  /** Relative names of SecureString parameters found (their values are never kept). */
  readonly secureStringNames: readonly string[];
  /** Number of GetParametersByPath calls made. */
  readonly pages: number;
}

/**
 * Reads every parameter under `path` (recursive, no decryption), paging on NextToken until it is
 * absent: a page may be short or empty and still carry a token. SecureString values are dropped
 * on arrival and only their names are reported. Failures become one-line `ToolError`s.
 */
export async function pullParameters(client: SSMClient, rawPath: string, options: { signal?: AbortSignal; endpoint?: string } = {}): Promise<PulledParams> {
  const { signal, endpoint } = options;
  const ssmPath = normalizeSsmPath(rawPath);
  const parameters: Record<string, string | string[]> = {};
  const secure: string[] = [];
  const unsupported: string[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    if (pages >= MAX_PAGES) throw new ToolError(`SSM kept returning NextToken after ${MAX_PAGES} pages under ${ssmPath}; giving up.`);
    const previous = nextToken;
    let page;
    try {
      page = await client.send(
        new GetParametersByPathCommand({ Path: ssmPath, Recursive: true, WithDecryption: false, MaxResults: 10, NextToken: nextToken }),
        signal ? { abortSignal: signal } : {},
      );
    } catch (error) {
      throw ssmError(error, ssmPath, endpoint);
    }
    pages++;
    for (const parameter of page.Parameters ?? []) {
      const name = relativeName(ssmPath, parameter);
      if (parameter.Type === 'SecureString') {
        secure.push(name);
      } else if (parameter.Type === 'StringList') {
        parameters[name] = (parameter.Value ?? '').split(',');
      } else if (parameter.Type === 'String') {
        parameters[name] = parameter.Value ?? '';
      } else {
        unsupported.push(`${name} (${parameter.Type ?? 'no type'})`);
      }
    }
    nextToken = page.NextToken || undefined;
    if (nextToken !== undefined && nextToken === previous) {
      throw new ToolError(`SSM returned the same NextToken twice in a row under ${ssmPath}; giving up.`);
    }
  } while (nextToken !== undefined);
  if (unsupported.length) {
    throw new ToolError(`SSM returned parameters of unknown type under ${ssmPath}: ${unsupported.sort(compareNames).join(', ')}`);
  }
  return { path: ssmPath, parameters, secureStringNames: secure.sort(compareNames), pages };
}

const MAX_PAGES = 10_000;

function relativeName(ssmPath: string, parameter: Parameter): string {
  const full = parameter.Name ?? '';
  const prefix = ssmPath === '/' ? '/' : `${ssmPath}/`;
  if (!full.startsWith(prefix)) {
    throw new ToolError(`SSM returned parameter ${full || '(no name)'}, which is not under ${ssmPath}.`);
  }
  const name = full.slice(prefix.length);
  if (!PARAM_NAME_PATTERN.test(name)) {
    throw new ToolError(`SSM returned parameter ${full}, whose name params.yaml cannot hold.`);
  }
  return name;
}

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
  $retryable?: unknown;
}

/** One-line cause of an SDK failure. Never includes credentials or parameter values. */
export function ssmError(error: unknown, ssmPath: string, endpoint?: string): ToolError {
  const e = (error ?? {}) as SdkError;
  const name = e.name ?? '';
  const status = e.$metadata?.httpStatusCode;
  const attempts = e.$metadata?.attempts;
  const after = attempts && attempts > 1 ? ` after ${attempts} attempts` : '';
  const message = oneLine(e.message ?? String(error));
  const where = endpoint ?? '';
  if (name === 'AbortError' || name === 'AbortSignal') {
    return new ToolError(`reading SSM path ${ssmPath} was interrupted.`);
  }
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return new ToolError(
      'no AWS credentials found: set AWS_PROFILE (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), or run where an instance or pod role is available.',
      'the SDK looked in the environment, the shared config and credentials files, SSO and the instance metadata service.',
    );
  }
  if (/region is missing/i.test(message)) {
    return new ToolError('no AWS region: pass --region or set AWS_REGION (or a region in the AWS profile).');
  }
  if (name === 'ThrottlingException' || /rate exceeded/i.test(message) || name === 'TooManyRequestsException') {
    return new ToolError(
      `SSM throttled GetParametersByPath on ${ssmPath}${after} (${message}).`,
      'retry later, or raise AWS_MAX_ATTEMPTS to let the SDK retry longer.',
    );
  }
  if (name === 'AccessDeniedException' || name === 'AccessDenied' || name === 'UnrecognizedClientException' || name === 'InvalidSignatureException' || name === 'ExpiredTokenException') {
    return new ToolError(`SSM denied GetParametersByPath on ${ssmPath} (${name}): ${message}`, 'the caller needs ssm:GetParametersByPath on this path.');
  }
  if (status !== undefined && status >= 500) {
    return new ToolError(`SSM failed with HTTP ${status}${after} on ${ssmPath} (${name || 'server error'}: ${message}).`);
  }
  const code = e.code ?? (error as { cause?: { code?: string } })?.cause?.code;
  if (code && NETWORK_CODES.has(code)) {
    return new ToolError(`cannot reach SSM${where ? ` at ${where}` : ''}${after}: ${code}.`, 'check --endpoint, --region and the network path to SSM.');
  }
  if (name === 'TimeoutError' || /timed? ?out/i.test(message)) {
    return new ToolError(`SSM did not answer${where ? ` at ${where}` : ''}${after}: ${message}`, 'check --endpoint, --region and the network path to SSM.');
  }
  return new ToolError(`SSM GetParametersByPath on ${ssmPath} failed${status ? ` with HTTP ${status}` : ''}: ${name ? `${name}: ` : ''}${message}`);
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED']);

function oneLine(text: string): string {
  const line = text.split('\n')[0]!.trim();
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

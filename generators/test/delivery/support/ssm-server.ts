import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local SSM endpoint speaking the JSON 1.1 protocol of `AmazonSSM.GetParametersByPath`, for the
 * real `SSMClient`. Behaviour is scripted per test; every request is recorded.
 */

export interface FakeParameter {
  /** Full name, e.g. `/learning-platform/production/network/vpc-id`. */
  readonly Name: string;
  readonly Type: 'String' | 'StringList' | 'SecureString';
  readonly Value: string;
}

export interface SsmRequestRecord {
  readonly target: string | undefined;
  readonly contentType: string | undefined;
  readonly authorization: string | undefined;
  readonly body: {
    Path?: string;
    Recursive?: boolean;
    WithDecryption?: boolean;
    MaxResults?: number;
    NextToken?: string;
  };
}

export interface SsmScript {
  /** Parameters the store holds (all paths). */
  parameters?: readonly FakeParameter[];
  /**
   * Page sizes, in order, for the pages served; a 0 is an empty page that still carries a
   * NextToken. After the list runs out, pages hold `MaxResults` items.
   */
  pageSizes?: readonly number[];
  /** Answer the first N requests with HTTP 400 ThrottlingException. */
  throttleFirst?: number;
  /** Answer every request with HTTP 500 InternalServerError. */
  alwaysFail500?: boolean;
  /** Answer every request with HTTP 400 AccessDeniedException. */
  accessDenied?: boolean;
}

export interface SsmServer {
  readonly endpoint: string;
  readonly requests: SsmRequestRecord[];
  /** Replaces the script (the recorded requests are kept). */
  script(next: SsmScript): void;
  close(): Promise<void>;
}

export async function startSsmServer(initial: SsmScript = {}): Promise<SsmServer> {
  let script: SsmScript = initial;
  let served = 0;
  const requests: SsmRequestRecord[] = [];

  const server: Server = createServer((req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const target = header(req, 'x-amz-target');
    const contentType = header(req, 'content-type');
    let body: SsmRequestRecord['body'] = {};
    try {
      body = raw ? (JSON.parse(raw) as SsmRequestRecord['body']) : {};
    } catch {
      return send(res, 400, { __type: 'SerializationException', message: 'body is not JSON' });
    }
    requests.push({ target, contentType, authorization: header(req, 'authorization'), body });
    const index = served++;

    if (req.method !== 'POST' || req.url !== '/') return send(res, 404, { __type: 'UnknownOperationException' });
    if (contentType !== 'application/x-amz-json-1.1') {
      return send(res, 400, { __type: 'SerializationException', message: `unexpected content type ${contentType}` });
    }
    if (target !== 'AmazonSSM.GetParametersByPath') {
      return send(res, 400, { __type: 'UnknownOperationException', message: `unexpected target ${target}` });
    }
    if (!header(req, 'authorization')?.startsWith('AWS4-HMAC-SHA256 ')) {
      return send(res, 400, { __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
    }
    if (script.accessDenied) {
      return send(res, 400, {
        __type: 'AccessDeniedException',
        message: `User: arn:aws:iam::123456789012:user/example is not authorized to perform: ssm:GetParametersByPath on resource: ${body.Path}`,
      });
    }
    if (script.alwaysFail500) return send(res, 500, { __type: 'InternalServerError', message: 'Internal failure' });
    if (index < (script.throttleFirst ?? 0)) return send(res, 400, { __type: 'ThrottlingException', message: 'Rate exceeded' });

    const maxResults = body.MaxResults ?? 10;
    if (typeof body.Path !== 'string' || !body.Path.startsWith('/') || maxResults < 1 || maxResults > 10) {
      return send(res, 400, { __type: 'ValidationException', message: 'invalid request' });
    }
    const prefix = body.Path === '/' ? '/' : `${body.Path.replace(/\/$/, '')}/`;
    const matching = (script.parameters ?? [])
      .filter((p) => p.Name.startsWith(prefix) && (body.Recursive || !p.Name.slice(prefix.length).includes('/')))
      .sort((a, b) => (a.Name < b.Name ? -1 : 1));

    // NextToken is "<offset>:<page number>" (opaque to the client).
    const [offsetText, pageText] = (body.NextToken ?? '0:0').split(':');
    const offset = Number(offsetText);
    const pageNumber = Number(pageText);
    if (!Number.isInteger(offset) || !Number.isInteger(pageNumber)) {
      return send(res, 400, { __type: 'InvalidNextToken', message: 'The specified token is not valid.' });
    }
    const size = Math.min(script.pageSizes?.[pageNumber] ?? maxResults, maxResults);
    const items = matching.slice(offset, offset + size);
    const end = offset + items.length;
    const more = end < matching.length || (script.pageSizes !== undefined && pageNumber + 1 < script.pageSizes.length);
    const date = 1_700_000_000;
    return send(res, 200, {
      Parameters: items.map((p, i) => ({
        Name: p.Name,
        Type: p.Type,
        // Without decryption SSM returns the ciphertext of a SecureString; never the plain value.
        Value: p.Type === 'SecureString' && !body.WithDecryption ? `AQICAHencrypted${i}==` : p.Value,
        Version: 1,
        LastModifiedDate: date,
        ARN: `arn:aws:ssm:eu-west-1:123456789012:parameter${p.Name}`,
        DataType: 'text',
      })),
      ...(more ? { NextToken: `${end}:${pageNumber + 1}` } : {}),
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    script(next) {
      script = next;
      served = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Obviously fake credentials for the SDK's signer. */
export const FAKE_CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' } as const;

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': '00000000-0000-0000-0000-000000000000',
  });
  res.end(text);
}

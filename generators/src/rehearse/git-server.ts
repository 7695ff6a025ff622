/**
 * Serves one local Git repository to Argo CD under the repository URL the rendered tree names
 * (`https://github.com/example-org/...`), without editing the tree and without the network.
 *
 * Argo CD resolves branches with go-git (no `insteadOf`), and fetches with the git CLI. Both
 * honour the per-repository `proxy` of an Argo CD repository Secret, and `insecure: "true"`
 * skips certificate checks. So this is an HTTP proxy on 127.0.0.1: a `CONNECT` to the
 * repository's host gets a TLS server (a throwaway self-signed certificate) whose requests are
 * answered by `git http-backend` (Git's own smart-HTTP CGI) over the local bare repository.
 * A `CONNECT` to any other host is refused (502): nothing leaves the machine through it.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { TLSSocket, createSecureContext } from 'node:tls';
import { ToolError } from '../errors.js';
import { runProcess } from '../tools/process.js';

export interface GitProxy {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Git requests answered so far (tests and logs). */
  readonly requests: () => number;
  close(): Promise<void>;
}

/**
 * Starts the proxy serving `bareRepo` for every repository path on `host` (`github.com`).
 */
export async function startGitProxy(bareRepo: string, host: string): Promise<GitProxy> {
  const { key, cert } = await selfSignedCertificate(host);
  const context = createSecureContext({ key, cert });
  let served = 0;
  const inner = createServer((req, res) => {
    served++;
    void httpBackend(bareRepo, req, res);
  });
  const sockets = new Set<Socket>();
  const proxy: Server = createServer((_req, res) => {
    res.writeHead(405).end('CONNECT only\n');
  });
  proxy.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  proxy.on('connect', (req: IncomingMessage, socket: Socket) => {
    const [target] = (req.url ?? '').split(':');
    if (target !== host) {
      socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      return;
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    const tls = new TLSSocket(socket, { isServer: true, secureContext: context });
    tls.on('error', () => socket.destroy());
    inner.emit('connection', tls);
  });
  await new Promise<void>((resolve, reject) => {
    proxy.once('error', reject);
    proxy.listen(0, '127.0.0.1', () => resolve());
  });
  const address = proxy.address();
  if (typeof address !== 'object' || !address) throw new ToolError('the rehearsal Git proxy did not get a port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests: () => served,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        proxy.close(() => resolve());
      }),
  };
}

/** Answers one smart-HTTP request with `git http-backend`. */
async function httpBackend(bareRepo: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://repository');
  // Every repository path maps to the one repository: keep what follows it.
  const suffix = /\/(info\/refs|git-upload-pack|git-receive-pack|HEAD|objects\/.*)$/.exec(url.pathname)?.[0];
  if (!suffix || suffix === '/git-receive-pack') {
    res.writeHead(404).end();
    return;
  }
  const child = spawn('git', ['http-backend'], {
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      GIT_PROJECT_ROOT: path.dirname(bareRepo),
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: `/${path.basename(bareRepo)}${suffix}`,
      QUERY_STRING: url.search.replace(/^\?/, ''),
      REQUEST_METHOD: req.method ?? 'GET',
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: String(req.headers['content-encoding']) } : {}),
      ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
      REMOTE_ADDR: '127.0.0.1',
    },
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  req.pipe(child.stdin);
  child.stdin.on('error', () => undefined);
  let head = Buffer.alloc(0);
  let headersDone = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (headersDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    headersDone = true;
    let status = 200;
    for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0]) || 200;
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    res.write(head.subarray(end + 4));
  });
  child.on('close', () => {
    if (!headersDone) res.writeHead(500);
    res.end();
  });
}

/** A throwaway key and self-signed certificate for `host` (openssl). */
async function selfSignedCertificate(host: string): Promise<{ key: string; cert: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gitops-rehearse-cert-'));
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    const result = await runProcess('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${host}`, '-keyout', key, '-out', cert]);
    if (result.code !== 0) throw new ToolError(`openssl could not make the rehearsal's certificate: ${result.stderr.trim()}`, 'install openssl (Debian package openssl)');
    return { key: await readFile(key, 'utf8'), cert: await readFile(cert, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

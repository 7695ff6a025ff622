import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ToolError, UsageError } from '../../src/errors.js';
import { ArgoHttpError, ArgoWorkflowsClient, argoOptionsFromEnv, type WorkflowEvent } from '../../src/delivery/argo-workflows-client.js';
import { fnv32a, podNameOf } from '../../src/delivery/follow-workflow.js';
import { podNameV2, startArgoServer, type ArgoServer } from './support/argo-server.js';

const TOKEN = 'fake-token-0123456789abcdef';
const FAST = { attempts: 4, baseDelayMs: 20, maxDelayMs: 40 };

let argo: ArgoServer;
beforeAll(async () => {
  argo = await startArgoServer();
  argo.template('integration-tests', {
    steps: [
      { phase: 'Pending' },
      { phase: 'Running', nodes: [{ name: 'run-suite', phase: 'Running' }] },
      { phase: 'Failed', message: 'child failed', nodes: [{ name: 'run-suite', phase: 'Failed', message: 'Error (exit code 1)' }] },
    ],
    logs: { 'run-suite': Array.from({ length: 100 }, (_, i) => `line ${i + 1}`) },
  });
});
afterAll(async () => {
  await argo.close();
});
beforeEach(() => {
  argo.behave({ token: TOKEN, tickMs: 20 });
});

function client(token: string | undefined = TOKEN) {
  return new ArgoWorkflowsClient({ server: argo.url, ...(token ? { token } : {}), retry: FAST });
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('argoOptionsFromEnv', () => {
  it('reads ARGO_SERVER as a URL or host:port, like the argo CLI', () => {
    expect(argoOptionsFromEnv({ ARGO_SERVER: 'argo.example.com:2746' }).server).toBe('https://argo.example.com:2746');
    expect(argoOptionsFromEnv({ ARGO_SERVER: 'localhost:2746', ARGO_SECURE: 'false' }).server).toBe('http://localhost:2746');
    expect(argoOptionsFromEnv({ ARGO_SERVER: 'https://argo.example.com/', ARGO_BASE_HREF: '/argo/' }).server).toBe('https://argo.example.com/argo');
    const options = argoOptionsFromEnv({ ARGO_SERVER: 'https://a:2746', ARGO_TOKEN: `Bearer ${TOKEN}`, ARGO_INSECURE_SKIP_VERIFY: 'true' });
    expect(options.insecureSkipVerify).toBe(true);
    expect(options.token).toBe(`Bearer ${TOKEN}`);
  });

  it('refuses a missing server and an unreadable CA file', async () => {
    expect(() => argoOptionsFromEnv({})).toThrow(UsageError);
    const dir = await mkdtemp(path.join(tmpdir(), 'argo-ca-'));
    try {
      expect(() => argoOptionsFromEnv({ ARGO_SERVER: 'https://a', ARGO_CA_FILE: path.join(dir, 'missing.pem') })).toThrow(/ARGO_CA_FILE .* cannot be read: ENOENT/);
      await writeFile(path.join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\n');
      expect(argoOptionsFromEnv({ ARGO_SERVER: 'https://a', ARGO_CA_FILE: path.join(dir, 'ca.pem') }).ca).toContain('BEGIN CERTIFICATE');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('ArgoWorkflowsClient', () => {
  it('submits from a WorkflowTemplate with the body the API expects and a bearer token', async () => {
    const before = argo.requests.length;
    const wf = await client(`Bearer ${TOKEN}`).submitFromTemplate('argo', 'integration-tests', {
      generateName: 'integration-tests-',
      parameters: ['suite=smoke', 'url=https://x/?a=b'],
      labels: { 'gitops.learning-platform/cluster': 'staging' },
    });
    expect(wf.metadata.name).toMatch(/^integration-tests-/);
    const request = argo.requests[before]!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/api/v1/workflows/argo/submit');
    expect(request.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request.body).toEqual({
      namespace: 'argo',
      resourceKind: 'WorkflowTemplate',
      resourceName: 'integration-tests',
      submitOptions: { generateName: 'integration-tests-', parameters: ['suite=smoke', 'url=https://x/?a=b'], labels: 'gitops.learning-platform/cluster=staging' },
    });
  });

  it('names a missing WorkflowTemplate', async () => {
    const error = await rejection(client().submitFromTemplate('argo', 'nope', {}));
    expect(error).toBeInstanceOf(ArgoHttpError);
    expect(error.message).toBe('WorkflowTemplate nope not found in namespace argo');
  });

  it('explains 401 and 403 in terms of ARGO_TOKEN, without the token', async () => {
    const e401 = (await rejection(client('wrong-token-value').getWorkflow('argo', 'x'))) as ToolError;
    expect(e401.lines().join('\n')).toMatch(/HTTP 401 Unauthorized[\s\S]*ARGO_TOKEN is not accepted/);
    const missing = (await rejection(client('').getWorkflow('argo', 'x'))) as ToolError;
    expect(missing.lines().join('\n')).toMatch(/ARGO_TOKEN is not set/);
    argo.behave({ token: TOKEN, forbidden: true });
    const e403 = (await rejection(client().getWorkflow('argo', 'x'))) as ToolError;
    expect(e403.lines().join('\n')).toMatch(/HTTP 403 Forbidden[\s\S]*ARGO_TOKEN's service account lacks the RBAC/);
    for (const error of [e401, missing, e403]) expect(error.lines().join('\n')).not.toContain(TOKEN);
  });

  it('retries 5xx with bounded exponential backoff, then gives a clear message', async () => {
    argo.behave({ token: TOKEN, alwaysFail: true, noRetryAfter: true });
    const before = argo.requests.length;
    const started = Date.now();
    const error = await rejection(client().getWorkflow('argo', 'x'));
    const took = Date.now() - started;
    expect(argo.requests.length - before).toBe(4);
    expect(took).toBeGreaterThanOrEqual(20 + 40 + 40 - 5);
    expect(error.message).toBe(`Argo Server at ${argo.url} failed getting workflow x with HTTP 500 after 4 attempts: etcdserver: request timed out`);
  });

  it('retries a submit whose answer was lost without starting a second run', async () => {
    argo.behave({ token: TOKEN, submitLoseAnswerFirst: 1 });
    const count = argo.workflows.size;
    const wf = await client().submitFromTemplate('argo', 'integration-tests', { labels: { 'gitops.learning-platform/verify-id': 'lost-answer-1' } });
    expect(argo.workflows.size).toBe(count + 1);
    expect(wf.metadata.labels?.['gitops.learning-platform/verify-id']).toBe('lost-answer-1');
  });

  it('keeps looking for the lost submission with bounded backoff while listing fails, and finds it', async () => {
    argo.behave({ token: TOKEN, submitLoseAnswerFirst: 1, listFailFirst: 2 });
    const count = argo.workflows.size;
    const before = argo.requests.length;
    const wf = await client().submitFromTemplate('argo', 'integration-tests', { labels: { 'gitops.learning-platform/verify-id': 'lost-answer-2' } });
    expect(argo.workflows.size).toBe(count + 1);
    expect(wf.metadata.labels?.['gitops.learning-platform/verify-id']).toBe('lost-answer-2');
    const sent = argo.requests.slice(before);
    expect(sent.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(sent.filter((r) => r.method === 'GET').map((r) => r.query.get('listOptions.labelSelector'))).toEqual(Array(3).fill('gitops.learning-platform/verify-id=lost-answer-2'));
  });

  it('does not submit again when the lookup after a lost answer keeps failing: one run, a clear error naming its labels', async () => {
    argo.behave({ token: TOKEN, submitLoseAnswerFirst: 1, listStatus: 500, noRetryAfter: true });
    const count = argo.workflows.size;
    const before = argo.requests.length;
    const labels = { 'gitops.learning-platform/cluster': 'staging', 'gitops.learning-platform/verify-id': 'lost-answer-3' };
    const error = (await rejection(client().submitFromTemplate('argo', 'integration-tests', { generateName: 'integration-tests-', labels }))) as ToolError;
    // The workflow the lost answer created is the only one; the lookup was tried FAST.attempts times.
    expect(argo.workflows.size).toBe(count + 1);
    const sent = argo.requests.slice(before);
    expect(sent.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(sent.filter((r) => r.method === 'GET')).toHaveLength(FAST.attempts);
    const selector = 'gitops.learning-platform/cluster=staging,gitops.learning-platform/verify-id=lost-answer-3';
    expect(error).toBeInstanceOf(ToolError);
    expect(error.lines()).toEqual([
      `Argo Server at ${argo.url} failed submitting WorkflowTemplate integration-tests (HTTP 502: bad gateway) and could not be asked whether the workflow was created (Argo Server at ${argo.url} failed listing workflows with HTTP 500 after ${FAST.attempts} attempts: etcdserver: leader changed); not submitting again, so that no second run starts.`,
      `hint: a workflow named integration-tests-… labelled ${selector} may be running: check with \`argo list -n argo -l ${selector}\`, stop it with \`argo stop -n argo -l ${selector}\`.`,
    ]);
  });

  it('does not retry an unlabelled submit whose answer was lost: nothing could tell whether it ran', async () => {
    argo.behave({ token: TOKEN, submitLoseAnswerFirst: 1 });
    const count = argo.workflows.size;
    const before = argo.requests.length;
    const error = await rejection(client().submitFromTemplate('argo', 'integration-tests', {}));
    expect(argo.workflows.size).toBe(count + 1);
    expect(argo.requests.slice(before).map((r) => r.method)).toEqual(['POST']);
    expect(error.message).toBe(`Argo Server at ${argo.url} failed submitting WorkflowTemplate integration-tests (HTTP 502: bad gateway); not retried: without labels there is no way to tell whether the workflow was created.`);
  });

  it('retries a submit refused with 503, then succeeds', async () => {
    argo.behave({ token: TOKEN, submitFailFirst: 2 });
    const count = argo.workflows.size;
    await client().submitFromTemplate('argo', 'integration-tests', { labels: { 'gitops.learning-platform/verify-id': 'refused-1' } });
    expect(argo.workflows.size).toBe(count + 1);
  });

  it('retries a submit whose connection was refused without a lookup (it reached no server), then reports the server unreachable', async () => {
    const gone = await startArgoServer();
    const url = gone.url;
    await gone.close();
    const error = await rejection(new ArgoWorkflowsClient({ server: url, token: TOKEN, retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 } }).submitFromTemplate('argo', 'integration-tests', { labels: { a: 'b' } }));
    expect(error.message).toBe(`cannot reach Argo Server at ${url} while submitting WorkflowTemplate integration-tests after 3 attempts: ECONNREFUSED`);
  });

  it('reports an unreachable server', async () => {
    const gone = await startArgoServer();
    const url = gone.url;
    await gone.close();
    const error = await rejection(new ArgoWorkflowsClient({ server: url, token: TOKEN, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 } }).getWorkflow('argo', 'x'));
    expect(error.message).toBe(`cannot reach Argo Server at ${url} while getting workflow x after 2 attempts: ECONNREFUSED`);
  });

  it('streams workflow events as server-sent events', async () => {
    const c = client();
    const wf = await c.submitFromTemplate('argo', 'integration-tests', {});
    const events: WorkflowEvent[] = [];
    for await (const event of c.watchWorkflow('argo', wf.metadata.name)) {
      events.push(event);
      if (event.object.status?.phase === 'Failed') break;
    }
    expect(events[0]!.type).toBe('ADDED');
    expect(events.map((e) => e.object.status?.phase)).toContain('Failed');
    const request = argo.requests.find((r) => r.path === '/api/v1/workflow-events/argo')!;
    expect(request.accept).toBe('text/event-stream');
    expect(request.query.get('listOptions.fieldSelector')).toBe(`metadata.name=${wf.metadata.name}`);
  });

  it('throws when the stream breaks mid-run', async () => {
    argo.behave({ token: TOKEN, tickMs: 20, dropStreamAfterEvents: 2 });
    const c = client();
    const wf = await c.submitFromTemplate('argo', 'integration-tests', {});
    const seen: string[] = [];
    const error = await rejection(
      (async () => {
        for await (const event of c.watchWorkflow('argo', wf.metadata.name)) seen.push(event.object.status?.phase ?? '');
      })(),
    );
    expect(seen.length).toBeLessThanOrEqual(2);
    expect(error).toBeInstanceOf(ToolError);
    expect(error.message).toMatch(/^the event stream of workflow .* broke: /);
  });

  it('reads the capped tail of a pod log through the workflow log endpoint', async () => {
    const c = client();
    const wf = await c.submitFromTemplate('argo', 'integration-tests', {});
    await new Promise((r) => setTimeout(r, 100));
    const current = await c.getWorkflow('argo', wf.metadata.name);
    const node = Object.values(current.status!.nodes!).find((n) => n.type === 'Pod')!;
    const pod = podNameOf(current, node)!;
    expect(pod).toBe(podNameV2(wf.metadata.name, node.name, 'run-suite'));
    const lines = await c.podLogTail('argo', wf.metadata.name, pod, { tailLines: 5 });
    expect(lines).toEqual(['line 96', 'line 97', 'line 98', 'line 99', 'line 100']);
    const request = argo.requests.filter((r) => r.path.endsWith('/log')).at(-1)!;
    expect(request.query.get('logOptions.container')).toBe('main');
    expect(request.query.get('podName')).toBe(pod);
  });

  it('stops a workflow', async () => {
    const c = client();
    const wf = await c.submitFromTemplate('argo', 'integration-tests', {});
    await c.stopWorkflow('argo', wf.metadata.name, 'test');
    expect(argo.stopped).toContain(wf.metadata.name);
    expect(argo.requests.at(-1)).toMatchObject({ method: 'PUT', path: `/api/v1/workflows/argo/${wf.metadata.name}/stop` });
  });
});

describe('pod names', () => {
  it('hashes node names with FNV-1a like Argo', () => {
    expect(fnv32a('hello')).toBe(1335831723);
    expect(fnv32a('world')).toBe(933488787);
    expect(fnv32a('You cannot alter your fate. However, you can rise to meet it.')).toBe(827171719);
  });

  it('uses the node id for pod-name-format v1', () => {
    const wf = { metadata: { name: 'w', annotations: { 'workflows.argoproj.io/pod-name-format': 'v1' } } };
    expect(podNameOf(wf, { id: 'w-123', name: 'w.a', type: 'Pod', templateName: 'a' })).toBe('w-123');
    expect(podNameOf({ metadata: { name: 'w' } }, { id: 'w-123', name: 'w.a', type: 'Pod', templateName: 'a' })).toBe(`w-a-${fnv32a('w.a')}`);
    expect(podNameOf({ metadata: { name: 'w' } }, { id: 'w-1', name: 'w.s', type: 'Steps' })).toBeUndefined();
  });
});

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasOpenssl)('TLS', () => {
  it('verifies the server certificate, trusts ARGO_CA_FILE, and skips verification only when asked', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'argo-tls-'));
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const server = createHttpsServer({ key: await readFile(key), cert: await readFile(cert) }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ metadata: { name: 'x', namespace: 'argo' }, status: { phase: 'Running' } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const retry = { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 };
    try {
      const strict = new ArgoWorkflowsClient({ ...argoOptionsFromEnv({ ARGO_SERVER: url, ARGO_TOKEN: TOKEN }), retry });
      const error = await rejection(strict.getWorkflow('argo', 'x'));
      expect(error.message).toMatch(/^cannot reach Argo Server at https:\/\/127\.0\.0\.1:\d+ while getting workflow x: TLS: DEPTH_ZERO_SELF_SIGNED_CERT \(set ARGO_CA_FILE/);
      const withCa = new ArgoWorkflowsClient({ ...argoOptionsFromEnv({ ARGO_SERVER: url, ARGO_CA_FILE: cert }), retry });
      expect((await withCa.getWorkflow('argo', 'x')).status?.phase).toBe('Running');
      const insecure = new ArgoWorkflowsClient({ ...argoOptionsFromEnv({ ARGO_SERVER: url.replace('https://', ''), ARGO_INSECURE_SKIP_VERIFY: 'true' }), retry });
      expect((await insecure.getWorkflow('argo', 'x')).metadata.name).toBe('x');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    }
  });
});

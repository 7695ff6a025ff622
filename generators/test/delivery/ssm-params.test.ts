import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolError } from '../../src/errors.js';
import { createSsmClient, normalizeSsmPath, pullParameters } from '../../src/delivery/ssm-params.js';
import { FAKE_CREDENTIALS, startSsmServer, type FakeParameter, type SsmServer } from './support/ssm-server.js';

const BASE = '/learning-platform/production';
const STORE: FakeParameter[] = [
  { Name: `${BASE}/network/vpc-id`, Type: 'String', Value: 'vpc-0abc' },
  { Name: `${BASE}/network/private-subnet-ids`, Type: 'StringList', Value: 'subnet-0a1,subnet-0b2' },
  { Name: `${BASE}/ingress/certificate-arn`, Type: 'String', Value: 'arn:aws:acm:eu-west-1:123456789012:certificate/example' },
  { Name: `${BASE}/ingress/waf/web-acl-arn`, Type: 'String', Value: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/example' },
  { Name: `${BASE}/db/port`, Type: 'String', Value: '5432' },
  { Name: '/learning-platform/staging/network/vpc-id', Type: 'String', Value: 'vpc-0staging' },
];

let ssm: SsmServer;
beforeAll(async () => {
  ssm = await startSsmServer();
});
afterAll(async () => {
  await ssm.close();
});

function client(attempts = 4) {
  return createSsmClient({
    endpoint: ssm.endpoint,
    region: 'eu-west-1',
    credentials: FAKE_CREDENTIALS,
    retryStrategy: new ConfiguredRetryStrategy(attempts, 1),
  });
}

async function failure(promise: Promise<unknown>): Promise<ToolError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ToolError);
  return error as ToolError;
}

describe('pullParameters', () => {
  it('pages through short and empty pages that still carry a NextToken', async () => {
    ssm.script({ parameters: STORE, pageSizes: [2, 0, 1, 0, 0, 2] });
    const before = ssm.requests.length;
    const pulled = await pullParameters(client(), BASE);
    const requests = ssm.requests.slice(before);
    expect(pulled.pages).toBe(requests.length);
    expect(requests.length).toBeGreaterThanOrEqual(6);
    expect(requests[0]!.target).toBe('AmazonSSM.GetParametersByPath');
    expect(requests[0]!.contentType).toBe('application/x-amz-json-1.1');
    expect(requests[0]!.body).toMatchObject({ Path: BASE, Recursive: true, WithDecryption: false });
    expect(requests[0]!.body.NextToken).toBeUndefined();
    expect(requests[1]!.body.NextToken).toBe('2:1');
    expect(requests[2]!.body.NextToken).toBe('2:2');
    expect(pulled.parameters).toEqual({
      'db/port': '5432',
      'ingress/certificate-arn': 'arn:aws:acm:eu-west-1:123456789012:certificate/example',
      'ingress/waf/web-acl-arn': 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/example',
      'network/private-subnet-ids': ['subnet-0a1', 'subnet-0b2'],
      'network/vpc-id': 'vpc-0abc',
    });
    expect(pulled.secureStringNames).toEqual([]);
  });

  it('retries throttling with the standard strategy, then succeeds', async () => {
    ssm.script({ parameters: STORE, throttleFirst: 2 });
    const before = ssm.requests.length;
    const pulled = await pullParameters(client(), BASE);
    expect(Object.keys(pulled.parameters)).toHaveLength(5);
    expect(ssm.requests.length - before).toBe(3);
  });

  it('gives up on persistent throttling with a one-line cause', async () => {
    ssm.script({ parameters: STORE, throttleFirst: 100 });
    const error = await failure(pullParameters(client(3), BASE));
    expect(error.message).toBe(`SSM throttled GetParametersByPath on ${BASE} after 3 attempts (Rate exceeded).`);
  });

  it('retries persistent 5xx, then names the status', async () => {
    ssm.script({ alwaysFail500: true });
    const before = ssm.requests.length;
    const error = await failure(pullParameters(client(3), BASE));
    expect(ssm.requests.length - before).toBe(3);
    expect(error.message).toMatch(/^SSM failed with HTTP 500 after 3 attempts on \/learning-platform\/production \(InternalServerError: Internal failure\)\.$/);
  });

  it('reports AccessDeniedException without retrying', async () => {
    ssm.script({ accessDenied: true });
    const before = ssm.requests.length;
    const error = await failure(pullParameters(client(), BASE));
    expect(ssm.requests.length - before).toBe(1);
    expect(error.message).toMatch(/^SSM denied GetParametersByPath on \/learning-platform\/production \(AccessDeniedException\): User: .* is not authorized/);
  });

  it('keeps only the names of SecureString parameters, never their values', async () => {
    ssm.script({
      parameters: [...STORE, { Name: `${BASE}/db/password`, Type: 'SecureString', Value: 'hunter2-plain' }, { Name: `${BASE}/stripe/key`, Type: 'SecureString', Value: 'sk_test_fake' }],
    });
    const pulled = await pullParameters(client(), BASE);
    expect(pulled.secureStringNames).toEqual(['db/password', 'stripe/key']);
    expect(JSON.stringify(pulled)).not.toMatch(/AQICAH|hunter2|sk_test/);
  });

  it('returns nothing for an empty path', async () => {
    ssm.script({ parameters: STORE });
    const pulled = await pullParameters(client(), '/learning-platform/nowhere');
    expect(pulled.parameters).toEqual({});
    expect(pulled.pages).toBe(1);
  });

  it('explains an unreachable endpoint', async () => {
    const closed = await startSsmServer();
    const endpoint = closed.endpoint;
    await closed.close();
    const unreachable = createSsmClient({ endpoint, region: 'eu-west-1', credentials: FAKE_CREDENTIALS, retryStrategy: new ConfiguredRetryStrategy(2, 1) });
    const error = await failure(pullParameters(unreachable, BASE, { endpoint }));
    expect(error.message).toBe(`cannot reach SSM at ${endpoint} after 2 attempts: ECONNREFUSED.`);
  });

  it('normalises paths', () => {
    expect(normalizeSsmPath('/learning-platform/production/')).toBe(BASE);
    expect(normalizeSsmPath('//a//b')).toBe('/a/b');
    expect(() => normalizeSsmPath('learning-platform')).toThrow(ToolError);
    expect(() => normalizeSsmPath('/a b')).toThrow(ToolError);
  });
});

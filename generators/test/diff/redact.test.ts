import { describe, expect, it } from 'vitest';
import { isSensitiveKey, REDACTED, redactObject, redactString, redactText } from '../../src/diff/redact.js';

describe('redaction', () => {
  it('hides the values of keys that name credentials, keeps keys that name where a secret lives', () => {
    for (const key of ['password', 'DB_PASSWORD', 'apiKey', 'api-key', 'STRIPE_API_KEY', 'token', 'authToken', 'client_secret', 'privateKey', 'tls.key', 'awsSecretKey', 'secretAccessKey', 'credentials', 'connectionString']) {
      expect(isSensitiveKey(key), key).toBe(true);
    }
    for (const key of ['passwordSecretRef', 'secretName', 'secretStoreRef', 'secretKey', 'tokenPath', 'secretArn', 'name', 'key', 'LOG_LEVEL', 'image', 'automountServiceAccountToken'.replace('Token', 'Tokens') + 'Ref']) {
      expect(isSensitiveKey(key), key).toBe(false);
    }
  });

  it('keeps references inside a credential field ({ name, key, namespace }) and booleans', () => {
    const dbInstance = {
      spec: {
        masterUserPassword: { namespace: 'users', name: 'users-db-master', key: 'password' },
        passwordSecretRef: { name: 'db', key: 'password' },
        engine: 'postgres',
      },
    };
    expect(redactObject(dbInstance).value).toEqual(dbInstance);
    const providerConfig = { metadata: { annotations: { 'learning-platform.io/aws-credentials': 'irsa' } }, spec: { credentials: { source: 'IRSA' } } };
    expect(redactObject(providerConfig).value).toEqual(providerConfig);
    expect(redactObject({ notifiers: { 'service.slack': 'token: $slack-token\n' }, tls: { privateKey: { value: 'k' } } }).value).toEqual({ notifiers: { 'service.slack': 'token: $slack-token\n' }, tls: { privateKey: { value: REDACTED } } });
    const pod = { spec: { automountServiceAccountToken: false, containers: [{ image: `r/web:1@sha256:${'ab'.repeat(32)}` }] } };
    expect(redactObject(pod).value).toEqual(pod);
  });

  it('hides every value of a Secret, and env values whose name is a credential', () => {
    const secret = redactObject({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { 'tls.crt': 'Y2VydA==', anything: 'dmFsdWU=' }, stringData: { plain: 'hello' } }, 'Secret');
    expect(secret.value).toMatchObject({ data: { 'tls.crt': REDACTED, anything: REDACTED }, stringData: { plain: REDACTED }, metadata: { name: 's' } });
    expect([...secret.hidden.keys()].sort()).toEqual(['data.anything', 'data.tls.crt', 'stringData.plain']);
    const env = redactObject({ env: [{ name: 'GITHUB_TOKEN', value: 'x' }, { name: 'LOG_LEVEL', value: 'debug' }, { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }] });
    expect(env.value).toEqual({ env: [{ name: 'GITHUB_TOKEN', value: REDACTED }, { name: 'LOG_LEVEL', value: 'debug' }, { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }] });
  });

  it('hides credential-looking values wherever they are, and nothing that only looks long', () => {
    expect(redactString('postgres://app:hunter2@db:5432/app')).toBe(`postgres://app:${REDACTED}@db:5432/app`);
    expect(redactString('key AKIAIOSFODNN7EXAMPLE here')).toBe(`key ${REDACTED} here`);
    expect(redactString('ghp_abcdefghijklmnopqrstuvwxyz0123456789')).toBe(REDACTED);
    expect(redactString('Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U')).toBe(`Bearer ${REDACTED}`);
    expect(redactString('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')).toBe(REDACTED);
    expect(redactString('aws_secret=JN68uivZ28bw+BiKfKg8Lwr8PH7XYQmDibdcTR/X')).toBe(`aws_secret=${REDACTED}`);
    for (const safe of ['ExternalSecretsOperatorRoleForProduction1', 'LearningPlatformProductionClusterAdmin2026Role', `sha256:${'0a'.repeat(32)}`, 'arn:aws:acm:eu-west-1:123456789012:certificate/5f0c2a9e-7d1b-4c55-9a7e-2b3c4d5e6f70', '1e233f3d59411e20', 'https://github.com/example-org/learning-platform-gitops.git', 'ELBSecurityPolicy-TLS13-1-2-2021-06']) {
      expect(redactString(safe)).toBe(safe);
    }
  });

  it('hides private keys and credential assignments in plain text files', () => {
    const text = ['#!/bin/sh', 'export K3S_TOKEN="abc"', 'API_KEY=xyz', 'secrets-encryption: true', 'token: $slack-token', 'echo hello', '-----BEGIN RSA PRIVATE KEY-----', 'MIIEow', '-----END RSA PRIVATE KEY-----'].join('\n');
    const result = redactText(text);
    expect(result.value).toBe(['#!/bin/sh', `export K3S_TOKEN="${REDACTED}"`, `API_KEY=${REDACTED}`, 'secrets-encryption: true', 'token: $slack-token', 'echo hello', REDACTED].join('\n'));
  });
});

import { describe, expect, it } from 'vitest';
import { serverTimedOut } from '../../../src/validate/apiserver/crd-install.js';

describe('installing the pinned CRDs: which answers are asked again', () => {
  it('Pass (asked again) when the API server ran out of time, as it answers on a busy machine', () => {
    // The answer seen at load 30: kube-apiserver's own timeout filter (HTTP 500, reason Timeout).
    expect(serverTimedOut({ status: 500, body: { reason: 'Timeout', message: 'Timeout: request did not complete within requested timeout - context deadline exceeded' } })).toBe(true);
    expect(serverTimedOut({ status: 504, body: {} })).toBe(true);
    expect(serverTimedOut({ status: 429, body: { reason: 'TooManyRequests' } })).toBe(true);
  });

  it('Fail (not asked again) when the server refuses the CRD or accepts it', () => {
    expect(serverTimedOut({ status: 422, body: { reason: 'Invalid', message: 'spec.versions[0].schema: Required value' } })).toBe(false);
    expect(serverTimedOut({ status: 500, body: { reason: 'InternalError', message: 'etcdserver: no leader' } })).toBe(false);
    expect(serverTimedOut({ status: 200, body: {} })).toBe(false);
  });
});

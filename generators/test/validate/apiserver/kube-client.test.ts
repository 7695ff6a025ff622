import { describe, expect, it } from 'vitest';
import { objectPath, parseWarnings } from '../../../src/validate/apiserver/kube-client.js';

describe('parseWarnings', () => {
  it('reads each RFC 7234 warning text, several per header and across headers, with escapes', () => {
    expect(parseWarnings('299 - "would violate PodSecurity \\"restricted:latest\\": privileged", 299 - "second, with a comma"')).toEqual(['would violate PodSecurity "restricted:latest": privileged', 'second, with a comma']);
    expect(parseWarnings(['299 - "a"', '299 - "b"'])).toEqual(['a', 'b']);
    expect(parseWarnings(undefined)).toEqual([]);
  });
});

describe('objectPath', () => {
  it('addresses core and grouped, namespaced and cluster-scoped objects', () => {
    expect(objectPath('v1', { plural: 'configmaps', namespaced: true }, 'a', 'shop')).toBe('/api/v1/namespaces/shop/configmaps/a');
    expect(objectPath('rbac.authorization.k8s.io/v1', { plural: 'clusterroles', namespaced: false }, 'view', undefined)).toBe('/apis/rbac.authorization.k8s.io/v1/clusterroles/view');
    expect(objectPath('apps/v1', { plural: 'deployments', namespaced: true }, 'web', undefined)).toBe('/apis/apps/v1/namespaces/default/deployments/web');
  });
});

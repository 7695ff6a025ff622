import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { nextMinor, upgradeTarget } from '../../src/upgrade/target.js';

describe('the target minor of an upgrade check', () => {
  it('is the minor after the cluster\'s by default', () => {
    expect(nextMinor('1.35')).toBe('1.36');
    expect(nextMinor('1.9')).toBe('1.10');
    expect(upgradeTarget('production', '1.35')).toBe('1.36');
  });

  it('may be the next minor or the current one when named', () => {
    expect(upgradeTarget('production', '1.35', '1.36')).toBe('1.36');
    expect(upgradeTarget('production', '1.35', '1.35')).toBe('1.35');
  });

  it('Fail when --to skips a minor, goes back, or names a minor with no pinned release', () => {
    expect(() => upgradeTarget('production', '1.35', '1.37')).toThrow(/one minor at a time/);
    expect(() => upgradeTarget('production', '1.35', '1.34')).toThrow(UsageError);
    expect(() => upgradeTarget('production', '1.37')).toThrow(/no pinned Kubernetes release for 1\.38/);
    expect(() => upgradeTarget('production', '1.35', 'next')).toThrow(/a Kubernetes minor such as/);
  });
});

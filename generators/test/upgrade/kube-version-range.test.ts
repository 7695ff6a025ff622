/**
 * Chart kubeVersion constraints, judged as Helm (Masterminds semver/v3) judges them, on the forms
 * charts write; anything not understood is `undefined`, never support.
 */
import { describe, expect, it } from 'vitest';
import { kubeVersionAllows } from '../../src/upgrade/kube-version-range.js';

describe('kubeVersionAllows', () => {
  it.each([
    ['>= 1.19.0-0', 'v1.36.3', true],
    ['>=1.19.0-0', 'v1.36.3', true],
    ['>= 1.22.0-0 < 1.36.0-0', 'v1.36.3', false],
    ['>= 1.22.0-0 < 1.36.0-0', 'v1.35.4', true],
    ['>=1.22.0-0, <1.36.0-0', 'v1.36.0', false],
    ['< 1.36.0', 'v1.36.0', false],
    // A pre-release bound sits just below its release.
    ['> 1.36.0-0', 'v1.36.0', true],
    ['<= 1.36.0-0', 'v1.36.0', false],
    ['<= 1.36', 'v1.36.3', true],
    ['<= 1.35', 'v1.36.3', false],
    ['>1.35', 'v1.36.3', true],
    ['>1.36', 'v1.36.3', false],
    ['~1.36.0', 'v1.36.3', true],
    ['~1.35.0', 'v1.36.3', false],
    ['^1.19', 'v1.36.3', true],
    ['1.36.x', 'v1.36.3', true],
    ['1.35.x', 'v1.36.3', false],
    ['1.20 - 1.35', 'v1.36.3', false],
    ['1.20 - 1.36', 'v1.36.3', true],
    ['< 1.20.0-0 || >= 1.30.0-0', 'v1.36.3', true],
    ['!= 1.36.3', 'v1.36.3', false],
    ['*', 'v1.36.3', true],
  ])('%s with %s: %s', (constraint, release, expected) => {
    expect(kubeVersionAllows(constraint, release)).toBe(expected);
  });

  it('is undefined for what it does not understand', () => {
    expect(kubeVersionAllows('>= one.two', 'v1.36.3')).toBeUndefined();
    expect(kubeVersionAllows('>= 1.19 ||', 'v1.36.3')).toBeUndefined();
    expect(kubeVersionAllows('>= 1.19', 'latest')).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { readAddonCatalogue } from '../../src/inputs/addons.js';
import { argoCdRelease, argoCdReleasePin, chartAppRelease } from '../../src/inputs/releases.js';
import { repoRoot } from '../support/temp-repo.js';

describe('the releases the pinned add-ons run', () => {
  it('a chart runs its appVersion where it is versioned apart, else v<chart version>', async () => {
    const { catalogue } = await readAddonCatalogue(repoRoot);
    expect(chartAppRelease(catalogue!, 'argo-workflows')).toBe(catalogue!.charts['argo-workflows'].appVersion);
    expect(chartAppRelease(catalogue!, 'external-secrets')).toBe(`v${catalogue!.charts['external-secrets'].version}`);
  });

  it('Argo CD runs the argo-cd image override, else the chart appVersion, and says which pin it read', async () => {
    const { catalogue } = await readAddonCatalogue(repoRoot);
    const chart = catalogue!.charts['argo-cd'];
    expect(argoCdRelease(catalogue!)).toBe(chart.image?.tag ?? chart.appVersion);
    expect(argoCdRelease(catalogue!)).toMatch(/^v3\.\d+\.\d+$/);
    expect(argoCdReleasePin(catalogue!)).toBe(chart.image ? 'clusters/addons.yaml charts.argo-cd.image.tag' : 'clusters/addons.yaml charts.argo-cd.appVersion');
    const { image: _override, ...withoutOverride } = chart;
    const chartOnly = { ...catalogue!, charts: { ...catalogue!.charts, 'argo-cd': withoutOverride } };
    expect(argoCdRelease(chartOnly)).toBe(chart.appVersion);
    expect(argoCdReleasePin(chartOnly)).toBe('clusters/addons.yaml charts.argo-cd.appVersion');
  });
});

/**
 * The CRDs validate, the rehearsal's API server and `npm run import` read are the ones the clusters
 * install. Argo CD's are the CRDs of the release the clusters run (the chart's own are off), so they
 * follow `argoCdRelease`, not the chart's appVersion, and are the very files the clusters apply.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { argocdCrdFiles, argocdCrdFolder, argocdCrdNames } from '../../src/argocd/argocd-crds.js';
import { readAddonCatalogue } from '../../src/inputs/addons.js';
import { loadClusters } from '../../src/inputs/clusters.js';
import { argoCdRelease } from '../../src/inputs/releases.js';
import type { AddonCatalogue } from '../../src/inputs/schemas/addons.js';
import { downloadGoModule } from '../../src/tools/go.js';
import { addonCrdSources, chartCrds, clusterCrdSources, repositoryCrdSources } from '../../src/validate/crd-sources.js';
import { repoRoot } from '../support/temp-repo.js';

const catalogue = async (): Promise<AddonCatalogue> => (await readAddonCatalogue(repoRoot)).catalogue!;
const argoCd = (sources: readonly { id: string; version: string; pin: string }[]) => sources.filter((source) => source.id === 'argo-cd');

describe('the Argo CD CRDs validate and rehearse use', () => {
  it('are those of the release the clusters run (argoCdRelease), in every cluster and for npm run import', async () => {
    const pins = await catalogue();
    const release = argoCdRelease(pins);
    expect(argoCd(addonCrdSources(pins))).toEqual([expect.objectContaining({ version: release, pin: 'clusters/addons.yaml charts.argo-cd.image.tag' })]);
    for (const cluster of await loadClusters(repoRoot)) expect(argoCd(clusterCrdSources(pins, cluster)).map((source) => source.version), cluster.name).toEqual([release]);
    expect(argoCd(await repositoryCrdSources(repoRoot)).map((source) => source.version)).toEqual([release]);
  });

  it("follow the image override, not the chart's appVersion (whose CRDs the chart would install)", async () => {
    const pins = await catalogue();
    const chart = pins.charts['argo-cd'];
    const moved = { ...pins, charts: { ...pins.charts, 'argo-cd': { ...chart, appVersion: 'v3.4.4', image: { tag: 'v3.5.8' } } } };
    expect(argoCd(addonCrdSources(moved)).map((source) => source.version)).toEqual(['v3.5.8']);
    const { image: _override, ...withoutOverride } = chart;
    const chartOnly = { ...pins, charts: { ...pins.charts, 'argo-cd': withoutOverride } };
    expect(argoCd(addonCrdSources(chartOnly))).toEqual([expect.objectContaining({ version: chart.appVersion, pin: 'clusters/addons.yaml charts.argo-cd.appVersion' })]);
  });

  it('are the files the clusters apply: manifests/crds of the release, all of its kustomization, the three Argo CD CRDs', { timeout: 300_000 }, async () => {
    const release = argoCdRelease(await catalogue());
    expect(chartCrds['argo-cd']!.files).toEqual(argocdCrdFiles.map((file) => `${argocdCrdFolder}/${file}`));
    const dir = await downloadGoModule(chartCrds['argo-cd']!.module, release);
    // addon-argo-cd syncs the folder through its kustomization: it must install exactly what validate reads.
    const kustomization = parse(await readFile(path.join(dir, argocdCrdFolder, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
    expect([...kustomization.resources].sort()).toEqual([...argocdCrdFiles].sort());
    const names: string[] = [];
    for (const file of argocdCrdFiles) {
      for (const doc of parseAllDocuments(await readFile(path.join(dir, argocdCrdFolder, file), 'utf8'))) names.push((doc.toJS() as { metadata: { name: string } }).metadata.name);
    }
    expect(names.sort()).toEqual([...argocdCrdNames].sort());
  });
});

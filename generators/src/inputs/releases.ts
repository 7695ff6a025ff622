import type { AddonCatalogue, ChartId } from './schemas/addons.js';

/**
 * The application releases the pinned add-ons run, derived from `clusters/addons.yaml` alone (no
 * pin of their own): render, validate, `npm run import`, the rehearsal and the Argo CD build all
 * ask here, so they cannot disagree.
 */

/** The release of the application a pinned chart runs: its appVersion, or v<chart version>. */
export function chartAppRelease(catalogue: AddonCatalogue, chart: ChartId): string {
  const pinned = catalogue.charts[chart];
  return pinned.appVersion ?? `v${pinned.version}`;
}

/**
 * The Argo CD release the clusters run: the image the argo-cd chart is told to run
 * (`charts.argo-cd.image.tag`), else the chart version's appVersion. Its CRDs are the ones the
 * clusters install (the chart's own are turned off: `argocd/argocd-crds.ts`), so they are also
 * the ones `validate`, the rehearsal's API server and `npm run import` read.
 */
export function argoCdRelease(catalogue: AddonCatalogue): string {
  return catalogue.charts['argo-cd'].image?.tag ?? chartAppRelease(catalogue, 'argo-cd');
}

/** The `clusters/addons.yaml` field `argoCdRelease` reads, for messages. */
export function argoCdReleasePin(catalogue: AddonCatalogue): string {
  return catalogue.charts['argo-cd'].image ? 'clusters/addons.yaml charts.argo-cd.image.tag' : 'clusters/addons.yaml charts.argo-cd.appVersion';
}

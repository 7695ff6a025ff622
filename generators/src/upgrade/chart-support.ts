/**
 * Whether each add-on chart a cluster installs declares support for the target Kubernetes release:
 * the `kubeVersion` of its pinned Chart.yaml, judged as Helm judges it before an install
 * (`kube-version-range.ts`). Chart repositories are not reachable here; a Chart.yaml is read only
 * where a Go module the proxy serves holds the chart at the pinned release
 * (`chartValuesSources`, the same folders the Helm values check reads). Every other chart is
 * "unknown", and unknown is never counted as supported.
 *
 * Only the pinned chart is available offline, so the minimum chart version that supports the
 * target is not known here when the pinned one does not.
 */
import type { AddonCatalogue, ChartId } from '../inputs/schemas/addons.js';
import type { EnsureOptions } from '../tools/go.js';
import { chartFiles, chartValuesSources } from '../validate/chart-values.js';
import { kubeVersionAllows } from './kube-version-range.js';

/**
 * - `supported`: the Chart.yaml's kubeVersion includes the target;
 * - `unsupported`: it excludes the target (Helm refuses the install): blocks the upgrade;
 * - `undeclared`: the Chart.yaml has no kubeVersion (Helm installs it anywhere; support is not stated);
 * - `unknown`: the chart is not available offline, or its kubeVersion is not understood.
 */
export type ChartSupportStatus = 'supported' | 'unsupported' | 'undeclared' | 'unknown';

export interface ChartSupport {
  readonly chart: ChartId;
  readonly version: string;
  readonly status: ChartSupportStatus;
  /** One sentence: what was read and where. */
  readonly detail: string;
}

/** The support each chart declares for `release` (`v1.36.3`), in the order given. */
export async function chartSupport(cacheRoot: string, catalogue: AddonCatalogue, charts: readonly ChartId[], release: string, options: EnsureOptions = {}): Promise<ChartSupport[]> {
  const rows: ChartSupport[] = [];
  for (const chart of charts) {
    const version = catalogue.charts[chart].version;
    const row = (status: ChartSupportStatus, detail: string): ChartSupport => ({ chart, version, status, detail });
    if (!chartValuesSources[chart]) {
      rows.push(row('unknown', 'unknown (chart not available offline)'));
      continue;
    }
    const files = await chartFiles(cacheRoot, catalogue, chart, options);
    const where = `${files.label}Chart.yaml`;
    if (files.kubeVersion === undefined) {
      rows.push(row('undeclared', `no kubeVersion in ${where}: Helm does not refuse it, but the chart states no support`));
      continue;
    }
    const allowed = kubeVersionAllows(files.kubeVersion, release);
    if (allowed === undefined) rows.push(row('unknown', `kubeVersion "${files.kubeVersion}" in ${where} is not understood here`));
    else if (allowed) rows.push(row('supported', `kubeVersion "${files.kubeVersion}" in ${where} includes ${release}`));
    else rows.push(row('unsupported', `kubeVersion "${files.kubeVersion}" in ${where} excludes ${release}: Helm refuses the install; the minimum chart that supports it is unknown (only the pinned chart is available offline)`));
  }
  return rows;
}

import type { DiffReport } from '../report.js';

/** Machine-readable report: the same (redacted) content as the other formats. */
export function renderJson(report: DiffReport, exitCode: number): string {
  const clusters = new Map<string, { name: string; production: boolean; apps: unknown[] }>();
  for (const group of report.groups) {
    const cluster = clusters.get(group.cluster) ?? { name: group.cluster, production: group.production, apps: [] };
    cluster.apps.push({
      name: group.app,
      counts: group.counts,
      changes: group.changes.map((change) => ({
        status: change.status,
        apiVersion: change.apiVersion,
        kind: change.kind,
        namespace: change.namespace || undefined,
        name: change.name,
        file: (change.head ?? change.base)?.file,
        movedFrom: change.movedFrom,
        hiddenChanges: change.hiddenChanges.length ? change.hiddenChanges : undefined,
        patch: change.patch || undefined,
      })),
    });
    clusters.set(group.cluster, cluster);
  }
  return JSON.stringify(
    {
      base: report.base,
      exitCode,
      dataLoss: report.dataLoss,
      totals: report.totals,
      flags: report.flags,
      images: report.images,
      syncWindows: report.syncWindows ?? [],
      clusters: [...clusters.values()],
    },
    null,
    2,
  );
}

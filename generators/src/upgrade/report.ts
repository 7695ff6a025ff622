/**
 * The upgrade check's report of one cluster, as text (in the style of `validate`: a summary line,
 * then one indented line per finding), as Markdown (the body of the cluster's GitHub issue) and as
 * JSON (for the workflow that keeps that issue).
 */
import type { ChartSupport, ChartSupportStatus } from './chart-support.js';
import { BLOCKING_KINDS, blocks, WARNING_KINDS, type FindingKind, type UpgradeFinding } from './findings.js';

export interface ClusterUpgrade {
  readonly cluster: string;
  /** Kubernetes minor the cluster runs (`1.35`). */
  readonly from: string;
  /** Kubernetes minor judged (`1.36`). */
  readonly to: string;
  /** The pinned release of the target (`v1.36.3`) and the etcd under it. */
  readonly release: string;
  readonly etcd: string;
  /** `kubeconform v0.8.0`, ... with the versions that ran. */
  readonly engines: readonly string[];
  readonly resources: number;
  readonly findings: readonly UpgradeFinding[];
  readonly charts: readonly ChartSupport[];
}

const LABELS: Record<FindingKind, [string, string]> = {
  rejected: ['rejected', 'rejected by the target API server'],
  'not-served': ['not served', 'API version not served'],
  schema: ['schema', 'invalid for the target schemas'],
  dropped: ['dropped fields', 'fields dropped on the way to storage'],
  'second-apply': ['changed by a second apply', 'changed by a second apply'],
  'not-judged': ['not judged', 'could not be judged'],
  deprecation: ['deprecation warnings', 'deprecation warning'],
  warning: ['other warnings', 'other warning'],
};

/** Whether anything blocks the upgrade of this cluster. */
export function upgradeBlocked(result: ClusterUpgrade): boolean {
  return blockingCount(result) > 0;
}

function blockingCount(result: ClusterUpgrade): number {
  return result.findings.filter(blocks).length + result.charts.filter((c) => c.status === 'unsupported').length;
}

function when(finding: UpgradeFinding, result: ClusterUpgrade): string {
  return finding.onCurrent ? `also on ${result.from}: validate fails on it today` : `new in ${result.to}${blocks(finding) ? `: change it before the upgrade, in a form ${result.from} accepts too` : ''}`;
}

function chartCounts(result: ClusterUpgrade): Record<ChartSupportStatus, number> {
  const count = (status: ChartSupportStatus) => result.charts.filter((c) => c.status === status).length;
  return { supported: count('supported'), unsupported: count('unsupported'), undeclared: count('undeclared'), unknown: count('unknown') };
}

/** The one-line verdict. */
export function verdictLine(result: ClusterUpgrade): string {
  const n = blockingCount(result);
  const warnings = result.findings.filter((f) => !blocks(f)).length;
  const charts = chartCounts(result);
  const notCounted = charts.unknown + charts.undeclared;
  const rest = [`${warnings} warning${warnings === 1 ? '' : 's'}`, ...(notCounted ? [`${notCounted} chart${notCounted === 1 ? '' : 's'} without a stated support for ${result.release}: not counted as supported`] : [])].join('; ');
  return n === 0
    ? `${result.cluster}: nothing blocks the upgrade from ${result.from} to ${result.to}: the tree as it is applies on ${result.release} (${rest})`
    : `${result.cluster}: ${n} finding${n === 1 ? '' : 's'} block${n === 1 ? 's' : ''} the upgrade from ${result.from} to ${result.to} (${rest})`;
}

/** Text lines for one cluster. */
export function formatText(result: ClusterUpgrade): string[] {
  const lines = [`${result.cluster}: Kubernetes ${result.from} → ${result.to}: ${result.resources} resources judged by kube-apiserver ${result.release} (etcd ${result.etcd}), ${result.engines.join(', ')} with the ${result.release.replace(/^v/, '')} schemas`];
  const counts = (kinds: readonly FindingKind[]) => kinds.map((kind) => `${result.findings.filter((f) => f.kind === kind).length} ${LABELS[kind][0]}`).join(', ');
  lines.push(`${result.cluster}: blocking: ${counts(BLOCKING_KINDS)}; warnings: ${counts(WARNING_KINDS)}`);
  for (const f of result.findings) lines.push(`  ${LABELS[f.kind][1]}: ${f.file ? `${f.file}: ` : ''}${f.resource}: ${f.message} (${f.engine}; ${when(f, result)})`);
  const charts = chartCounts(result);
  lines.push(`${result.cluster}: charts: ${charts.supported} declare support for ${result.release}, ${charts.unsupported} exclude it, ${charts.undeclared} declare no kubeVersion, ${charts.unknown} unknown`);
  for (const c of result.charts) lines.push(`  ${c.chart} ${c.version}: ${c.status}: ${c.detail}`);
  lines.push(verdictLine(result));
  return lines;
}

/** Markdown for the cluster's issue. */
export function formatMarkdown(result: ClusterUpgrade, context: { readonly commit?: string; readonly runUrl?: string } = {}): string {
  const blocked = upgradeBlocked(result);
  const escape = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const out: string[] = [
    `## ${result.cluster}: upgrade from Kubernetes ${result.from} to ${result.to}`,
    '',
    blocked ? `**${blockingCount(result)} finding(s) block the upgrade.**` : '**Nothing blocks the upgrade** that the engines can judge.',
    '',
    `Judged by kube-apiserver ${result.release} (etcd ${result.etcd}), ${result.engines.join(', ')} with the ${result.release.replace(/^v/, '')} schemas: ${result.resources} resources of \`clusters/${result.cluster}/rendered/\`${context.commit ? ` at ${context.commit}` : ''}.${context.runUrl ? ` [Run](${context.runUrl}).` : ''}`,
    '',
  ];
  const section = (title: string, findings: readonly UpgradeFinding[]) => {
    out.push(`### ${title} (${findings.length})`, '');
    if (findings.length === 0) {
      out.push('None.', '');
      return;
    }
    out.push('| finding | file | resource | message | engine | since |', '| --- | --- | --- | --- | --- | --- |');
    for (const f of findings) out.push(`| ${LABELS[f.kind][1]} | \`${f.file}\` | ${escape(f.resource)} | ${escape(f.message)} | ${f.engine} | ${escape(when(f, result))} |`);
    out.push('');
  };
  section('Blocking', result.findings.filter(blocks));
  section('Warnings (verbatim from the server)', result.findings.filter((f) => !blocks(f)));
  out.push(`### Add-on charts and ${result.release}`, '', '| chart | pinned | support | detail |', '| --- | --- | --- | --- |');
  for (const c of result.charts) out.push(`| ${c.chart} | ${c.version} | ${c.status} | ${escape(c.detail)} |`);
  out.push('', `Unknown and undeclared are never counted as supported. \`gitops upgrade-check --cluster ${result.cluster}\` reproduces this report.`, '');
  return out.join('\n');
}

/** The machine-readable summary the workflow reads. */
export function formatJson(result: ClusterUpgrade): Record<string, unknown> {
  return {
    cluster: result.cluster,
    from: result.from,
    to: result.to,
    release: result.release,
    blocked: upgradeBlocked(result),
    blocking: blockingCount(result),
    warnings: result.findings.filter((f) => !blocks(f)).length,
    charts: chartCounts(result),
    findings: result.findings,
  };
}

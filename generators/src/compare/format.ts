import type { Difference, DifferenceClass, EnvironmentComparison } from './environments.js';

/** `gitops compare` output: the same three tables in the terminal and in Markdown. */

interface Section {
  readonly title: string;
  readonly classes: readonly DifferenceClass[];
  readonly withReason: boolean;
}

const sections: readonly Section[] = [
  { title: 'Images', classes: ['image'], withReason: false },
  { title: 'Drift (nothing declares it for the target cluster)', classes: ['drift'], withReason: true },
  { title: 'Expected differences (declared for the target cluster in the inputs, or following from the clusters)', classes: ['declared', 'cluster'], withReason: true },
];

const NOT_SET = '—';

function cell(value: string | undefined, max: number): string {
  const text = value ?? NOT_SET;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function rows(comparison: EnvironmentComparison, section: Section, max: number): string[][] {
  return comparison.differences
    .filter((difference) => section.classes.includes(difference.class))
    .map((difference: Difference) => [difference.service, difference.aspect, difference.setting, cell(difference.from, max), cell(difference.to, max), ...(section.withReason ? [difference.reason] : [])]);
}

function headers(comparison: EnvironmentComparison, section: Section): string[] {
  return ['service', 'aspect', 'setting', comparison.from, comparison.to, ...(section.withReason ? ['why'] : [])];
}

/** The one-line summary both formats start with. */
export function summaryLine(comparison: EnvironmentComparison): string {
  const { image, drift, declared, cluster } = comparison.counts;
  const services = comparison.services.length;
  return `${comparison.from} → ${comparison.to}: ${services} service${services === 1 ? '' : 's'} compared; ${image} image difference${image === 1 ? '' : 's'}, ${drift} drift, ${declared + cluster} expected`;
}

/** Plain-text tables, columns padded. */
export function renderCompareText(comparison: EnvironmentComparison): string {
  const lines = [summaryLine(comparison), ...comparison.clusters.map((line) => `  ${line}`)];
  for (const section of sections) {
    const body = rows(comparison, section, 40);
    lines.push('', `${section.title}: ${body.length}`);
    if (body.length === 0) continue;
    const head = headers(comparison, section);
    const widths = head.map((title, column) => Math.max(title.length, ...body.map((row) => row[column]!.length)));
    const format = (row: readonly string[]) => `  ${row.map((value, column) => (column === row.length - 1 ? value : value.padEnd(widths[column]!))).join('  ')}`.trimEnd();
    lines.push(format(head), format(widths.map((width) => '-'.repeat(width))), ...body.map(format));
  }
  return lines.join('\n');
}

/** Markdown tables (pipes and backticks in values escaped). */
export function renderCompareMarkdown(comparison: EnvironmentComparison): string {
  const escape = (value: string) => value.replaceAll('\\', '\\\\').replaceAll('|', '\\|').replaceAll('\n', ' ');
  const lines = [`### Compare \`${comparison.from}\` → \`${comparison.to}\``, '', summaryLine(comparison), '', ...comparison.clusters.map((line) => `- ${line}`)];
  for (const section of sections) {
    const body = rows(comparison, section, 120);
    lines.push('', `#### ${section.title}: ${body.length}`);
    if (body.length === 0) continue;
    const head = headers(comparison, section);
    lines.push('', `| ${head.map(escape).join(' | ')} |`, `|${head.map(() => ' --- ').join('|')}|`, ...body.map((row) => `| ${row.map(escape).join(' | ')} |`));
  }
  return lines.join('\n');
}

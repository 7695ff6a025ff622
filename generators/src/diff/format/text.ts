import { describe } from '../snapshot.js';
import { describeNote } from '../sync-window-notes.js';
import { kindList, planLine, STATUS_SYMBOL, type DiffReport } from '../report.js';
import type { RiskLevel } from '../risk.js';

/** Terminal output: summary and flags first, then each cluster/app with its unified diffs. */
export function renderText(report: DiffReport, options: { color: boolean; summaryOnly?: boolean }): string {
  const paint = (code: string) => (text: string) => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const bold = paint('1');
  const red = paint('31');
  const green = paint('32');
  const yellow = paint('33');
  const cyan = paint('36');
  const dim = paint('2');
  const levelLabel: Record<RiskLevel, string> = { 'data-loss': red(bold('DATA LOSS')), danger: yellow('DANGER   '), notice: cyan('NOTICE   ') };

  const lines: string[] = [];
  lines.push(bold(`Rendered diff against ${report.base.ref} (${report.base.commit.slice(0, 12)})`));
  lines.push('');
  if (report.flags.length) {
    lines.push(bold('Risk flags:'));
    for (const flag of report.flags) {
      const where = [flag.cluster, flag.app].filter(Boolean).join('/');
      lines.push(`  ${levelLabel[flag.level]}  ${flag.rule}  ${where}${flag.resource ? `  ${flag.resource}` : ''}`);
      lines.push(`             ${flag.message}`);
    }
    lines.push('');
  }
  if (report.images.length) {
    lines.push(bold('Image changes:'));
    for (const image of report.images) {
      lines.push(`  ${image.cluster}/${image.app}  ${image.resource}  ${image.container}: ${image.from ?? '(none)'} -> ${image.to ?? '(removed)'}`);
    }
    lines.push('');
  }
  if (report.syncWindows?.length) {
    lines.push(bold('When it reaches the cluster:'));
    for (const note of report.syncWindows) lines.push(`  ${describeNote(note)}`);
    lines.push('');
  }
  lines.push(bold(planLine(report.totals)));
  if (report.groups.length === 0) {
    lines.push('No changes to the rendered tree.');
    return lines.join('\n');
  }
  for (const group of report.groups) {
    const parts = (['added', 'changed', 'removed', 'moved'] as const)
      .filter((status) => group.counts[status])
      .map((status) => `${STATUS_SYMBOL[status]}${group.counts[status]} ${status} (${kindList(group.kinds[status])})`);
    lines.push(`  ${group.cluster}${group.production ? ' [production]' : ''} / ${group.app}: ${parts.join(', ')}`);
  }
  if (options.summaryOnly) return lines.join('\n');
  for (const group of report.groups) {
    lines.push('');
    lines.push(bold(`== ${group.cluster} / ${group.app}${group.production ? ' [production]' : ''}`));
    for (const change of group.changes) {
      lines.push('');
      const symbol = { added: green('+'), removed: red('-'), changed: yellow('~'), moved: cyan('>') }[change.status];
      lines.push(`${symbol} ${bold(describe(change))} ${dim(change.apiVersion)} ${dim(`(${change.status})`)}`);
      if (change.movedFrom) lines.push(dim(`  moved from ${change.movedFrom} to ${change.head?.file ?? ''}`));
      if (change.hiddenChanges.length) lines.push(yellow(`  redacted values changed: ${change.hiddenChanges.join(', ')}`));
      for (const line of change.patch ? change.patch.split('\n') : []) {
        if (line.startsWith('+++') || line.startsWith('---')) lines.push(bold(line));
        else if (line.startsWith('+')) lines.push(green(line));
        else if (line.startsWith('-')) lines.push(red(line));
        else if (line.startsWith('@@')) lines.push(cyan(line));
        else lines.push(line);
      }
    }
  }
  return lines.join('\n');
}

import type { ResourceChange } from '../compare.js';
import { describeNote } from '../sync-window-notes.js';
import { kindList, planLine, STATUS_SYMBOL, type AppGroup, type DiffReport } from '../report.js';
import type { RiskFlag, RiskLevel } from '../risk.js';
import { describe } from '../snapshot.js';

/**
 * Markdown for GitHub pull-request comments. A comment holds at most 65,536 characters, so the
 * report is packed into parts: the summary, flags and image list first, then one collapsible
 * section per cluster/app. A section that does not fit in what is left of a part starts the next
 * one; a section larger than a whole part is split between resources (and a resource diff larger
 * than a part between lines), each piece saying "continued". Nothing is ever dropped.
 *
 * Each part starts with a hidden marker (`<!-- gitops-diff part=2 of=3 -->`) so the workflow can
 * update its comments in place and delete stale ones.
 */

/** GitHub's limit on the body of an issue or pull-request comment, in characters. */
export const COMMENT_LIMIT = 65_536;

/** The hidden marker that starts part `index` of `total`. */
export function partMarker(index: number, total: number): string {
  return `<!-- gitops-diff part=${index} of=${total} -->`;
}

/** Matches a part marker at the start of a comment body. */
export const PART_MARKER_PATTERN = /^<!-- gitops-diff part=(\d+) of=(\d+) -->/;

const levelLabel: Record<RiskLevel, string> = { 'data-loss': '🛑 data loss', danger: '⚠️ danger', notice: 'ℹ️ notice' };

/** Escapes text for a table cell or a paragraph: no HTML, no column breaks, one line. */
function cell(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function code(text: string): string {
  return text ? `\`${text.replace(/`/g, "'")}\`` : '';
}

function fenceFor(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  return '`'.repeat(Math.max(3, longest + 1));
}

/** Splits text into pieces of at most `size` characters (never inside a surrogate pair). */
function hardSplit(text: string, size: number): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > size) {
    let cut = size;
    const code = rest.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut--;
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  pieces.push(rest);
  return pieces;
}

/** A table split into chunks of whole rows, each (with the header repeated) at most `budget`. */
function tableChunks(header: string, rows: readonly string[], budget: number): string[] {
  const chunks: string[] = [];
  let current = header;
  const room = budget - header.length - 2;
  for (const original of rows) {
    const rowPieces = original.length + 1 > room ? hardSplit(original, room - 8).map((piece, index) => (index === 0 ? piece : `| … | ${piece} |`)) : [original];
    for (const row of rowPieces) {
      if (current.length + row.length + 2 > budget && current !== header) {
        chunks.push(`${current}\n`);
        current = header;
      }
      current += `${row}\n`;
    }
  }
  if (current !== header) chunks.push(`${current}\n`);
  return chunks;
}

/** A titled table: the title travels with the first chunk. */
function titled(title: string, header: string, rows: readonly string[], budget: number): string[] {
  const chunks = tableChunks(header, rows, budget - title.length);
  return chunks.map((chunk, index) => (index === 0 ? title + chunk : chunk));
}

function flagRows(flags: readonly RiskFlag[]): string[] {
  return flags.map((flag) => `| ${levelLabel[flag.level]} | ${code(flag.rule)} | ${cell([flag.cluster, flag.app].filter(Boolean).join(' / '))} | ${cell(flag.resource)} | ${cell(flag.message)} |`);
}

function groupTitle(group: AppGroup): string {
  const badge = group.production && !group.cluster.includes('prod') ? ' (production)' : '';
  return `${group.cluster}${badge} / ${group.app}`;
}

function countsLine(group: AppGroup): string {
  return (['added', 'changed', 'removed', 'moved'] as const)
    .filter((status) => group.counts[status])
    .map((status) => `${STATUS_SYMBOL[status]}${group.counts[status]} ${status}`)
    .join(', ');
}

/** The blocks before the sections: title, plan, flags, images, summary table. */
function headerBlocks(report: DiffReport, budget: number): string[] {
  const blocks: string[] = [];
  const dataLoss = report.flags.filter((flag) => flag.level === 'data-loss').length;
  let intro = `### Rendered diff against ${code(report.base.ref)} (${code(report.base.commit.slice(0, 12))})\n\n**${planLine(report.totals)}**`;
  intro += ` ${report.totals.unchanged} resource${report.totals.unchanged === 1 ? '' : 's'} unchanged.\n\n`;
  if (dataLoss) {
    intro += `> [!CAUTION]\n> **${dataLoss} data-loss flag${dataLoss === 1 ? '' : 's'}.** Merging deletes or replaces something that holds data. This check fails unless the pull request carries the \`allow-data-loss\` label.\n\n`;
  } else if (report.flags.some((flag) => flag.level === 'danger')) {
    intro += `> [!WARNING]\n> Risky changes below: review them before merging.\n\n`;
  }
  if (report.groups.length === 0) intro += 'No changes to the rendered tree.\n\n';
  if (report.htmlReport) intro += `Every resource diff, searchable, side by side or unified: [HTML report](${report.htmlReport.url}) (${cell(report.htmlReport.where)}).\n\n`;
  blocks.push(intro);

  if (report.flags.length) {
    blocks.push(...titled('#### Risk flags\n\n', '| level | rule | cluster / app | resource | why |\n|---|---|---|---|---|\n', flagRows(report.flags), budget));
  }
  if (report.images.length) {
    const rows = report.images.map(
      (image) => `| ${cell(`${image.cluster} / ${image.app}`)} | ${cell(image.resource)} | ${cell(image.container)} | ${image.from ? code(image.from) : '(new)'} | ${image.to ? code(image.to) : '(removed)'} |`,
    );
    blocks.push(...titled('#### Image changes\n\n', '| cluster / app | resource | container | from | to |\n|---|---|---|---|---|\n', rows, budget));
  }
  if (report.syncWindows?.length) {
    blocks.push(`#### When it reaches the cluster\n\n${report.syncWindows.map((note) => `- ${cell(describeNote(note))}`).join('\n')}\n\n`);
  }
  if (report.groups.length) {
    const rows = report.groups.map(
      (group) =>
        `| ${cell(groupTitle(group))} | ${cell(kindList(group.kinds.added))} | ${cell(kindList(group.kinds.changed))} | ${cell(kindList(group.kinds.removed))} | ${cell(kindList(group.kinds.moved))} |`,
    );
    blocks.push(...titled('#### Summary\n\n', '| cluster / app | + added | ~ changed | - removed | > moved |\n|---|---|---|---|---|\n', rows, budget));
  }
  return blocks;
}

interface Section {
  readonly open: (continued: boolean) => string;
  readonly close: string;
  /** One block per resource (pre-split so each fits in an empty part with the wrapper). */
  readonly items: readonly string[];
}

function changeHeading(change: ResourceChange, continued: boolean): string {
  const file = change.head?.file ?? change.base?.file ?? '';
  const where = change.movedFrom ? `moved ${code(change.movedFrom)} → ${code(file)}` : code(file);
  return `**${STATUS_SYMBOL[change.status]} ${cell(describe(change))}**${continued ? ' (continued)' : ''} · ${code(change.apiVersion || 'file')} · ${where}\n\n`;
}

/** One resource as blocks of at most `room` characters each. */
function changeItems(change: ResourceChange, room: number): string[] {
  let preface = changeHeading(change, false);
  if (change.status === 'moved') preface += 'Moved to another file, content unchanged.\n\n';
  if (change.hiddenChanges.length) preface += `🔒 Redacted values changed: ${change.hiddenChanges.map(code).join(', ')}\n\n`;
  if (!change.patch) return [preface];
  const fence = fenceFor(change.patch);
  const whole = `${preface}${fence}diff\n${change.patch}\n${fence}\n\n`;
  if (whole.length <= room) return [whole];

  const items: string[] = [];
  const overhead = (heading: string) => heading.length + 2 * fence.length + 'diff\n\n\n\n'.length;
  const lines = change.patch.split('\n').flatMap((line) => {
    const max = room - overhead(changeHeading(change, true)) - 16;
    return line.length <= max ? [line] : hardSplit(line, max - 2).map((piece, index) => (index === 0 ? piece : `${line[0] ?? ' '}…${piece}`));
  });
  let heading = preface;
  let body: string[] = [];
  let size = 0;
  const flush = () => {
    items.push(`${heading}${fence}diff\n${body.join('\n')}\n${fence}\n\n`);
    heading = changeHeading(change, true);
    body = [];
    size = 0;
  };
  for (const line of lines) {
    if (body.length && overhead(heading) + size + line.length + 1 > room) flush();
    body.push(line);
    size += line.length + 1;
  }
  if (body.length) flush();
  return items;
}

function sections(report: DiffReport, budget: number): Section[] {
  return report.groups.map((group) => {
    const dataLoss = report.flags.some((flag) => flag.level === 'data-loss' && flag.cluster === group.cluster && flag.app === group.app);
    const open = (continued: boolean) =>
      `<details${dataLoss ? ' open' : ''}>\n<summary><b>${cell(groupTitle(group))}</b>${continued ? ' (continued)' : ''}: ${cell(countsLine(group))}</summary>\n\n`;
    const close = '</details>\n\n';
    const room = budget - open(true).length - close.length;
    return { open, close, items: group.changes.flatMap((change) => changeItems(change, room)) };
  });
}

/** The whole report as one Markdown document (what `--output` gets): never split, never cut. */
export function renderMarkdown(report: DiffReport): string {
  const budget = Number.MAX_SAFE_INTEGER;
  const body = [...headerBlocks(report, budget), ...sections(report, budget).map((section) => section.open(false) + section.items.join('') + section.close)];
  return body.join('').replace(/\n+$/, '\n');
}

/**
 * The report as comment bodies of at most `limit` characters each, every one starting with its
 * marker. Reading the parts in order gives every block of the report.
 */
export function renderMarkdownParts(report: DiffReport, limit = COMMENT_LIMIT): string[] {
  const partHeader = (index: number, total: number) =>
    `${partMarker(index, total)}\n` + (total > 1 ? `**Part ${index}/${total}** of the rendered diff${index > 1 ? ' (continued)' : ''}; the whole diff is in the workflow artifact.\n\n` : '');
  const reserve = partHeader(99999, 99999).length + 1;
  const budget = limit - reserve;
  if (budget < 2000) throw new Error(`comment limit ${limit} is too small to hold a part`);

  const parts: string[][] = [];
  let current: string[] = [];
  let size = 0;
  const flush = () => {
    if (current.length) parts.push(current);
    current = [];
    size = 0;
  };
  const add = (block: string) => {
    if (size + block.length > budget) flush();
    current.push(block);
    size += block.length;
  };

  for (const block of headerBlocks(report, budget)) add(block);
  for (const section of sections(report, budget)) {
    const whole = section.open(false) + section.items.join('') + section.close;
    if (whole.length <= budget - size) {
      add(whole);
      continue;
    }
    if (whole.length <= budget) {
      flush();
      add(whole);
      continue;
    }
    // Larger than a part: fill what is left, continue in the next parts.
    let continued = false;
    let chunk = section.open(continued);
    let items = 0;
    for (const item of section.items) {
      if (size + chunk.length + item.length + section.close.length > budget) {
        if (items > 0) {
          add(chunk + section.close);
          continued = true;
        }
        flush();
        chunk = section.open(continued);
        items = 0;
      }
      chunk += item;
      items++;
    }
    if (items > 0) add(chunk + section.close);
  }
  flush();
  if (parts.length === 0) parts.push([]);
  return parts.map((blocks, index) => `${partHeader(index + 1, parts.length)}${blocks.join('')}`.replace(/\n+$/, '\n'));
}

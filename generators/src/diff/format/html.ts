import type { DiffReport } from '../report.js';
import { describeNote } from '../sync-window-notes.js';
import { renderJson } from './json.js';

/**
 * The rendered diff as one self-contained HTML page, for the pull request's artifact: the summary,
 * the flags, the images, the sync-window notes and every resource diff, collapsible per cluster,
 * app and resource, searchable, in a unified or side-by-side view.
 *
 * Nothing is fetched: the data is the JSON report (`json.ts`, the same redacted content) embedded
 * in the page, the style and script are inline, and a Content-Security-Policy of `default-src
 * 'none'` forbids every request. No diff library: the report already holds each resource's
 * unified patch (computed by `diff`, the jsdiff package), and the page only lays out its lines,
 * pairing removed and added lines for the side-by-side view. Diff bodies are built when a
 * resource is opened, so a report of thousands of resources loads quickly.
 */
export function renderHtml(report: DiffReport, exitCode: number): string {
  const data = renderJson(report, exitCode)
    // Inside <script>: no "</script>", no "<!--", and line separators JavaScript would choke on.
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  const notes = report.syncWindows ?? [];
  const windows = notes.length ? `<h2>When the change reaches the clusters (sync windows)</h2><ul>${notes.map((note) => `<li>${escapeHtml(describeNote(note))}</li>`).join('')}</ul>` : '';
  const title = `Rendered diff against ${report.base.ref} (${report.base.commit.slice(0, 12)})`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<div id="summary"></div>
<div class="controls">
<input id="search" type="search" placeholder="Search resources: kind, name, namespace, app, cluster or diff text" aria-label="Search resources" autocomplete="off">
<span id="matches" aria-live="polite"></span>
<label><input type="radio" name="view" value="unified" checked> unified</label>
<label><input type="radio" name="view" value="split"> side by side</label>
<button id="expand" type="button">open all</button>
<button id="collapse" type="button">close all</button>
</div>
</header>
<main>
<section id="flags"></section>
<section id="images"></section>
<section id="windows">${windows}</section>
<section id="clusters"></section>
</main>
<script type="application/json" id="report-data">${data}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const STYLE = `
:root { color-scheme: light dark; --add: #e6ffec; --del: #ffebe9; --addw: #abf2bc; --delw: #ffc0c0; --muted: #656d76; --line: #d0d7de; }
@media (prefers-color-scheme: dark) { :root { --add: #12261e; --del: #25171c; --muted: #8d96a0; --line: #30363d; } }
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 1.5rem 3rem; }
header { position: sticky; top: 0; background: Canvas; padding: .5rem 0; border-bottom: 1px solid var(--line); z-index: 1; }
h1 { font-size: 1.2rem; margin: .3rem 0; }
h2 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
.controls { display: flex; gap: .8rem; align-items: center; flex-wrap: wrap; margin-top: .4rem; }
#search { flex: 1 1 24rem; padding: .3rem .5rem; font: inherit; }
#matches { color: var(--muted); min-width: 10rem; }
table { border-collapse: collapse; margin: .3rem 0; }
th, td { border: 1px solid var(--line); padding: .2rem .5rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
.level-data-loss { color: #cf222e; font-weight: 600; } .level-danger { color: #bc4c00; font-weight: 600; }
details { margin: .15rem 0; }
details.cluster > summary { font-size: 1.05rem; font-weight: 600; }
details.app { margin-left: 1.2rem; } details.resource { margin-left: 1.2rem; }
summary { cursor: pointer; } .count { color: var(--muted); font-weight: normal; }
.status { font-family: ui-monospace, monospace; display: inline-block; width: 1.2em; }
.status-added { color: #1a7f37; } .status-removed { color: #cf222e; } .status-changed { color: #9a6700; } .status-moved { color: #8250df; }
.diff { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; border: 1px solid var(--line); margin: .3rem 0 .6rem; overflow-x: auto; }
.diff table { border: 0; margin: 0; width: 100%; table-layout: fixed; }
.diff td { border: 0; padding: 0 .4rem; white-space: pre-wrap; word-break: break-all; }
.diff td.num { width: 3.5em; color: var(--muted); text-align: right; user-select: none; }
.diff tr.add td.text, .diff td.text.add { background: var(--add); } .diff tr.del td.text, .diff td.text.del { background: var(--del); }
.diff tr.hunk td { color: var(--muted); background: color-mix(in srgb, Canvas 85%, #0969da); }
.note { color: var(--muted); margin: .2rem 0; }
.hidden { display: none !important; }
mark { background: #fff8c5; color: inherit; }
`;

/** The page's script: builds the page from the embedded JSON with DOM calls (never innerHTML of data). */
const SCRIPT = `
'use strict';
const report = JSON.parse(document.getElementById('report-data').textContent);
const el = (tag, attrs, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === 'class') node.className = value; else node.setAttribute(key, value);
  }
  for (const child of children) if (child !== undefined && child !== null) node.append(child);
  return node;
};
const plural = (n, word) => n + ' ' + word + (n === 1 ? '' : 's');
const symbol = { added: '+', changed: '~', removed: '-', moved: '>' };
let view = 'unified';

// Summary
const t = report.totals;
const resources = [];
for (const cluster of report.clusters) for (const app of cluster.apps) for (const change of app.changes) resources.push({ cluster, app, change });
document.getElementById('summary').append(
  el('p', { id: 'totals' },
    el('strong', {}, 'Plan: '), t.added + ' to add, ' + t.changed + ' to change, ' + t.removed + ' to destroy' + (t.moved ? ', ' + t.moved + ' moved' : '') + '; ' + t.unchanged + ' unchanged. ',
    plural(report.flags.length, 'risk flag') + ', ' + plural(report.images.length, 'image change') + ', ' + plural(report.clusters.reduce((n, c) => n + c.apps.length, 0), 'app') + ' in ' + plural(report.clusters.length, 'cluster') + '.',
    report.dataLoss ? el('strong', { class: 'level-data-loss' }, ' Data loss: merging deletes or replaces data.') : ''));

function table(section, title, head, rows) {
  const node = document.getElementById(section);
  node.append(el('h2', {}, title + ' (' + rows.length + ')'));
  if (!rows.length) { node.append(el('p', { class: 'note' }, 'none')); return; }
  const tbody = el('tbody');
  for (const row of rows) tbody.append(el('tr', {}, ...row.map((cell) => cell instanceof Node ? el('td', {}, cell) : el('td', {}, String(cell ?? '')))));
  node.append(el('table', {}, el('thead', {}, el('tr', {}, ...head.map((h) => el('th', {}, h)))), tbody));
}
table('flags', 'Risk flags', ['level', 'rule', 'cluster', 'app', 'resource', 'message'],
  report.flags.map((f) => [el('span', { class: 'level-' + f.level }, f.level), f.rule, f.cluster, f.app, f.resource, f.message]));
table('images', 'Image changes', ['cluster', 'app', 'resource', 'container', 'from', 'to'],
  report.images.map((i) => [i.cluster, i.app, i.resource, i.container, i.from || '—', i.to || '—']));

// Clusters, apps, resources (diff bodies built on first open)
const clustersNode = document.getElementById('clusters');
clustersNode.append(el('h2', {}, 'Resources (' + resources.length + ')'));
const entries = [];
for (const cluster of report.clusters) {
  const count = cluster.apps.reduce((n, a) => n + a.changes.length, 0);
  const cDetails = el('details', { class: 'cluster', 'data-cluster': cluster.name },
    el('summary', {}, cluster.name + (cluster.production ? ' (production)' : '') + ' ', el('span', { class: 'count' }, plural(count, 'resource') + ', ' + plural(cluster.apps.length, 'app'))));
  for (const app of cluster.apps) {
    const c = app.counts;
    const aDetails = el('details', { class: 'app', 'data-app': cluster.name + '/' + app.name },
      el('summary', {}, app.name + ' ', el('span', { class: 'count' }, '+' + c.added + ' ~' + c.changed + ' -' + c.removed + (c.moved ? ' >' + c.moved : ''))));
    for (const change of app.changes) {
      const label = change.kind + ' ' + (change.namespace ? change.namespace + '/' : '') + change.name;
      const rDetails = el('details', { class: 'resource', 'data-resource': cluster.name + '/' + app.name + '/' + label },
        el('summary', {}, el('span', { class: 'status status-' + change.status }, symbol[change.status]), ' ' + label + ' ', el('span', { class: 'count' }, change.file || '')));
      rDetails.addEventListener('toggle', () => { if (rDetails.open) fill(rDetails, change); });
      aDetails.append(rDetails);
      entries.push({ cDetails, aDetails, rDetails, change, haystack: [cluster.name, app.name, change.apiVersion, label, change.file || '', change.patch || ''].join('\\n').toLowerCase() });
    }
    cDetails.append(aDetails);
  }
  clustersNode.append(cDetails);
}

function fill(node, change) {
  const old = node.querySelector('.body');
  if (old && old.dataset.view === view) return;
  if (old) old.remove();
  const body = el('div', { class: 'body' });
  body.dataset.view = view;
  if (change.movedFrom) body.append(el('p', { class: 'note' }, 'moved from ' + change.movedFrom));
  if (change.hiddenChanges) body.append(el('p', { class: 'note' }, 'redacted values changed: ' + change.hiddenChanges.join(', ')));
  if (change.patch) body.append(view === 'split' ? split(change.patch) : unified(change.patch));
  else if (!change.movedFrom) body.append(el('p', { class: 'note' }, 'no textual change'));
  node.append(body);
}

/** Parses a unified patch into hunks of lines with old and new line numbers. */
function parse(patch) {
  const lines = patch.split('\\n');
  const out = [];
  let a = 0, b = 0;
  for (const line of lines) {
    if (line.startsWith('---') || line.startsWith('+++') || line.startsWith('=====') || line.startsWith('Index:')) continue;
    const m = /^@@ -(\\d+)(?:,\\d+)? \\+(\\d+)(?:,\\d+)? @@/.exec(line);
    if (m) { a = +m[1]; b = +m[2]; out.push({ type: 'hunk', text: line }); continue; }
    if (line.startsWith('\\\\')) continue;
    const type = line[0] === '+' ? 'add' : line[0] === '-' ? 'del' : 'ctx';
    out.push({ type, text: line.slice(1), a: type === 'add' ? '' : a++, b: type === 'del' ? '' : b++ });
  }
  return out;
}

function unified(patch) {
  const tbody = el('tbody');
  for (const line of parse(patch)) {
    if (line.type === 'hunk') { tbody.append(el('tr', { class: 'hunk' }, el('td', { colspan: '3' }, line.text))); continue; }
    tbody.append(el('tr', { class: line.type }, el('td', { class: 'num' }, String(line.a)), el('td', { class: 'num' }, String(line.b)),
      el('td', { class: 'text' }, (line.type === 'add' ? '+' : line.type === 'del' ? '-' : ' ') + line.text)));
  }
  return el('div', { class: 'diff unified' }, el('table', {}, tbody));
}

function split(patch) {
  const tbody = el('tbody');
  const rows = [];
  let dels = [], adds = [];
  const flush = () => {
    for (let i = 0; i < Math.max(dels.length, adds.length); i++) rows.push([dels[i], adds[i]]);
    dels = []; adds = [];
  };
  for (const line of parse(patch)) {
    if (line.type === 'del') { if (adds.length) flush(); dels.push(line); }
    else if (line.type === 'add') adds.push(line);
    else { flush(); rows.push(line.type === 'hunk' ? line : [line, line]); }
  }
  flush();
  for (const row of rows) {
    if (!Array.isArray(row)) { tbody.append(el('tr', { class: 'hunk' }, el('td', { colspan: '4' }, row.text))); continue; }
    const [l, r] = row;
    tbody.append(el('tr', {},
      el('td', { class: 'num' }, l ? String(l.a) : ''), el('td', { class: 'text' + (l && l.type === 'del' ? ' del' : '') }, l ? l.text : ''),
      el('td', { class: 'num' }, r ? String(r.b) : ''), el('td', { class: 'text' + (r && r.type === 'add' ? ' add' : '') }, r ? r.text : '')));
  }
  return el('div', { class: 'diff split' }, el('table', {}, tbody));
}

// Search: hides what does not match, opens the apps that do.
const search = document.getElementById('search');
const matches = document.getElementById('matches');
let timer;
function applySearch() {
  const query = search.value.trim().toLowerCase();
  const shownApps = new Set(), shownClusters = new Set();
  let n = 0;
  for (const entry of entries) {
    const hit = !query || entry.haystack.includes(query);
    entry.rDetails.classList.toggle('hidden', !hit);
    if (hit) { n++; shownApps.add(entry.aDetails); shownClusters.add(entry.cDetails); }
  }
  for (const entry of entries) {
    entry.aDetails.classList.toggle('hidden', !shownApps.has(entry.aDetails));
    entry.cDetails.classList.toggle('hidden', !shownClusters.has(entry.cDetails));
    if (query && shownApps.has(entry.aDetails)) { entry.aDetails.open = true; entry.cDetails.open = true; }
  }
  matches.textContent = query ? plural(n, 'resource') + ' match' : plural(entries.length, 'resource');
  document.body.dataset.matches = String(n);
  document.body.dataset.search = query;
}
search.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(applySearch, 120); });
for (const radio of document.querySelectorAll('input[name=view]')) radio.addEventListener('change', () => {
  view = radio.value;
  for (const entry of entries) if (entry.rDetails.open) fill(entry.rDetails, entry.change);
});
document.getElementById('expand').addEventListener('click', () => {
  for (const entry of entries) if (!entry.rDetails.classList.contains('hidden')) { entry.cDetails.open = true; entry.aDetails.open = true; }
});
document.getElementById('collapse').addEventListener('click', () => {
  for (const entry of entries) { entry.rDetails.open = false; entry.aDetails.open = false; entry.cDetails.open = false; }
});
applySearch();
document.body.dataset.ready = 'true';
`;

import { canLoadTimeZone, nextAutomatedSync, prepareWindow, type PreparedWindow, type SyncWindowSpec } from '../../argocd/sync-windows.js';
import type { RenderedCheck, RenderedDoc } from '../rendered-check.js';
import { findingFor } from './support.js';

/**
 * An AppProject's sync windows can work, judged as the pinned Argo CD judges them
 * (`argocd/sync-windows.ts`): every schedule and duration parses (else Argo CD refuses every sync
 * of the project's Applications), every time zone loads (else Argo CD silently counts in UTC),
 * every schedule fires (else Argo CD counts the window active at every moment), and automated
 * syncs of the project's Applications run at some time (a deny window that covers every hour, an
 * allow window inside a deny window). The last is judged over the year from a fixed Monday, so the
 * verdict does not depend on when `validate` runs; it looks at the windows that govern every
 * Application of the project (`applications`, `namespaces` or `clusters` holding `*`).
 */

const ID = 'sync-windows';

/** The Monday the year of the "automated syncs never run" judgement starts at (any hour gives the same verdict). */
export const SYNC_WINDOW_REFERENCE = Date.UTC(2027, 0, 4);

export const syncWindows: RenderedCheck = {
  id: ID,
  description: 'every AppProject sync window parses, loads its time zone and fires, and automated syncs run at some time',
  run: ({ docs }) => docs.flatMap((doc) => (doc.object.kind === 'AppProject' ? judgeProject(doc) : [])),
};

function judgeProject(doc: RenderedDoc) {
  const windows = ((doc.object['spec'] as { syncWindows?: SyncWindowSpec[] } | undefined)?.syncWindows ?? []).filter((w) => w && typeof w === 'object');
  if (!windows.length) return [];
  const prepared = windows.map(prepareWindow);
  const problems: string[] = [];
  for (const [index, window] of prepared.entries()) problems.push(...judgeWindow(window, index));
  const governAll = prepared.filter((p) => [p.window.applications, p.window.namespaces, p.window.clusters].some((list) => list?.includes('*')));
  if (!problems.length && governAll.length && nextAutomatedSync(governAll, SYNC_WINDOW_REFERENCE, 366) === undefined) {
    problems.push(`automated syncs of its Applications never run: no minute in a year is inside an allow window and outside every deny window (${governAll.map((p) => label(p.window)).join('; ')})`);
  }
  return problems.length ? [findingFor(ID, doc, problems.join('; '), 'fix the window in clusters/<cluster>/cluster.yaml argocd.syncWindows (five-field cron such as "0 7 * * 1-5", a duration such as "11h", an IANA time zone such as "Europe/Dublin")')] : [];
}

function judgeWindow(prepared: PreparedWindow, index: number): string[] {
  const where = `window ${index + 1} (${label(prepared.window)})`;
  if (prepared.error) return [`${where}: Argo CD refuses every sync of this project's Applications: invalid sync windows: ${prepared.error}`];
  const problems: string[] = [];
  if (!canLoadTimeZone(prepared.window.timeZone)) problems.push(`${where}: time zone "${prepared.window.timeZone}" cannot be loaded: Argo CD logs a warning and counts the window in UTC`);
  if (prepared.neverFires) {
    const effect = prepared.window.kind === 'deny' ? 'so it blocks every automated sync for good' : 'so it restricts nothing';
    problems.push(`${where}: the schedule never fires (no date matches within five years): Argo CD's cron then returns no next time and Argo CD counts the window active at every moment, ${effect}`);
  }
  return problems;
}

function label(window: SyncWindowSpec): string {
  return `${window.kind} "${window.schedule}" for ${window.duration}${window.timeZone ? ` ${window.timeZone}` : ''}`;
}

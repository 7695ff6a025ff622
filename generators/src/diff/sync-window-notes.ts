/**
 * The reviewer's question about a cluster with sync windows: when does this change, once merged,
 * reach the cluster? For each cluster with changes, the AppProjects that govern the changed
 * Applications (read from the working tree's `rendered/argocd/`) and their windows, evaluated as
 * Argo CD evaluates them (`argocd/sync-windows.ts`) at the time of the report (or `--merge-at`).
 * This is the one part of the diff that depends on the clock, on purpose; the time it was judged at
 * is printed beside it.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { canSync, describeWindow, nextAutomatedSync, prepareWindow, type SyncWindowSpec } from '../argocd/sync-windows.js';

/** When the changes of one cluster reach it, for one set of windows. */
export interface SyncWindowNote {
  readonly cluster: string;
  /** The AppProjects (of the changed Applications) carrying these windows. */
  readonly projects: readonly string[];
  /** `allow "0 7 * * 1-5" for 11h (Europe/Dublin), manual sync allowed` */
  readonly windows: readonly string[];
  /** The instant judged (ISO, UTC). */
  readonly at: string;
  /** Automated syncs run at that instant. */
  readonly openNow: boolean;
  /** The first instant automated syncs run (ISO, UTC); absent when none within a year or a window is invalid. */
  readonly reachesAt?: string;
  /** The same instant on the first window's clock (`Tue 2026-12-08 07:00 Europe/Dublin`). */
  readonly reachesAtLocal?: string;
  /** A person may sync by hand at that instant. */
  readonly manualSyncAllowed: boolean;
}

interface Project {
  readonly name: string;
  readonly windows: readonly SyncWindowSpec[];
}

/** The notes for the clusters and Applications that have changes (`app`: a service name or a top-level folder). */
export async function syncWindowNotes(root: string, changed: readonly { cluster: string; app: string }[], at: number): Promise<SyncWindowNote[]> {
  const notes: SyncWindowNote[] = [];
  for (const cluster of [...new Set(changed.map((c) => c.cluster))].sort()) {
    const { projects, projectOf } = await readArgoCd(root, cluster);
    const governing = new Map<string, Project>();
    for (const { app } of changed.filter((c) => c.cluster === cluster)) {
      const project = projects.get(projectOf(app));
      if (project?.windows.length) governing.set(project.name, project);
    }
    const bySet = new Map<string, Project[]>();
    for (const project of governing.values()) {
      const key = JSON.stringify(project.windows);
      bySet.set(key, [...(bySet.get(key) ?? []), project]);
    }
    for (const group of bySet.values()) notes.push(noteFor(cluster, group, at));
  }
  return notes;
}

function noteFor(cluster: string, projects: readonly Project[], at: number): SyncWindowNote {
  const windows = projects[0]!.windows;
  const prepared = windows.map(prepareWindow);
  const reaches = nextAutomatedSync(prepared, at);
  const zone = windows.find((w) => w.timeZone)?.timeZone ?? 'UTC';
  return {
    cluster,
    projects: projects.map((p) => p.name).sort(),
    windows: windows.map(describeWindow),
    at: new Date(at).toISOString(),
    openNow: canSync(prepared, at, false) === true,
    ...(reaches === undefined ? {} : { reachesAt: new Date(reaches).toISOString(), reachesAtLocal: localTime(reaches, zone) }),
    manualSyncAllowed: canSync(prepared, at, true) === true,
  };
}

/** `Tue 2026-12-08 07:00 Europe/Dublin` */
export function localTime(at: number, zone: string): string {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-GB', { timeZone: zone, weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  } catch {
    return localTime(at, 'UTC');
  }
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('weekday')} ${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')} ${zone}`;
}

/** `in 2 h 50 min` */
export function durationUntil(from: string, to: string): string {
  const minutes = Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  return `in ${[days ? `${days} d` : '', hours ? `${hours} h` : '', `${minutes % 60} min`].filter(Boolean).join(' ')}`;
}

/** One sentence per note, for the text and Markdown reports. */
export function describeNote(note: SyncWindowNote): string {
  const governs = `sync windows of project${note.projects.length === 1 ? '' : 's'} ${note.projects.join(', ')} (${note.windows.join('; ')})`;
  const judged = `at ${note.at.slice(0, 16).replace('T', ' ')} UTC`;
  if (note.openNow) return `${note.cluster}: ${governs}: open ${judged}; merged now, the change syncs at once.`;
  const manual = note.manualSyncAllowed ? ', or earlier by a manual sync (allowed)' : '; manual syncs are not allowed either';
  if (!note.reachesAt) return `${note.cluster}: ${governs}: closed ${judged}, and automated syncs run at no time in the next year${manual}.`;
  return `${note.cluster}: ${governs}: closed ${judged}; merged now, the change reaches the cluster at the next allow window, ${note.reachesAtLocal} (${durationUntil(note.at, note.reachesAt)})${manual}.`;
}

/** The AppProjects of one cluster's rendered tree, and which project an Application of the diff is in. */
async function readArgoCd(root: string, cluster: string): Promise<{ projects: Map<string, Project>; projectOf: (app: string) => string }> {
  const dir = path.join(root, 'clusters', cluster, 'rendered', 'argocd');
  const projects = new Map<string, Project>();
  const applications = new Map<string, string>();
  const entries = await readdir(dir).catch(() => [] as string[]);
  for (const entry of entries.filter((e) => /^(appproject|application)\..+\.ya?ml$/.test(e)).sort()) {
    const object = parse(await readFile(path.join(dir, entry), 'utf8')) as { kind?: string; metadata?: { name?: string }; spec?: { project?: string; syncWindows?: SyncWindowSpec[] } } | null;
    const name = object?.metadata?.name;
    if (!name) continue;
    if (object.kind === 'AppProject') projects.set(name, { name, windows: object.spec?.syncWindows ?? [] });
    if (object.kind === 'Application' && object.spec?.project) applications.set(name, object.spec.project);
  }
  // A top-level folder is synced by the Application of its name; a service by the ApplicationSet, in project app-<service>.
  return { projects, projectOf: (app) => applications.get(app) ?? (projects.has(`app-${app}`) ? `app-${app}` : app) };
}

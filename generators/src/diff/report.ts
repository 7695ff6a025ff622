import { compareSnapshots, type ChangeStatus, type ResourceChange } from './compare.js';
import { assessRisks, hasDataLoss, sortFlags, type ImageChange, type RiskFlag } from './risk.js';
import type { Snapshot } from './snapshot.js';
import type { SyncWindowNote } from './sync-window-notes.js';

/** Everything `gitops diff` reports, before formatting. Redacted throughout. */
export interface DiffReport {
  readonly base: { readonly ref: string; readonly commit: string };
  readonly totals: Counts & { readonly unchanged: number };
  readonly flags: readonly RiskFlag[];
  readonly images: readonly ImageChange[];
  /** One group per cluster and app that has changes, sorted by cluster then app. */
  readonly groups: readonly AppGroup[];
  readonly dataLoss: boolean;
  /** When the changes reach clusters with sync windows (judged at the report's time; `diff` adds them). */
  readonly syncWindows?: readonly SyncWindowNote[];
  /** Where the HTML report is published (`diff --html-url`): the Markdown links it. */
  readonly htmlReport?: { readonly url: string; readonly where: string };
}

export interface Counts {
  readonly added: number;
  readonly changed: number;
  readonly removed: number;
  readonly moved: number;
}

export interface AppGroup {
  readonly cluster: string;
  readonly app: string;
  readonly production: boolean;
  readonly changes: readonly ResourceChange[];
  readonly counts: Counts;
  /** Status → kind → count, for the summary (`2 NetworkPolicy`). */
  readonly kinds: Readonly<Record<ChangeStatus, Readonly<Record<string, number>>>>;
}

/**
 * Compares two snapshots and evaluates the risk rules; `extraFlags` are flags found elsewhere
 * (the API server's update check), merged in rule order. The snapshots may hold only the files
 * that differ (`readDiffSides`): `unchanged` then counts the objects of the others, and
 * `riskBase` is the base the risk rules read (the whole base, when they need it).
 */
export function buildReport(
  base: Snapshot,
  head: Snapshot,
  ref: { ref: string; commit: string },
  extraFlags: readonly RiskFlag[] = [],
  elsewhere: { readonly unchanged?: number; readonly riskBase?: Snapshot } = {},
): DiffReport {
  const compared = compareSnapshots(base, head);
  const { changes } = compared;
  const unchanged = compared.unchanged + (elsewhere.unchanged ?? 0);
  const assessed = assessRisks(changes, { base: elsewhere.riskBase ?? base, head });
  const images = assessed.images;
  const flags = sortFlags([...assessed.flags, ...extraFlags]);
  const groups = new Map<string, ResourceChange[]>();
  for (const change of changes) {
    const key = `${change.cluster}\u0000${change.app}`;
    groups.set(key, [...(groups.get(key) ?? []), change]);
  }
  const production = (cluster: string) => (head.clusters.get(cluster) ?? base.clusters.get(cluster))?.production ?? false;
  const appGroups: AppGroup[] = [...groups.values()].map((list) => ({
    cluster: list[0]!.cluster,
    app: list[0]!.app,
    production: production(list[0]!.cluster),
    changes: list,
    counts: count(list),
    kinds: kindsOf(list),
  }));
  return {
    base: ref,
    totals: { ...count(changes), unchanged },
    flags,
    images,
    groups: appGroups,
    dataLoss: hasDataLoss(flags),
  };
}

function count(changes: readonly ResourceChange[]): Counts {
  const of = (status: ChangeStatus) => changes.filter((change) => change.status === status).length;
  return { added: of('added'), changed: of('changed'), removed: of('removed'), moved: of('moved') };
}

function kindsOf(changes: readonly ResourceChange[]): Record<ChangeStatus, Record<string, number>> {
  const kinds: Record<ChangeStatus, Record<string, number>> = { added: {}, changed: {}, removed: {}, moved: {} };
  for (const change of changes) kinds[change.status][change.kind] = (kinds[change.status][change.kind] ?? 0) + 1;
  return kinds;
}

/** `2 NetworkPolicy, Deployment`: kinds with counts, sorted by kind. */
export function kindList(kinds: Readonly<Record<string, number>>): string {
  return Object.keys(kinds)
    .sort()
    .map((kind) => (kinds[kind]! > 1 ? `${kinds[kind]} ${kind}` : kind))
    .join(', ');
}

/** `Plan: 2 to add, 5 to change, 1 to destroy, 1 moved.` */
export function planLine(totals: Counts): string {
  const moved = totals.moved ? `, ${totals.moved} moved` : '';
  return `Plan: ${totals.added} to add, ${totals.changed} to change, ${totals.removed} to destroy${moved}.`;
}

/** Status symbols shared by the formats. */
export const STATUS_SYMBOL: Readonly<Record<ChangeStatus, string>> = { added: '+', changed: '~', removed: '-', moved: '>' };

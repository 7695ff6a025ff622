/**
 * The rehearsal report, in the style of `validate`'s: one summary line per cluster and pass, then
 * one line per Application that needs attention, with Argo CD's messages verbatim.
 */
import { summarizeSetAside } from './sync-windows-aside.js';
import { passes, type AppVerdict } from './verdict.js';
import type { RehearsalPass, RehearsalResult } from './rehearsal.js';

/** The Applications of a pass that fail the rehearsal. */
export function failingApps(pass: RehearsalPass): AppVerdict[] {
  return pass.apps.filter((app) => !passes(app));
}

/** True when the rehearsal passes: every pass settled and every rehearsed Application passes. */
export function rehearsalPasses(result: RehearsalResult): boolean {
  return [result.base, result.head].every((pass) => !pass || (pass.settled && failingApps(pass).length === 0 && pass.appSets.every((set) => !set.failed)));
}

/**
 * Sync results that are noise, not findings, and why. Argo CD applies a Role or RoleBinding with
 * `kubectl auth reconcile` and then apply: its message lists the rules it added ("reconciled.
 * reconciliation required create ...") and ends with apply's `last-applied-configuration` warning,
 * in every cluster. An object the rehearsal's bootstrap applied server-side (the root Application,
 * the bootstrap AppProject) carries no `last-applied-configuration` annotation, so Argo CD's apply
 * warns about it; a real cluster's bootstrap does the same. Anything else is shown in full.
 */
export type NoiseKind = 'rbac-reconcile' | 'bootstrap-last-applied';

const LAST_APPLIED = 'is missing the kubectl.kubernetes.io/last-applied-configuration annotation which is required by';

/** The kind of noise a Synced result is, or undefined when it must be shown. */
export function noiseOf(result: { resource: string; status: string; message: string }, bootstrapApplied: ReadonlySet<string>): NoiseKind | undefined {
  if (result.status !== 'Synced') return undefined;
  // Every warning in the message must be apply's last-applied-configuration one.
  const warnings = result.message.split(/\bWarning: /).slice(1);
  if (warnings.some((warning) => !warning.includes(LAST_APPLIED))) return undefined;
  if (/^(Role|RoleBinding|ClusterRole|ClusterRoleBinding) /.test(result.resource) && /\breconciled\. reconciliation required\b/.test(result.message)) return 'rbac-reconcile';
  if (bootstrapApplied.has(result.resource) && warnings.length > 0) return 'bootstrap-last-applied';
  return undefined;
}

const NOISE_LABEL: Record<NoiseKind, string> = {
  'rbac-reconcile': 'Role/RoleBinding reconcile notes (kubectl auth reconcile, then apply)',
  'bootstrap-last-applied': "last-applied-configuration warnings on objects the rehearsal's bootstrap applied server-side",
};

export interface FormatOptions {
  /** Show noise verbatim instead of counting it. */
  readonly verbose?: boolean;
}

export function formatRehearsal(result: RehearsalResult, options: FormatOptions = {}): string[] {
  const lines: string[] = [];
  const c = result.cluster;
  for (const skipped of result.skippedBootstrap) lines.push(`${c}: bootstrap: not applied: ${skipped}`);
  if (result.base) lines.push(...formatPass(c, 'base', result.base, result, options));
  lines.push(...formatPass(c, result.base ? 'head' : '', result.head, result, options));
  if (result.move) {
    const m = result.move;
    lines.push(`${c}: moving base → head: ${m.pruned.filter((p) => p.status === 'Pruned').length} pruned, ${m.pruned.filter((p) => p.status !== 'Pruned').length} prune skipped, ${m.deletedApps.length} Application${m.deletedApps.length === 1 ? '' : 's'} deleted, ${m.failed.length} failed to update`);
    for (const p of m.pruned) lines.push(`  ${p.app}: ${p.status === 'Pruned' ? 'prunes' : 'keeps (prune skipped)'} ${p.resource}${p.message ? `: ${p.message}` : ''}`);
    for (const d of m.deletedApps) {
      lines.push(`  ${d.app}: Application deleted (its folder is gone); ${d.cascade ? `Argo CD deletes its ${d.resources.length} resources (resources finalizer)` : `its ${d.resources.length} resources stay (no resources finalizer)`}; gone from the API server: ${d.gone.length}/${d.resources.length}`);
      for (const r of d.resources) lines.push(`    ${d.gone.includes(r) ? 'deleted' : 'kept'} ${r}`);
    }
    for (const f of m.failed) lines.push(`  ${f.app}: fails to update ${f.resource}: ${f.message}`);
  }
  return lines;
}

function formatPass(cluster: string, label: string, pass: RehearsalPass, result: RehearsalResult, options: FormatOptions): string[] {
  const lines: string[] = [];
  const bootstrapApplied = new Set(result.bootstrapApplied ?? []);
  const noiseCounts = new Map<NoiseKind, number>();
  const rehearsed = pass.apps.filter((a) => a.rehearsed && !a.deleting);
  const synced = rehearsed.filter((a) => a.sync === 'Synced' && !a.perpetualDiff);
  const failing = failingApps(pass);
  const prefix = `${cluster}${label ? ` (${label})` : ''}`;
  lines.push(
    `${prefix}: ${pass.apps.length} Applications, ${rehearsed.length} rehearsed, ${synced.length} Synced and staying Synced, ${failing.length} failing, ${pass.apps.length - rehearsed.length} not rehearsed (Argo CD ${result.argocdRelease}, kube-apiserver ${result.kubernetesRelease}, commit ${pass.commit.slice(0, 12)}, ${pass.seconds} s${pass.settled ? '' : ', did not settle'})`,
  );
  if (pass.syncedCommit !== pass.commit) lines.push(`  synced as ${pass.syncedCommit.slice(0, 12)}, a copy of ${pass.commit.slice(0, 12)} without the AppProjects' sync windows, so the rehearsal does not depend on the hour`);
  for (const line of summarizeSetAside(pass.syncWindowsSetAside)) lines.push(`  sync windows set aside (Argo CD holds automated syncs outside them; see validate's sync-windows check and diff's review note): ${line}`);
  if (!pass.settled) {
    const pending = pass.apps.filter((a) => !a.settled).map((a) => a.name);
    lines.push(`  did not settle${pending.length ? `: still in flight: ${pending.join(', ')}` : ''}`);
    for (const block of pass.diagnostics) for (const line of block.split('\n')) lines.push(`    ${line}`);
  }
  for (const set of pass.appSets) {
    if (!set.failed) continue;
    lines.push(`  ApplicationSet ${set.name}: ✗`);
    for (const condition of set.conditions) lines.push(`    ${condition.type}: ${condition.message}`);
  }
  for (const app of pass.apps) {
    if (!app.rehearsed) {
      lines.push(`  ${app.name}: ${app.notRehearsed}`);
      continue;
    }
    if (app.deleting) {
      lines.push(`  ${app.name}: being deleted (its resources finalizer runs)`);
      continue;
    }
    const ok = passes(app);
    const state = `${app.sync || 'never compared'}${app.phase ? `, last sync ${app.phase}` : ''}${app.perpetualDiff ? ', OutOfSync again after a refresh (perpetual diff)' : ''}`;
    const candidates = app.results.filter((r) => r.status !== 'Synced' || /\bWarning\b/.test(r.message) || noiseOf(r, bootstrapApplied));
    const noise = options.verbose ? [] : candidates.filter((r) => noiseOf(r, bootstrapApplied));
    for (const r of noise) noiseCounts.set(noiseOf(r, bootstrapApplied)!, (noiseCounts.get(noiseOf(r, bootstrapApplied)!) ?? 0) + 1);
    const notable = candidates.filter((r) => !noise.includes(r));
    if (ok && !app.conditions.length && notable.length === 0) {
      // A passing Application is one line, and only when something was set aside as noise.
      if (noise.length) lines.push(`  ${app.name} (project ${app.project}): ${state}; ${noise.length} noise (--verbose shows it)`);
      continue;
    }
    lines.push(`  ${app.name} (project ${app.project}): ${state}${ok ? '' : ' ✗'}${noise.length ? `; ${noise.length} noise (--verbose shows it)` : ''}`);
    if (app.operationMessage && app.phase !== 'Succeeded') lines.push(`    operation: ${app.operationMessage}`);
    for (const condition of app.conditions) lines.push(`    ${condition.type}: ${condition.message}`);
    for (const r of notable) lines.push(`    ${r.status} ${r.resource}${r.message ? `: ${r.message.replace(/\n\s*/g, '\n      ')}` : ''}`);
    if (app.perpetualDiff || app.sync === 'OutOfSync') for (const r of app.resources) if (r.status && r.status !== 'Synced') lines.push(`    ${r.status} ${r.ref}`);
  }
  if (noiseCounts.size) lines.push(`  noise, counted (--verbose shows it verbatim): ${[...noiseCounts].map(([kind, count]) => `${count} ${NOISE_LABEL[kind]}`).join('; ')}`);
  return lines;
}

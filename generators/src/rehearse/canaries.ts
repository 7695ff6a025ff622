/**
 * `rehearse --canaries`: the canary rehearsal of a cluster (`local-cluster/canary/`), for the
 * services a change touches, and its report lines (one per canary).
 *
 * Which services: without a base, every service whose Rollout runs a canary. With `--base`, those
 * whose rendered folder (`clusters/<c>/rendered/apps/<service>/`) differs between the base and the
 * head, and all of them when the Argo Rollouts add-on (`argocd/application.addon-argo-rollouts.yaml`)
 * changes; a change to the Rollout or AnalysisTemplate constructs changes every service's rendered
 * files, so it selects them all by the same rule.
 */
import { parseAllDocuments } from 'yaml';
import { listTree, readFilesAtCommit } from '../diff/git.js';
import { notificationsCmOf } from '../local-cluster/canary/argocd-judge.js';
import { canaryRollout, type CanaryRehearsal, type CanaryResult, type CanaryService } from '../local-cluster/canary/canary-rehearsal.js';
import { argoCdChartCm } from './rehearsal.js';

/** The Rollouts add-on's Application in a rendered tree: a change to it selects every canary. */
export const ROLLOUTS_ADDON_FILE = 'argocd/application.addon-argo-rollouts.yaml';

/** Every service of the cluster at `commit` with its rendered objects. */
export async function servicesAtCommit(repo: string, commit: string, cluster: string): Promise<CanaryService[]> {
  const apps = `clusters/${cluster}/rendered/apps`;
  const files = await readFilesAtCommit(repo, commit, [apps], (file) => file.endsWith('.yaml'));
  const byService = new Map<string, Record<string, unknown>[]>();
  for (const file of files) {
    const name = file.path.slice(apps.length + 1).split('/')[0]!;
    for (const doc of parseAllDocuments(file.content)) {
      const object = doc.toJS() as unknown;
      if (object && typeof object === 'object' && !Array.isArray(object)) byService.set(name, [...(byService.get(name) ?? []), object as Record<string, unknown>]);
    }
  }
  return [...byService].sort(([a], [b]) => a.localeCompare(b)).map(([name, objects]) => ({ name, objects }));
}

/** The canary services a change from `base` to `head` touches (all canaries without a base). */
export async function touchedCanaries(repo: string, cluster: string, head: string, base?: string): Promise<{ services: CanaryService[]; why: string }> {
  const canaries = (await servicesAtCommit(repo, head, cluster)).filter((s) => canaryRollout(s));
  if (!base) return { services: canaries, why: 'every canary' };
  const rendered = `clusters/${cluster}/rendered`;
  const [before, after] = await Promise.all([listTree(repo, base, [rendered]), listTree(repo, head, [rendered])]);
  const objects = new Map(before.map((e) => [e.path, e.object]));
  const changed = new Set<string>(before.filter((e) => !after.some((a) => a.path === e.path)).map((e) => e.path));
  for (const entry of after) if (objects.get(entry.path) !== entry.object) changed.add(entry.path);
  const relative = [...changed].map((file) => file.slice(rendered.length + 1));
  if (relative.includes(ROLLOUTS_ADDON_FILE)) return { services: canaries, why: 'the Argo Rollouts add-on changed: every canary' };
  const touched = new Set(relative.filter((file) => file.startsWith('apps/')).map((file) => file.split('/')[1]!));
  return { services: canaries.filter((s) => touched.has(s.name)), why: touched.size ? `services changed: ${[...touched].sort().join(', ')}` : 'no service changed' };
}

/** True when every rehearsed canary behaved as its scenarios require (a canary not rehearsed fails). */
export function canariesPass(rehearsal: CanaryRehearsal): boolean {
  return rehearsal.results.every((result) => !result.notRehearsed && result.scenarios.every((s) => s.judgement.ok));
}

const verdictWord = (phase: string) => ({ Successful: 'ok', Failed: 'failed', Inconclusive: 'inconclusive', Error: 'error' })[phase] ?? phase.toLowerCase();

/** One line per canary: steps seen, analysis verdicts, abort path; then every problem in full. */
export function formatCanaries(cluster: string, rehearsal: CanaryRehearsal, why: string): string[] {
  const lines = [`canaries of ${cluster} (${why}; ${rehearsal.results.length} rehearsed in ${rehearsal.seconds} s; pauses and analysis intervals shortened to seconds):`];
  for (const result of rehearsal.results) lines.push(...formatCanary(result));
  const calls = Object.entries(rehearsal.awsCalls).sort(([a], [b]) => a.localeCompare(b)).map(([action, count]) => `${action} ${count}`);
  if (calls.length) lines.push(`  AWS calls the controller made to the local endpoints: ${calls.join(', ')}`);
  return lines;
}

function formatCanary(result: CanaryResult): string[] {
  const head = `  ${result.service} (${result.routing === 'alb' ? 'ALB' : 'replica-weighted'}, ${result.analysis} analysis)`;
  if (result.notRehearsed) return [`${head}: NOT REHEARSED: ${result.notRehearsed}`];
  const parts = result.scenarios.map(({ observation: o, judgement }) => {
    const path = result.routing === 'alb' ? `weights ${o.weights.join('→') || 'none'}` : `steps ${o.stepIndexes.join('→') || 'none'}`;
    const runs = o.analysisRuns.map((r) => verdictWord(r.phase)).join(',') || 'no analysis';
    const end = o.final.abort ? 'aborted' : o.promoted ? 'promoted' : o.final.pauseReasons.length ? `paused (${o.final.pauseReasons.join(', ')})` : o.final.phase;
    return `${o.scenario}: ${path}, analysis ${runs}, ${end}${judgement.ok ? '' : ' ✗'}`;
  });
  const ok = result.scenarios.every((s) => s.judgement.ok);
  const lines = [`${head}: ${ok ? 'ok' : 'FAILED'}: ${parts.join('; ')}`];
  for (const { observation, judgement } of result.scenarios) for (const problem of judgement.problems) lines.push(`    ${observation.scenario}: ${problem}`);
  return lines;
}

/**
 * The tree's Argo CD settings the canaries are judged with: `argocd-cm` (the argo-cd chart's
 * `configs.cm`) and `argocd-notifications-cm` (its `notifications` templates and triggers), read
 * from the argo-cd add-on Application of `clusters/<c>/rendered/argocd/` at `commit`.
 */
export async function argoCdSettingsAtCommit(repo: string, commit: string, cluster: string): Promise<{ cm: Record<string, string>; notifications: Record<string, string> }> {
  const files = await readFilesAtCommit(repo, commit, [`clusters/${cluster}/rendered/argocd`], (file) => file.endsWith('.yaml'));
  const docs = files.flatMap((file) => parseAllDocuments(file.content).map((doc) => ({ file: file.path, object: (doc.toJS() ?? {}) as Record<string, unknown> })));
  let notifications: Record<string, string> = {};
  for (const { object } of docs) {
    if (object['kind'] !== 'Application') continue;
    const spec = (object['spec'] ?? {}) as { sources?: { chart?: string; helm?: { valuesObject?: { notifications?: { templates?: Record<string, string>; triggers?: Record<string, string> } } } }[]; source?: { chart?: string; helm?: { valuesObject?: { notifications?: { templates?: Record<string, string>; triggers?: Record<string, string> } } } } };
    for (const source of [...(spec.sources ?? []), ...(spec.source ? [spec.source] : [])]) if (source.chart === 'argo-cd') notifications = notificationsCmOf(source.helm?.valuesObject?.notifications);
  }
  return { cm: argoCdChartCm(docs), notifications };
}

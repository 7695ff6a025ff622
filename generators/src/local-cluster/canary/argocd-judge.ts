/**
 * What Argo CD makes of a Rollout, judged by the pinned Argo CD itself (no server needed):
 *
 * - its health: `argocd admin settings resource-overrides health <rollout.yaml> --argocd-cm-path
 *   <argocd-cm.yaml>` runs Argo CD's own health check of the live Rollout (the built-in
 *   `argoproj.io/Rollout` Lua, or the tree's override in `configs.cm`);
 * - the tree's notification trigger for an aborted rollout: `argocd admin notifications trigger run
 *   on-rollout-aborted <application.yaml> --config-map <argocd-notifications-cm.yaml> --secret :empty`
 *   evaluates the trigger's condition (the notifications engine Argo CD links) against an
 *   Application whose `status.resources` carries that health, as the application controller writes
 *   it. The condition is evaluated, nothing is delivered.
 *
 * Both commands are the multi-call `argocd` binary the sync rehearsal builds (`ARGOCD_BINARY_NAME=argocd`).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import type { ArgoCdBuild } from '../../tools/argocd-build.js';
import { runProcess } from '../../tools/process.js';

/** The trigger of the tree that must fire when a canary aborts. */
export const ABORTED_TRIGGER = 'on-rollout-aborted';

export interface ArgoCdJudgeConfig {
  readonly argocd: ArgoCdBuild;
  /** `argocd-cm` data as the tree configures it (the chart's `configs.cm`). */
  readonly cm: Readonly<Record<string, string>>;
  /** `argocd-notifications-cm` data as the tree configures it (the chart's notifications templates and triggers). */
  readonly notifications: Readonly<Record<string, string>>;
  /** A kubeconfig (the notifications command connects on start even when everything comes from files). */
  readonly kubeconfig: string;
}

export interface ArgoCdView {
  readonly health: { readonly status: string; readonly message: string };
  /** The trigger's conditions and whether each holds. */
  readonly trigger: readonly { readonly condition: string; readonly fires: boolean }[];
  /** The commands' output when they did not answer as expected. */
  readonly problem?: string;
}

/** The argo-cd chart's `notifications` values as `argocd-notifications-cm` data (templates and triggers are its keys). */
export function notificationsCmOf(values: { templates?: Record<string, string>; triggers?: Record<string, string> } | undefined): Record<string, string> {
  return { ...(values?.templates ?? {}), ...(values?.triggers ?? {}) };
}

/** Parses `STATUS: x` / `MESSAGE: y` of the health command. */
export function parseHealth(stdout: string): { status: string; message: string } | undefined {
  const status = /^STATUS: (.*)$/m.exec(stdout)?.[1];
  return status === undefined ? undefined : { status, message: /^MESSAGE: (.*)$/m.exec(stdout)?.[1] ?? '' };
}

/** Parses the `CONDITION RESULT` table of `trigger run` (one row per condition; the result is the last column). */
export function parseTrigger(stdout: string): { condition: string; fires: boolean }[] {
  return stdout
    .split('\n')
    .slice(1)
    .map((line) => /^(.*\S)\s+(true|false)\s*$/.exec(line))
    .flatMap((match) => (match ? [{ condition: match[1]!, fires: match[2] === 'true' }] : []));
}

/** Argo CD's health of `rollout` and the aborted-rollout trigger on an Application holding it. */
export async function argoCdView(config: ArgoCdJudgeConfig, rollout: Record<string, unknown>, application: { name: string; namespace: string }): Promise<ArgoCdView> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gitops-argocd-judge-'));
  try {
    const env = { ARGOCD_BINARY_NAME: 'argocd', KUBECONFIG: config.kubeconfig, HOME: dir };
    const cmFile = path.join(dir, 'argocd-cm.yaml');
    await writeFile(cmFile, stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cm', namespace: 'argocd' }, data: config.cm }));
    const rolloutFile = path.join(dir, 'rollout.yaml');
    await writeFile(rolloutFile, stringify(rollout));
    const healthRun = await runProcess(config.argocd.binary, ['admin', 'settings', 'resource-overrides', 'health', rolloutFile, '--argocd-cm-path', cmFile], { env });
    const health = parseHealth(healthRun.stdout);
    if (!health) return { health: { status: 'Unknown', message: '' }, trigger: [], problem: `argocd admin settings resource-overrides health (exit ${healthRun.code}): ${(healthRun.stderr || healthRun.stdout).trim().slice(0, 500)}` };
    const meta = rollout['metadata'] as { name: string; namespace: string };
    const app = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: application.name, namespace: 'argocd' },
      spec: { project: 'default', destination: { server: 'https://kubernetes.default.svc', namespace: application.namespace }, source: { repoURL: 'https://example.invalid/rehearsal.git', path: '.' } },
      status: {
        sync: { status: 'Synced', revision: 'rehearsal' },
        health: { status: health.status },
        resources: [{ group: 'argoproj.io', version: 'v1alpha1', kind: 'Rollout', namespace: meta.namespace, name: meta.name, status: 'Synced', health }],
      },
    };
    const appFile = path.join(dir, 'application.yaml');
    await writeFile(appFile, stringify(app));
    const notificationsFile = path.join(dir, 'argocd-notifications-cm.yaml');
    await writeFile(notificationsFile, stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-notifications-cm', namespace: 'argocd' }, data: config.notifications }));
    const triggerRun = await runProcess(config.argocd.binary, ['admin', 'notifications', 'trigger', 'run', ABORTED_TRIGGER, appFile, '--config-map', notificationsFile, '--secret', ':empty', '--argocd-repo-server-plaintext'], { env });
    const trigger = parseTrigger(triggerRun.stdout);
    return { health, trigger, ...(trigger.length === 0 ? { problem: `argocd admin notifications trigger run ${ABORTED_TRIGGER} (exit ${triggerRun.code}): ${(triggerRun.stderr || triggerRun.stdout).trim().slice(0, 500)}` } : {}) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

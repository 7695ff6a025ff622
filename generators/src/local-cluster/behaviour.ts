/**
 * The behaviour rung of a local cluster: beside a running etcd and kube-apiserver
 * (`validate/apiserver/control-plane.ts`), the kube-controller-manager and kube-scheduler of the
 * same Kubernetes release, kwok (simulated kubelets) and, when asked, the Argo Rollouts controller,
 * so Deployments become Available, Jobs complete, HPAs and PDBs act and Rollouts take their steps.
 *
 * - Each process runs under the control plane's guard (`startGuarded`): when this process ends in
 *   any way (stop, exception, Ctrl-C, SIGKILL) its pipe closes and the process is killed; the
 *   temporary folder (kubeconfig, kwok's stages, logs) goes with them.
 * - Controllers the cloud or the network would run are left out: `nodeipam`, `cloud-node-lifecycle`,
 *   `service-lb-controller`, `route`; `persistentvolume-binder` too (no provisioner runs, so a PVC
 *   stays Pending and says so). The node lifecycle controller stays on: it lifts the
 *   `node.kubernetes.io/not-ready` taint admission puts on every new Node once kwok marks it Ready.
 * - The Nodes are the flavor's (`nodes.ts`); the start resolves once every one is Ready and
 *   untainted, so the first Pods are not held back by a Node still starting.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ToolError } from '../errors.js';
import { kubeconfigYaml } from '../rehearse/argocd-processes.js';
import { lastLines } from '../tools/process.js';
import { distinctFreePorts, startGuarded, stopGuarded, type Guarded } from '../validate/apiserver/control-plane.js';
import type { KubeClient } from '../validate/apiserver/kube-client.js';
import type { BehaviourBinaries } from './binaries.js';
import { kwokStagesConfig } from './kwok.js';
import { rehearsalNodes, type ClusterFlavor } from './nodes.js';

/** The controllers of kube-controller-manager a local cluster runs (all but the cloud's and the provisioner's). */
export const CONTROLLERS = '*,-nodeipam,-cloud-node-lifecycle,-service-lb-controller,-route,-persistentvolume-binder';

export interface BehaviourOptions {
  readonly binaries: BehaviourBinaries;
  /** The running API server: its URL, a `system:masters` token, its serving certificate, its folder (`sa.key`, `certs/`). */
  readonly connection: { readonly url: string; readonly token: string; readonly ca: string; readonly workDir: string };
  readonly client: KubeClient;
  readonly flavor: ClusterFlavor;
  readonly region: string;
  /**
   * Start the Argo Rollouts controller too, with this environment added (the AWS endpoints:
   * `AWS_ENDPOINT_URL_*`, static credentials, region).
   */
  readonly rollouts?: { readonly env: Readonly<Record<string, string>> };
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
}

export interface RunningBehaviour {
  /** Process ids of the guards (tests look for leftovers with them). */
  readonly pids: readonly number[];
  readonly names: readonly string[];
  readonly workDir: string;
  /** The Node names created. */
  readonly nodes: readonly string[];
  logTail(name: string, lines?: number): Promise<string>;
  /** Fails when a process has ended (naming it and its log). */
  assertRunning(): void;
  stop(): Promise<void>;
}

/** Starts the controllers, kwok (and Rollouts) and creates the Nodes; always cleans up on failure. */
export async function startBehaviour(options: BehaviourOptions): Promise<RunningBehaviour> {
  const started = Date.now();
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'gitops-behaviour-'));
  const guards: Guarded[] = [];
  const names: string[] = [];
  const stopAll = async () => {
    // SIGKILL: their state lives in the API server, which is thrown away after them.
    for (const guard of [...guards].reverse()) await stopGuarded(guard, false);
    await rm(workDir, { recursive: true, force: true });
  };
  try {
    const kubeconfig = path.join(workDir, 'kubeconfig');
    await writeFile(kubeconfig, kubeconfigYaml(options.connection, 'default'), { mode: 0o600 });
    const stages = path.join(workDir, 'kwok-stages.yaml');
    await writeFile(stages, await kwokStagesConfig(options.binaries.kwokModuleDir));
    const start = async (name: string, binary: string, args: string[], env: Record<string, string> = {}) => {
      names.push(name);
      guards.push(await startGuarded(name, binary, args, workDir, workDir, env));
    };
    const auth = [`--kubeconfig=${kubeconfig}`, `--authentication-kubeconfig=${kubeconfig}`, `--authorization-kubeconfig=${kubeconfig}`, '--bind-address=127.0.0.1', '--secure-port=0', '--leader-elect=false'];
    await start('kube-controller-manager', options.binaries.kubeControllerManager, [
      ...auth,
      `--service-account-private-key-file=${path.join(options.connection.workDir, 'sa.key')}`,
      `--root-ca-file=${path.join(options.connection.workDir, 'certs', 'apiserver.crt')}`,
      '--use-service-account-credentials=false',
      `--controllers=${CONTROLLERS}`,
      // A rehearsal waits for controllers, not for production's pacing.
      '--horizontal-pod-autoscaler-sync-period=5s',
      '--node-monitor-period=2s',
    ]);
    await start('kube-scheduler', options.binaries.kubeScheduler, auth);
    const [kwokPort] = (await distinctFreePorts(1)) as [number];
    await start('kwok', options.binaries.kwok, [`--kubeconfig=${kubeconfig}`, `--config=${stages}`, '--manage-all-nodes=true', `--server-address=127.0.0.1:${kwokPort}`, '--cidr=10.244.0.0/16', '--node-ip=10.0.0.1']);
    if (options.rollouts && options.binaries.rollouts) {
      const [healthz, metrics] = (await distinctFreePorts(2)) as [number, number];
      await start('rollouts-controller', options.binaries.rollouts.binary, [
        `--kubeconfig=${kubeconfig}`,
        '--leader-elect=false',
        `--healthzPort=${healthz}`,
        `--metricsPort=${metrics}`,
        // As the tree's argo-rollouts chart values set it (controller.awsVerifyTargetGroup: true): status.alb and weight verification.
        '--aws-verify-target-group',
        '--loglevel=info',
      ], { ...options.rollouts.env });
    }
    const nodes = rehearsalNodes(options.flavor, options.region);
    for (const node of nodes) {
      const answer = await options.client.request('POST', '/api/v1/nodes', JSON.stringify(node), { 'content-type': 'application/json' });
      if (answer.status >= 300 && answer.status !== 409) throw new ToolError(`cannot create Node ${String((node['metadata'] as { name: string }).name)}: ${String(answer.body['message'] ?? answer.status)}`);
    }
    const nodeNames = nodes.map((node) => (node['metadata'] as { name: string }).name);
    await waitNodesReady(options.client, nodeNames, () => assertRunning(guards, names), options.signal);
    options.log?.(`${options.flavor} nodes ${nodeNames.join(', ')} Ready; ${names.join(', ')} running (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    let stopped: Promise<void> | undefined;
    return {
      pids: guards.map((g) => g.child.pid ?? 0),
      names,
      workDir,
      nodes: nodeNames,
      logTail: async (name, lines = 20) => lastLines(await readFile(path.join(workDir, `${name}.log`), 'utf8').catch(() => ''), lines),
      assertRunning: () => assertRunning(guards, names),
      stop: () => (stopped ??= stopAll()),
    };
  } catch (error) {
    const logs = await Promise.all(names.map(async (name) => `${name}.log:\n${lastLines(await readFile(path.join(workDir, `${name}.log`), 'utf8').catch(() => ''), 6)}`));
    await stopAll();
    if (error instanceof ToolError) throw new ToolError(`${error.message}\n${logs.join('\n')}`, error.hint);
    throw error;
  }
}

function assertRunning(guards: readonly Guarded[], names: readonly string[]): void {
  const gone = guards.findIndex((g) => g.child.exitCode !== null || g.child.signalCode !== null);
  if (gone >= 0) throw new ToolError(`${names[gone]} exited (code ${guards[gone]!.child.exitCode}); its log: ${guards[gone]!.logFile}`);
}

/** Ready, and no `node.kubernetes.io/not-ready` taint left. */
async function waitNodesReady(client: KubeClient, nodes: readonly string[], check: () => void, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    signal?.throwIfAborted();
    check();
    const answer = await client.get('/api/v1/nodes');
    const items = (answer.body['items'] ?? []) as { metadata: { name: string }; spec?: { taints?: { key: string }[] }; status?: { conditions?: { type: string; status: string }[] } }[];
    const ready = items.filter((node) => nodes.includes(node.metadata.name) && node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') && !node.spec?.taints?.some((t) => t.key.startsWith('node.kubernetes.io/')));
    if (ready.length === nodes.length) return;
    if (Date.now() > deadline) throw new ToolError(`the Nodes did not become Ready and untainted within 60 s (${ready.length} of ${nodes.length})`);
    await sleep(250, undefined, { signal });
  }
}

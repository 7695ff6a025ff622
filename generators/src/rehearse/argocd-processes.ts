/**
 * The Argo CD of a rehearsal: Redis, the repo-server, the application controller and the
 * ApplicationSet controller, each a real process on 127.0.0.1 (free ports; the controller's
 * metrics port binds every interface, it has no address flag), against one local API server.
 *
 * Each runs under the control plane's guard (`startGuarded`): when this process ends in any way
 * (stop, exception, Ctrl-C, SIGKILL) its pipe closes and every server stops, and the temporary
 * folder (kubeconfig, logs, the repo-server's clones) goes with them.
 */
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ToolError } from '../errors.js';
import type { ArgoCdBuild } from '../tools/argocd-build.js';
import { lastLines, runProcess } from '../tools/process.js';
import { distinctFreePorts, startGuarded, stopGuarded, type Guarded } from '../validate/apiserver/control-plane.js';

/** The Debian package `.ci/run` installs when `redis-server` is missing. */
export const REDIS_PACKAGE = 'redis-server';

export interface ArgoCdStartOptions {
  readonly argocd: ArgoCdBuild;
  /** The API server Argo CD manages (`https://kubernetes.default.svc` through a kubeconfig). */
  readonly connection: { readonly url: string; readonly token: string; readonly ca: string };
  /** Namespace of Argo CD's own objects. */
  readonly namespace: string;
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
}

export interface RunningArgoCd {
  /** Process ids of the guards (tests look for leftovers with them). */
  readonly pids: readonly number[];
  readonly workDir: string;
  /** The last lines of one process's log (`repo-server`, `application-controller`, ...). */
  logTail(name: string, lines?: number): Promise<string>;
  /** Fails when a process has ended (with its last log lines). */
  assertRunning(): void;
  stop(): Promise<void>;
}

/** The path of `redis-server`, or a clear error naming the package. */
export async function findRedis(): Promise<string> {
  const found = await runProcess('sh', ['-c', 'command -v redis-server']).catch(() => undefined);
  const binary = found?.stdout.trim();
  if (!found || found.code !== 0 || !binary) {
    throw new ToolError(`redis-server is not installed: the rehearsal runs Argo CD's cache on a local Redis`, `install the Debian package ${REDIS_PACKAGE} (apt-get install ${REDIS_PACKAGE}); .ci/run installs it`);
  }
  return binary;
}

/** Starts the four processes; resolves once the repo-server and Redis accept connections. */
export async function startArgoCd(options: ArgoCdStartOptions): Promise<RunningArgoCd> {
  const redis = await findRedis();
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'gitops-argocd-'));
  const guards: Guarded[] = [];
  const names: string[] = [];
  const stopAll = async () => {
    for (const guard of [...guards].reverse()) await stopGuarded(guard);
    await rm(workDir, { recursive: true, force: true });
  };
  try {
    const kubeconfig = path.join(workDir, 'kubeconfig');
    await writeFile(kubeconfig, kubeconfigYaml(options.connection, options.namespace), { mode: 0o600 });
    // The repo-server runs git-verify-wrapper.sh on every manifest generation (GPG off or not).
    const bin = path.join(workDir, 'bin');
    await mkdir(bin);
    await copyFile(path.join(options.argocd.moduleDir, 'hack', 'git-verify-wrapper.sh'), path.join(bin, 'git-verify-wrapper.sh'));
    await chmod(path.join(bin, 'git-verify-wrapper.sh'), 0o755);
    const home = path.join(workDir, 'home');
    await mkdir(home);
    const [redisPort, repoPort, repoMetrics, controllerMetrics, appsetMetrics, appsetProbe, appsetWebhook] = (await distinctFreePorts(7)) as [number, number, number, number, number, number, number];
    const redisAddress = `127.0.0.1:${redisPort}`;
    const repoAddress = `127.0.0.1:${repoPort}`;
    const env = {
      KUBECONFIG: kubeconfig,
      ARGOCD_FAKE_IN_CLUSTER: 'true',
      PATH: `${bin}:${process.env['PATH'] ?? '/usr/bin:/bin'}`,
      HOME: home,
      ARGOCD_GPG_ENABLED: 'false',
      // Each clone, temporary Helm home and GPG folder of the repo-server stays in the work folder.
      TMPDIR: path.join(workDir, 'tmp'),
      ARGOCD_GNUPGHOME: path.join(workDir, 'gnupg'),
    };
    await mkdir(env.TMPDIR);
    const start = async (name: string, binary: string, args: string[], extra: Record<string, string> = {}) => {
      names.push(name);
      guards.push(await startGuarded(name, binary, args, workDir, workDir, { ...env, ...extra }));
    };
    await start('redis', redis, ['--bind', '127.0.0.1', '--port', String(redisPort), '--save', '', '--appendonly', 'no', '--dir', workDir]);
    // Plain gRPC on loopback: --disable-tls, and (since v3.5) no mTLS client CA, whose default path
    // would otherwise be refused together with it.
    await start('repo-server', options.argocd.binary, ['--address', '127.0.0.1', '--port', String(repoPort), '--metrics-address', '127.0.0.1', '--metrics-port', String(repoMetrics), '--redis', redisAddress, '--disable-tls', '--client-ca-path=', '--loglevel', 'info', '--logformat', 'text'], { ARGOCD_BINARY_NAME: 'argocd-repo-server' });
    await waitPort(repoPort, guards, names, workDir, options.signal);
    await start('application-controller', options.argocd.binary, [
      '--repo-server', repoAddress,
      '--repo-server-plaintext',
      '--redis', redisAddress,
      '--metrics-port', String(controllerMetrics),
      '--status-processors', '10',
      '--operation-processors', '10',
      // Reconcile often: a rehearsal waits for Argo CD, not for production's 3-minute cycle.
      '--app-resync', '30',
      '--self-heal-timeout-seconds', '2',
      '--loglevel', 'info',
      '--logformat', 'text',
    ], { ARGOCD_BINARY_NAME: 'argocd-application-controller' });
    await start('applicationset-controller', options.argocd.binary, [
      '--argocd-repo-server', repoAddress,
      '--repo-server-plaintext',
      '--metrics-addr', `127.0.0.1:${appsetMetrics}`,
      '--probe-addr', `127.0.0.1:${appsetProbe}`,
      '--webhook-addr', `127.0.0.1:${appsetWebhook}`,
      '--enable-leader-election=false',
      '--loglevel', 'info',
      '--logformat', 'text',
    ], { ARGOCD_BINARY_NAME: 'argocd-applicationset-controller', NAMESPACE: options.namespace });
    options.log?.(`Argo CD ${options.argocd.release} started: repo-server ${repoAddress}, application controller, ApplicationSet controller, redis ${redisAddress}`);
    let stopped: Promise<void> | undefined;
    return {
      pids: guards.map((g) => g.child.pid ?? 0),
      workDir,
      logTail: async (name, lines = 20) => lastLines(await readFile(path.join(workDir, `${name}.log`), 'utf8').catch(() => ''), lines),
      assertRunning: () => assertRunning(guards, names),
      stop: () => (stopped ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function assertRunning(guards: readonly Guarded[], names: readonly string[]): void {
  const gone = guards.findIndex((g) => g.child.exitCode !== null || g.child.signalCode !== null);
  if (gone >= 0) throw new ToolError(`Argo CD's ${names[gone]} exited (code ${guards[gone]!.child.exitCode}); its log: ${guards[gone]!.logFile}`);
}

async function waitPort(port: number, guards: readonly Guarded[], names: readonly string[], workDir: string, signal?: AbortSignal): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + 60_000;
  for (;;) {
    signal?.throwIfAborted();
    try {
      assertRunning(guards, names);
    } catch (error) {
      const name = names[guards.findIndex((g) => g.child.exitCode !== null)] ?? '';
      throw new ToolError(`${(error as Error).message}\n${lastLines(await readFile(path.join(workDir, `${name}.log`), 'utf8').catch(() => ''), 10)}`);
    }
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new ToolError(`Argo CD's repo-server did not listen on 127.0.0.1:${port} within 60 s`);
    await sleep(200);
  }
}

/** A kubeconfig for one server and bearer token, the context's namespace set. */
export function kubeconfigYaml(connection: { url: string; token: string; ca: string }, namespace: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '  - name: rehearsal',
    '    cluster:',
    `      server: ${connection.url}`,
    `      certificate-authority-data: ${Buffer.from(connection.ca).toString('base64')}`,
    'users:',
    '  - name: rehearsal',
    '    user:',
    `      token: ${connection.token}`,
    'contexts:',
    '  - name: rehearsal',
    '    context:',
    '      cluster: rehearsal',
    '      user: rehearsal',
    `      namespace: ${namespace}`,
    'current-context: rehearsal',
    '',
  ].join('\n');
}

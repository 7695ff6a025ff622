/**
 * A throwaway local control plane: the real etcd and kube-apiserver, started on loopback for one
 * run and always stopped after it (the envtest pattern: one owner starts, waits for, and stops it).
 *
 * - Ports are chosen free on 127.0.0.1; nothing listens on another interface.
 * - Everything lives in one temporary folder (etcd data, serving certificate, service-account key,
 *   token file, logs), removed on stop.
 * - Each server runs under a small `sh` guard that holds a pipe from this process: when this
 *   process ends in any way (stop, exception, Ctrl-C, even SIGKILL) the pipe closes and the guard
 *   stops its server and removes the folder, so no process or port outlives the run.
 * - `etcdSnapshot` starts etcd from a copy of a data folder saved earlier (CRDs already installed),
 *   which saves the ~30 s the CRDs take to become Established.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPair, randomBytes } from 'node:crypto';
import { cp, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { ToolError } from '../../errors.js';
import { lastLines } from '../../tools/process.js';
import type { ControlPlaneBinaries } from '../../tools/control-plane-build.js';

export interface StartOptions {
  readonly binaries: ControlPlaneBinaries;
  /** An etcd data folder to start from (copied, never changed). */
  readonly etcdSnapshot?: string;
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
}

/** A running control plane. */
export interface ControlPlane {
  /** `https://127.0.0.1:<port>` */
  readonly url: string;
  /** Bearer token of a `system:masters` user. */
  readonly token: string;
  /** PEM of the self-signed serving certificate (and its CA). */
  readonly ca: string;
  /** The temporary folder of this run (etcd data under `etcd/`). */
  readonly workDir: string;
  /** Process ids of the two guards (tests look for leftovers with them). */
  readonly pids: readonly number[];
  /**
   * Stops etcd and the apiserver and removes the folder. With `keepEtcdData`, both shut down
   * cleanly and etcd's data is copied there first; otherwise they are killed (the data is thrown
   * away: nothing is gained by waiting ~2 s for a graceful shutdown).
   */
  stop(options?: { keepEtcdData?: string }): Promise<void>;
}

/**
 * The guard: runs "$@" in the background with /dev/null as its stdin, and reads its own stdin (a
 * pipe from the owner, kept on fd 3). A line means an orderly stop: "kill" gets the server
 * SIGKILL (its data is thrown away anyway), any other line SIGTERM (the owner escalates to
 * SIGKILL of the process group if it hangs). End of file without
 * a line means the owner died: the server gets SIGKILL (nobody keeps its data; a SIGTERMed
 * kube-apiserver whose etcd is already gone took 30-60 s to give up) and $GUARD_REMOVE, when set,
 * is removed after it ends.
 */
const GUARD = [
  'exec 3<&0',
  'orphan=',
  "trap 'kill -TERM \"$child\" 2>/dev/null' USR1",
  "trap 'orphan=1; kill -KILL \"$child\" 2>/dev/null' USR2",
  '"$@" </dev/null &',
  'child=$!',
  '{ if read -r line <&3; then if [ "$line" = kill ]; then kill -KILL "$child"; else kill -USR1 $$; fi; else kill -USR2 $$; fi; } &',
  'watcher=$!',
  'while :; do wait "$child"; code=$?; kill -0 "$child" 2>/dev/null || break; done',
  'kill "$watcher" 2>/dev/null',
  'if [ -n "$orphan" ] && [ -n "${GUARD_REMOVE:-}" ]; then rm -rf "$GUARD_REMOVE"; fi',
  'exit "$code"',
].join('\n');

/** A server running under the guard. */
export interface Guarded {
  readonly child: ChildProcess;
  readonly logFile: string;
  readonly exited: Promise<number | null>;
}

/**
 * Starts `binary` under the guard, its output appended to `<workDir>/<name>.log`; `env` is added
 * to the environment. `removeOnExit` is removed when the owner dies without stopping it.
 */
export async function startGuarded(name: string, binary: string, args: readonly string[], workDir: string, removeOnExit?: string, env: Readonly<Record<string, string>> = {}): Promise<Guarded> {
  const logFile = path.join(workDir, `${name}.log`);
  const log = await open(logFile, 'a');
  try {
    const child = spawn('sh', ['-c', GUARD, `guard-${name}`, binary, ...args], {
      stdio: ['pipe', log.fd, log.fd],
      detached: true, // its own process group: Ctrl-C reaches this process, which stops it in order
      env: { ...process.env, ...env, GUARD_REMOVE: removeOnExit ?? '' },
    });
    const exited = new Promise<number | null>((resolve) => {
      child.on('exit', (code) => resolve(code));
      child.on('error', () => resolve(null));
    });
    return { child, logFile, exited };
  } finally {
    await log.close();
  }
}

/**
 * Stops a guarded server: gracefully (SIGTERM; SIGKILL of its process group after 15 s) or, when
 * its state is thrown away anyway, at once (SIGKILL).
 */
export async function stopGuarded(guarded: Guarded, graceful = true): Promise<void> {
  if (guarded.child.exitCode !== null || guarded.child.signalCode !== null) return;
  guarded.child.stdin?.end(graceful ? 'stop\n' : 'kill\n');
  const timeout = new AbortController();
  const done = await Promise.race([guarded.exited.then(() => true), sleep(15_000, undefined, { signal: timeout.signal }).then(() => false, () => false)]);
  timeout.abort();
  if (!done && guarded.child.pid) {
    try {
      process.kill(-guarded.child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await guarded.exited;
  }
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Starts etcd and the apiserver; resolves once `/readyz` answers 200. */
export async function startControlPlane(options: StartOptions): Promise<ControlPlane> {
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'gitops-apiserver-'));
  const guards: Guarded[] = [];
  const stopAll = async (keepEtcdData?: string) => {
    for (const guard of [...guards].reverse()) await stopGuarded(guard, keepEtcdData !== undefined);
    if (keepEtcdData) await cp(path.join(workDir, 'etcd'), keepEtcdData, { recursive: true });
    await rm(workDir, { recursive: true, force: true });
  };
  try {
    const [clientPort, peerPort, securePort] = await distinctFreePorts(3);
    const etcdDir = path.join(workDir, 'etcd');
    if (options.etcdSnapshot) await cp(options.etcdSnapshot, etcdDir, { recursive: true });
    const peer = `http://127.0.0.1:${peerPort}`;
    const client = `http://127.0.0.1:${clientPort}`;
    guards.push(
      await startGuarded('etcd', options.binaries.etcd, [
        '--name', 'default',
        '--data-dir', etcdDir,
        '--listen-client-urls', client,
        '--advertise-client-urls', client,
        '--listen-peer-urls', peer,
        '--initial-advertise-peer-urls', peer,
        '--initial-cluster', `default=${peer}`,
        // A copied data folder remembers the peer address of the run that saved it.
        ...(options.etcdSnapshot ? ['--force-new-cluster'] : []),
        '--unsafe-no-fsync', // throwaway data: durability buys nothing here
        '--log-level', 'warn',
      ], workDir, workDir),
    );

    const token = randomBytes(24).toString('hex');
    await writeFile(path.join(workDir, 'tokens.csv'), `${token},gitops-validate,gitops-validate,"system:masters"\n`, { mode: 0o600 });
    // Off the main thread: the CLI has other work while its servers start.
    const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
    await writeFile(path.join(workDir, 'sa.key'), privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });
    guards.push(
      await startGuarded('kube-apiserver', options.binaries.kubeApiserver, [
        `--etcd-servers=${client}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${securePort}`,
        `--cert-dir=${path.join(workDir, 'certs')}`,
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${path.join(workDir, 'sa.key')}`,
        `--service-account-signing-key-file=${path.join(workDir, 'sa.key')}`,
        '--service-cluster-ip-range=10.96.0.0/16',
        '--authorization-mode=RBAC',
        `--token-auth-file=${path.join(workDir, 'tokens.csv')}`,
        '--endpoint-reconciler-type=none',
        // Real clusters allow privileged containers and leave the verdict to Pod Security admission.
        '--allow-privileged=true',
        '--profiling=false',
        // Both guards remove the folder once their server has ended (the apiserver may still be
        // writing its certificates when etcd's guard removes it).
      ], workDir, workDir),
    );

    const url = `https://127.0.0.1:${securePort}`;
    await waitReady(url, token, guards, options.signal);
    const ca = await readFile(path.join(workDir, 'certs', 'apiserver.crt'), 'utf8');
    let stopped: Promise<void> | undefined;
    return {
      url,
      token,
      ca,
      workDir,
      pids: guards.map((g) => g.child.pid ?? 0),
      stop: (stopOptions) => (stopped ??= stopAll(stopOptions?.keepEtcdData)),
    };
  } catch (error) {
    const logs = await Promise.all(guards.map(async (g) => `${path.basename(g.logFile)}:\n${lastLines(await readFile(g.logFile, 'utf8').catch(() => ''), 8)}`));
    await stopAll();
    if (error instanceof ToolError) throw new ToolError(`${error.message}\n${logs.join('\n')}`, error.hint);
    throw error;
  }
}

/** `count` different free ports on 127.0.0.1. */
export async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

async function waitReady(url: string, token: string, guards: readonly Guarded[], signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    signal?.throwIfAborted();
    const gone = guards.find((g) => g.child.exitCode !== null);
    if (gone) throw new ToolError(`${path.basename(gone.logFile, '.log')} exited with code ${gone.child.exitCode} while starting`);
    if (await answersReady(url, token)) return;
    if (Date.now() > deadline) throw new ToolError('kube-apiserver did not become ready within 90 s');
    await sleep(200);
  }
}

async function answersReady(url: string, token: string): Promise<boolean> {
  const { request } = await import('node:https');
  return new Promise((resolve) => {
    const req = request(`${url}/readyz`, { headers: { authorization: `Bearer ${token}` }, rejectUnauthorized: false, timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/**
 * The local control plane's one promise: whatever starts it stops it. Real etcd and kube-apiserver
 * (built once into .tools/), started from the cached pre-loaded state; the processes are looked up
 * in /proc, the ports probed on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureControlPlane, type ControlPlaneBinaries } from '../../../src/tools/control-plane-build.js';
import { startControlPlane } from '../../../src/validate/apiserver/control-plane.js';
import { KubeClient } from '../../../src/validate/apiserver/kube-client.js';
import { repoRoot, tempRepo, type TempRepo } from '../../support/temp-repo.js';

const SLOW = { timeout: 300_000 };
let binaries: ControlPlaneBinaries;
const repos: TempRepo[] = [];

beforeAll(async () => {
  binaries = await ensureControlPlane(repoRoot, '1.35');
}, 1_800_000);

afterAll(async () => {
  await Promise.all(repos.map((repo) => repo.cleanup()));
});

/** Processes whose command line mentions `text`: pid → command line. */
function processesMentioning(text: string): Map<number, string> {
  const found = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmdline.includes(text)) found.set(Number(entry), cmdline);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** Children of a process, from /proc/<pid>/stat. */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function eventually(check: () => boolean | Promise<boolean>, seconds: number): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(200);
  }
  return check();
}

/** The etcd data folder of a server a CLI run started: found from the guard processes it spawned. */
async function serversOf(cliPid: number, seconds: number): Promise<{ workDir: string; pids: number[] } | undefined> {
  let found: { workDir: string; pids: number[] } | undefined;
  await eventually(() => {
    const guards = childrenOf(cliPid).filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('guard-kube-apiserver');
      } catch {
        return false;
      }
    });
    if (guards.length === 0) return false;
    const all = [...processesMentioning('gitops-apiserver-')].filter(([, cmd]) => cmd.includes('--etcd-servers') || cmd.includes('--data-dir'));
    const server = all.find(([pid]) => childrenOf(guards[0]!).includes(pid));
    const workDir = server ? /(\S*gitops-apiserver-[^/\s]+)/.exec(server[1])?.[1] : undefined;
    if (!workDir) return false;
    found = { workDir, pids: [...processesMentioning(workDir).keys()] };
    return found.pids.length >= 2;
  }, seconds);
  return found;
}

describe('the local control plane', () => {
  it('Pass when started and stopped: ready on loopback, then no process, port or folder left', SLOW, async () => {
    const plane = await startControlPlane({ binaries });
    const port = Number(new URL(plane.url).port);
    expect(new URL(plane.url).hostname).toBe('127.0.0.1');
    const client = new KubeClient({ url: plane.url, token: plane.token, ca: plane.ca });
    const version = await client.get('/version');
    client.close();
    expect(version.body['gitVersion']).toBe(binaries.kubernetesRelease);
    expect(processesMentioning(plane.workDir).size).toBeGreaterThanOrEqual(2);
    await plane.stop();
    expect(processesMentioning(plane.workDir).size).toBe(0);
    expect(await portOpen(port)).toBe(false);
    expect(existsSync(plane.workDir)).toBe(false);
  });

  it('Pass when the CLI running it is killed (SIGKILL): its servers stop and their folder goes', SLOW, async () => {
    const repo = await tempRepo({ fromExample: true, withRendered: true });
    repos.push(repo);
    const cli = spawn(process.execPath, [path.join(repoRoot, 'generators/bin/gitops.js'), '--root', repo.root, 'validate', '--engine', 'kube-apiserver', '--no-cache'], {
      env: { ...process.env, GITOPS_CACHE_ROOT: repoRoot },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => cli.on('exit', resolve));
    const servers = await serversOf(cli.pid!, 120);
    expect(servers, 'the CLI started its servers').toBeDefined();
    cli.kill('SIGKILL');
    await exited;
    expect(await eventually(() => processesMentioning(servers!.workDir).size === 0 && !existsSync(servers!.workDir), 20)).toBe(true);
    // And it stays gone: no server was still writing into it.
    await sleep(2_000);
    expect(existsSync(servers!.workDir)).toBe(false);
  });

  it('Pass when the CLI is interrupted (SIGINT): exit 130, its servers stopped', SLOW, async () => {
    const repo = await tempRepo({ fromExample: true, withRendered: true });
    repos.push(repo);
    const cli = spawn(process.execPath, [path.join(repoRoot, 'generators/bin/gitops.js'), '--root', repo.root, 'validate', '--engine', 'kube-apiserver', '--no-cache'], {
      env: { ...process.env, GITOPS_CACHE_ROOT: repoRoot },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    cli.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => cli.on('exit', (code) => resolve(code)));
    const servers = await serversOf(cli.pid!, 120);
    expect(servers, 'the CLI started its servers').toBeDefined();
    cli.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain('interrupted');
    expect(processesMentioning(servers!.workDir).size).toBe(0);
    expect(existsSync(servers!.workDir)).toBe(false);
  });
});

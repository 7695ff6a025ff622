/**
 * The behaviour rung against the real thing: kube-apiserver and etcd, the kube-controller-manager
 * and kube-scheduler of the same release and kwok (all built once into .tools/). Deployments
 * become Available across the flavor's zones, Jobs complete, a pod that fits no node is a finding;
 * and every process stops with the CLI, even when it is killed.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBehaviour } from '../../src/local-cluster/behaviour.js';
import { ensureBehaviourBinaries, type BehaviourBinaries } from '../../src/local-cluster/binaries.js';
import { ensureControlPlane, type ControlPlaneBinaries } from '../../src/tools/control-plane-build.js';
import { runProcess } from '../../src/tools/process.js';
import { startControlPlane } from '../../src/validate/apiserver/control-plane.js';
import { KubeClient } from '../../src/validate/apiserver/kube-client.js';
import { repoRoot, tempRepo, type TempRepo } from '../support/temp-repo.js';

const SLOW = { timeout: 600_000 };
let binaries: ControlPlaneBinaries;
let behaviourBinaries: BehaviourBinaries;
const repos: TempRepo[] = [];

beforeAll(async () => {
  binaries = await ensureControlPlane(repoRoot, '1.35');
  behaviourBinaries = await ensureBehaviourBinaries(repoRoot, '1.35');
}, 3_600_000);

afterAll(async () => {
  await Promise.all(repos.map((repo) => repo.cleanup()));
});

function readCmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** The processes below `root` (children, grandchildren, ...). */
function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const [child, parent] of parents) if (parent === pid) {
      found.push(child);
      walk(child);
    }
  };
  walk(root);
  return found;
}

function processesMentioning(text: string): number[] {
  return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry) && readCmdline(Number(entry)).includes(text)).map(Number);
}

async function eventually(check: () => boolean | Promise<boolean>, seconds: number): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(250);
  }
  return check();
}

const json = { 'content-type': 'application/json' };
const container = (cpu: string) => ({ name: 'main', image: 'registry.example/app:1', resources: { requests: { cpu, memory: '64Mi' } } });

describe('a local cluster that runs things', () => {
  it('Pass when a 3-replica Deployment spread over zones becomes Available on the three EKS nodes and a Job completes; Fail when a pod requests more than any node has', SLOW, async () => {
    const plane = await startControlPlane({ binaries });
    const client = new KubeClient({ url: plane.url, token: plane.token, ca: plane.ca });
    const behaviour = await startBehaviour({ binaries: behaviourBinaries, connection: plane, client, flavor: 'eks', region: 'eu-west-1' }).catch(async (error: unknown) => {
      client.close();
      await plane.stop();
      throw error;
    });
    try {
      expect(behaviour.nodes).toEqual(['eks-node-eu-west-1a', 'eks-node-eu-west-1b', 'eks-node-eu-west-1c']);
      await client.request('POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } }), json);
      const labels = { app: 'web' };
      await client.request('POST', '/apis/apps/v1/namespaces/app/deployments', JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web' },
        spec: { replicas: 3, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [container('500m')], topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: labels } }] } } },
      }), json);
      await client.request('POST', '/apis/batch/v1/namespaces/app/jobs', JSON.stringify({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'once' }, spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', containers: [container('100m')] } } } }), json);
      await client.request('POST', '/api/v1/namespaces/app/pods', JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'too-big' }, spec: { containers: [container('64')] } }), json);

      const available = await eventually(async () => ((await client.get('/apis/apps/v1/namespaces/app/deployments/web')).body['status'] as { availableReplicas?: number } | undefined)?.availableReplicas === 3, 60);
      expect(available, 'Deployment Available').toBe(true);
      const pods = ((await client.get('/api/v1/namespaces/app/pods?labelSelector=app%3Dweb')).body['items'] as { spec: { nodeName: string } }[]).map((p) => p.spec.nodeName).sort();
      expect(pods).toEqual(behaviour.nodes);
      expect(await eventually(async () => ((await client.get('/apis/batch/v1/namespaces/app/jobs/once')).body['status'] as { succeeded?: number } | undefined)?.succeeded === 1, 60), 'Job complete').toBe(true);
      const unschedulable = await eventually(async () => {
        const pod = (await client.get('/api/v1/namespaces/app/pods/too-big')).body as { status?: { phase?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] } };
        const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
        return pod.status?.phase === 'Pending' && scheduled?.status === 'False' && scheduled.reason === 'Unschedulable' && /Insufficient cpu/.test(scheduled.message ?? '');
      }, 30);
      expect(unschedulable, 'the pod that fits no node is Unschedulable: Insufficient cpu').toBe(true);
    } finally {
      await behaviour.stop();
      client.close();
      await plane.stop();
    }
    expect(processesMentioning(behaviour.workDir)).toEqual([]);
    expect(existsSync(behaviour.workDir)).toBe(false);
  });
});

describe('rehearse --canaries stops every process it started', () => {
  let repo: TempRepo;
  beforeAll(async () => {
    repo = await tempRepo({ fromExample: true, withRendered: true });
    repos.push(repo);
    for (const args of [['init', '-q', '-b', 'main'], ['add', '-A'], ['-c', 'user.name=test', '-c', 'user.email=test@example.com', 'commit', '-q', '-m', 'example']]) {
      const result = await runProcess('git', args, { cwd: repo.root });
      if (result.code !== 0) throw new Error(result.stderr);
    }
  }, 120_000);

  it('Pass when the CLI is killed (SIGKILL): the controller-manager, scheduler, kwok, Rollouts, the API server and their folders go', SLOW, async () => {
    const cli = spawn(process.execPath, [path.join(repoRoot, 'generators/bin/gitops.js'), '--root', repo.root, 'rehearse', '--cluster', 'staging', '--canaries', '--no-sync'], {
      env: { ...process.env, GITOPS_CACHE_ROOT: repoRoot },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => cli.on('exit', resolve));
    const guards = ['guard-kube-controller-manager', 'guard-kube-scheduler', 'guard-kwok', 'guard-rollouts-controller', 'guard-kube-apiserver', 'guard-etcd'];
    const mine = () => descendants(cli.pid!);
    const running = await eventually(() => guards.every((guard) => mine().some((pid) => readCmdline(pid).includes(guard))), 300);
    expect(running, `the CLI started ${guards.join(', ')}`).toBe(true);
    const pids = mine();
    const workDirs = [...new Set(pids.flatMap((pid) => [...readCmdline(pid).matchAll(/(\/\S*gitops-(?:behaviour|apiserver)-[A-Za-z0-9]+)/g)].map((m) => m[1]!)))];
    cli.kill('SIGKILL');
    await exited;
    expect(await eventually(() => pids.every((pid) => readCmdline(pid) === ''), 30)).toBe(true);
    expect(await eventually(() => workDirs.every((dir) => !existsSync(dir)), 10)).toBe(true);
  });
});

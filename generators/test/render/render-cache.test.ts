import { appendFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { loadPlatform } from '../../src/inputs/platform.js';
import { codeGraph, codeKeyOf, generatorCodeKey } from '../../src/render/code-key.js';
import { renderCacheDir, spareDir } from '../../src/render/render-cache.js';
import { renderPlatform, renderToMemory } from '../../src/render/render-platform.js';
import { compareTree } from '../../src/render/tree-io.js';
import { gitops } from '../support/cli.js';
import { repoRoot, tempReposOfEachTest, type TempRepo } from '../support/temp-repo.js';
import { snapshotClusters } from '../support/tree-snapshot.js';

const newRepo = tempReposOfEachTest();
const exampleRepo = () => newRepo({ fromExample: true, withRendered: true });

/** Every rendered file on disk, by `<cluster>/rendered/<path>`. */
async function renderedOnDisk(root: string): Promise<Record<string, string>> {
  return Object.fromEntries(Object.entries(await snapshotClusters(root)).filter(([file]) => file.includes('/rendered/')));
}

/** Inode and ctime of every rendered file, by `<cluster>/rendered/<path>`. */
async function fileIdentities(root: string): Promise<Record<string, { ino: number; ctimeMs: number }>> {
  const identities: Record<string, { ino: number; ctimeMs: number }> = {};
  for (const file of Object.keys(await renderedOnDisk(root))) {
    const { ino, ctimeMs } = await stat(path.join(root, 'clusters', file));
    identities[file] = { ino, ctimeMs };
  }
  return identities;
}

/** What a full render (every chart synthesized, no cache) gives for the inputs on disk. */
async function fullRender(root: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const [cluster, list] of renderToMemory(await loadPlatform(root))) for (const file of list) files[`${cluster}/rendered/${file.path}`] = file.content;
  return files;
}

/** `gitops render`, and what it reported: files written and charts synthesized. */
async function render(root: string): Promise<{ code: number; written: number; synthesized: number; cached: number; line: string }> {
  const result = await gitops(root, 'render');
  const match = /: (\d+) written, \d+ unchanged, \d+ removed; (\d+) charts? synthesized, (\d+) from the render cache/.exec(result.out[0] ?? '');
  return { code: result.code, written: Number(match?.[1] ?? -1), synthesized: Number(match?.[2] ?? -1), cached: Number(match?.[3] ?? -1), line: [...result.out, ...result.err].join('\n') };
}

/** A small seeded generator (mulberry32), so a failing sequence of edits can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const services = ['course-service', 'frontend', 'notification-service', 'payment-service', 'user-service'];

/** Sets (or, with `undefined`, deletes) a value in a YAML input, comments kept. */
async function edit(repo: TempRepo, file: string, change: (doc: ReturnType<typeof parseDocument>) => void): Promise<void> {
  const doc = parseDocument(await repo.read(file).catch(() => ''));
  change(doc);
  await repo.write(file, doc.toString());
}

/** Adds `item` to a list field of a service (or removes it when there); returns `+item` or `-item`. */
async function toggle(repo: TempRepo, service: string, field: 'allowFrom' | 'uses', item: string): Promise<string> {
  let added = false;
  await edit(repo, `apps/${service}/service.yaml`, (doc) => {
    const list = ((doc.toJS() as Record<string, string[] | undefined>)[field] ?? []).slice();
    added = !list.includes(item);
    doc.setIn([field], doc.createNode(added ? [...list, item] : list.filter((s) => s !== item), { flow: true }));
  });
  return `${added ? '+' : '-'}${item}`;
}

type Edit = (repo: TempRepo, pick: <T>(items: readonly T[]) => T, n: number) => Promise<string>;

/** Input edits of every kind a chart depends on: its own inputs, callers and callees, resources, params, the cluster, add-on pins. */
const edits: Record<string, Edit> = {
  async imageTag(repo, pick, n) {
    const service = pick(services);
    await edit(repo, `apps/${service}/service.yaml`, (doc) => doc.setIn(['image', 'tag'], `9.${n}.0`));
    return `${service} image tag 9.${n}.0`;
  },
  async stagingOverride(repo, pick, n) {
    const service = pick(services);
    await edit(repo, `apps/${service}/staging.yaml`, (doc) => doc.setIn(['image'], doc.createNode({ tag: `8.${n}.1` })));
    return `${service} staging override tag 8.${n}.1`;
  },
  async env(repo, pick, n) {
    const service = pick(services);
    await edit(repo, `apps/${service}/service.yaml`, (doc) => doc.setIn(['env', 'EDIT_ROUND'], String(n)));
    return `${service} env EDIT_ROUND=${n}`;
  },
  async allowFrom(repo, pick) {
    const service = pick(services);
    return `${service} allowFrom ${await toggle(repo, service, 'allowFrom', pick(services.filter((s) => s !== service)))}`;
  },
  async ports(repo, pick, n) {
    const service = pick(services);
    await edit(repo, `apps/${service}/service.yaml`, (doc) => {
      const ports = ((doc.toJS() as { ports: { name: string; port: number }[] }).ports ?? []).filter((p) => p.name !== 'admin');
      doc.setIn(['ports'], doc.createNode(n % 2 ? [...ports, { name: 'admin', port: 9100 + n }] : ports));
    });
    return `${service} ports ${n % 2 ? `+admin ${9100 + n}` : '-admin'}`;
  },
  async uses(repo, pick) {
    const service = pick(services);
    return `${service} uses ${await toggle(repo, service, 'uses', pick(['platform-db', 'sessions-cache']))}`;
  },
  async infra(repo, _pick, n) {
    await edit(repo, 'infra/platform-db.yaml', (doc) => doc.setIn(['allocatedStorageGiB'], 100 + n));
    return `platform-db allocatedStorageGiB ${100 + n}`;
  },
  async param(repo, _pick, n) {
    await edit(repo, 'clusters/staging/params.yaml', (doc) => doc.setIn(['parameters', 'network/vpc-cidr'], `10.${30 + (n % 50)}.0.0/16`));
    return `staging param network/vpc-cidr 10.${30 + (n % 50)}.0.0/16`;
  },
  async cluster(repo, _pick, n) {
    await edit(repo, 'clusters/staging/cluster.yaml', (doc) => doc.setIn(['workflows', 'loadTest', 'vus'], 20 + n));
    return `staging cluster.yaml workflows.loadTest.vus ${20 + n}`;
  },
  async addons(repo, _pick, n) {
    await edit(repo, 'clusters/addons.yaml', (doc) => {
      const charts = (doc.toJS() as { charts: Record<string, { version: string }> }).charts;
      const name = Object.keys(charts).sort()[n % Object.keys(charts).length]!;
      doc.setIn(['charts', name, 'version'], `${charts[name]!.version.split('-')[0]}-edit${n}`);
    });
    return `clusters/addons.yaml chart version edit ${n}`;
  },
  async addService(repo, _pick, n) {
    await repo.write(`apps/extra-${n}/service.yaml`, {
      team: 'data',
      image: { repository: `learning-platform/extra-${n}`, tag: '0.1.0' },
      ports: [{ name: 'http', port: 8080 }],
      resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
      probes: { readiness: { path: '/ready', port: 'http' }, liveness: { path: '/live', port: 'http' } },
      allowFrom: ['frontend'],
    });
    await repo.write(`apps/extra-${n}/production.yaml`, { image: { tag: '0.1.0', digest: `sha256:${'cd'.repeat(32)}` } });
    return `new service extra-${n}`;
  },
  async removeService(repo) {
    const extra = (await readdir(path.join(repo.root, 'apps'))).filter((name) => name.startsWith('extra-')).sort()[0];
    if (!extra) return 'nothing to remove';
    await repo.remove(`apps/${extra}`);
    return `removed service ${extra}`;
  },
};

describe('render cache', () => {
  it('incremental renders are byte-identical to full renders after random input edits', { timeout: 300_000 }, async () => {
    const seed = Number(process.env['RENDER_CACHE_SEED'] ?? 20261130);
    const next = random(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const repo = await exampleRepo();
    const first = await render(repo.root);
    expect(first.code, first.line).toBe(0);
    const log: string[] = [];
    let applied = 0;
    let cachedRounds = 0;
    for (let round = 1; applied < 14 && round <= 40; round++) {
      const kinds = Object.keys(edits);
      const count = 1 + Math.floor(next() * 2);
      const before = await snapshotInputs(repo.root);
      const done: string[] = [];
      for (let i = 0; i < count; i++) done.push(await edits[pick(kinds)]!(repo, pick, round * 10 + i));
      const result = await render(repo.root);
      if (result.code !== 0) {
        // An edit the input rules refuse (e.g. a caller that no longer exists): undo it, try another.
        await restoreInputs(repo, before);
        continue;
      }
      applied++;
      log.push(`round ${round}: ${done.join('; ')} → ${result.synthesized} synthesized, ${result.cached} cached, ${result.written} written`);
      const context = `seed ${seed}\n${log.join('\n')}`;
      expect(await renderedOnDisk(repo.root), context).toEqual(await fullRender(repo.root));
      if (result.cached > 0) cachedRounds++;
      // `render --check` agrees, and finds the tree up to date.
      expect((await gitops(repo.root, 'render', '--check')).code, context).toBe(0);
    }
    expect(applied).toBeGreaterThanOrEqual(14);
    expect(cachedRounds, log.join('\n')).toBeGreaterThanOrEqual(applied - 2);
  });

  it('synthesizes again only the charts whose inputs changed, callers and callees included', async () => {
    const repo = await exampleRepo();
    expect((await render(repo.root)).synthesized).toBeGreaterThan(30);
    const unchanged = await render(repo.root);
    expect(unchanged).toMatchObject({ code: 0, written: 0, synthesized: 0 });
    const charts = unchanged.cached;

    // One service's image tag: its chart in each cluster whose image it sets (production pins its own digest).
    await edit(repo, 'apps/payment-service/service.yaml', (doc) => doc.setIn(['image', 'tag'], '9.9.9'));
    expect(await render(repo.root)).toMatchObject({ code: 0, synthesized: 1, cached: charts - 1 });

    // A service's ports: its own chart and those of its callers (their egress names the ports), in both clusters.
    await edit(repo, 'apps/user-service/service.yaml', (doc) => doc.setIn(['ports', 1, 'port'], 9191));
    const callers = 3; // frontend, course-service, payment-service
    const ports = await render(repo.root);
    expect(ports).toMatchObject({ code: 0, synthesized: 2 * (1 + callers) });
    expect(await renderedOnDisk(repo.root)).toEqual(await fullRender(repo.root));

    // A new caller: the callee's chart (its ingress) and the caller's (its egress), in both clusters.
    await edit(repo, 'apps/course-service/service.yaml', (doc) => doc.setIn(['allowFrom'], doc.createNode(['frontend', 'notification-service'], { flow: true })));
    expect(await render(repo.root)).toMatchObject({ code: 0, synthesized: 4 });
    expect(await renderedOnDisk(repo.root)).toEqual(await fullRender(repo.root));
  });

  it('render --check is incremental too: it synthesizes the changed charts only, and reports them', async () => {
    const repo = await exampleRepo();
    expect((await render(repo.root)).code).toBe(0);
    await edit(repo, 'apps/payment-service/service.yaml', (doc) => doc.setIn(['env', 'LOG_LEVEL'], 'debug'));
    const drift = await compareTree(repo.root, renderPlatform(await loadPlatform(repo.root)));
    expect(drift.synthesized).toBe(2);
    expect(drift.changed).toEqual([
      'clusters/production/rendered/apps/payment-service/configmap.payment-service-env.yaml',
      'clusters/production/rendered/apps/payment-service/rollout.payment-service.yaml',
      'clusters/staging/rendered/apps/payment-service/configmap.payment-service-env.yaml',
      'clusters/staging/rendered/apps/payment-service/deployment.payment-service.yaml',
    ]);
    expect((await gitops(repo.root, 'render', '--check')).err.at(-1)).toMatch(/out of date \(4 files\)/);
  });

  it('a corrupt index is detected: every chart is synthesized again, the same bytes come out, and the index is rebuilt', async () => {
    const repo = await exampleRepo();
    const { synthesized: all } = await render(repo.root);
    const expected = await renderedOnDisk(repo.root);
    const index = path.join(renderCacheDir(repo.root), 'index.json');
    for (const corrupt of [
      async () => writeFile(index, '{"version": "gitops render cache v3", "clusters": {'), // truncated
      async () => writeFile(index, (await readFile(index, 'utf8')).replace(/"apps\/frontend/, '"apps/frontenD')), // checksum no longer matches
      async () => rm(renderCacheDir(repo.root), { recursive: true, force: true }), // missing
    ]) {
      await corrupt();
      expect(await render(repo.root)).toMatchObject({ code: 0, written: 0, synthesized: all });
      expect(await renderedOnDisk(repo.root)).toEqual(expected);
      expect(await render(repo.root)).toMatchObject({ code: 0, synthesized: 0 });
    }
  });

  it('a stale cache is detected: a hand-edited rendered file, and a spare tree changed behind its back', async () => {
    const repo = await exampleRepo();
    expect((await render(repo.root)).code).toBe(0);
    expect((await render(repo.root)).code).toBe(0); // now the spare tree exists
    const expected = await renderedOnDisk(repo.root);
    const deployment = 'clusters/staging/rendered/apps/user-service/deployment.user-service.yaml';

    // The rendered file edited in place (same size): its chart is synthesized again and the file restored.
    await repo.write(deployment, (await repo.read(deployment)).replace('imagePullPolicy', 'imagePullPolicY'));
    expect((await gitops(repo.root, 'render', '--check')).err).toContain(`changed: ${deployment}`);
    expect(await render(repo.root)).toMatchObject({ code: 0, written: 1, synthesized: 1 });
    expect(await renderedOnDisk(repo.root)).toEqual(expected);

    // The spare tree: a file edited in place, one deleted, one added; a file where a folder
    // belongs and a folder where a file belongs. None of it reaches rendered/.
    const spare = spareDir(repo.root, 'staging');
    await appendFile(path.join(spare, 'apps/frontend/service.frontend.yaml'), '# tampered\n');
    await rm(path.join(spare, 'apps/user-service/deployment.user-service.yaml'));
    await mkdir(path.join(spare, 'apps/stray'), { recursive: true });
    await writeFile(path.join(spare, 'apps/stray/configmap.stray.yaml'), 'kind: ConfigMap\n');
    await rm(path.join(spare, 'apps/notification-service'), { recursive: true });
    await writeFile(path.join(spare, 'apps/notification-service'), 'not a folder\n');
    await rm(path.join(spare, 'apps/payment-service/service.payment-service.yaml'));
    await mkdir(path.join(spare, 'apps/payment-service/service.payment-service.yaml/inner'), { recursive: true });
    await edit(repo, 'apps/course-service/service.yaml', (doc) => doc.setIn(['env', 'LOG_LEVEL'], 'debug'));
    const result = await render(repo.root);
    expect(result.code, result.line).toBe(0);
    expect(await renderedOnDisk(repo.root)).toEqual(await fullRender(repo.root));
    expect((await gitops(repo.root, 'render', '--check')).code).toBe(0);
  });

  it('from the first render on, a render touches only the files it changes (so Git\'s index stays fresh)', async () => {
    // No rendered tree and no cache: the first render writes every file, and leaves a spare tree
    // (the same files, hard-linked) for the next render to build from.
    const repo = await newRepo({ fromExample: true });
    expect((await render(repo.root)).code).toBe(0);
    const before = await fileIdentities(repo.root);
    for (const cluster of ['production', 'staging']) {
      const live = Object.entries(before).filter(([file]) => file.startsWith(`${cluster}/rendered/`));
      expect(live.length).toBeGreaterThan(30);
      for (const [file, identity] of live) {
        expect((await stat(path.join(spareDir(repo.root, cluster), file.slice(`${cluster}/rendered/`.length)))).ino, file).toBe(identity.ino);
      }
    }
    const contentBefore = await renderedOnDisk(repo.root);
    // Past the file system's timestamp tick: a link, write or rename of a file from here on shows in its ctime.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await edit(repo, 'apps/payment-service/service.yaml', (doc) => doc.setIn(['env', 'LOG_LEVEL'], 'debug'));
    const second = await render(repo.root);
    expect(second).toMatchObject({ code: 0, written: 4 });
    const contentAfter = await renderedOnDisk(repo.root);
    expect(contentAfter).toEqual(await fullRender(repo.root));
    const changed = Object.keys(contentAfter).filter((file) => contentAfter[file] !== contentBefore[file]);
    expect(changed).toHaveLength(4);
    // Every other file is the same inode, its ctime untouched: Git's index (which compares both)
    // needs to read none of them again.
    const after = await fileIdentities(repo.root);
    const touched = Object.keys(after).filter((file) => after[file]!.ino !== before[file]?.ino || after[file]!.ctimeMs !== before[file]?.ctimeMs);
    expect(touched.sort()).toEqual(changed.sort());
  });

  it('a render killed while it rebuilds the spare tree leaves a tree the next run repairs', async () => {
    const repo = await exampleRepo();
    expect((await render(repo.root)).code).toBe(0);
    expect((await render(repo.root)).code).toBe(0);
    // What a kill leaves: the spare half rebuilt as .rendered.tmp-*, and an old tree after the swap.
    const clusterDir = path.join(repo.root, 'clusters/staging');
    const { rename, cp } = await import('node:fs/promises');
    await rename(spareDir(repo.root, 'staging'), path.join(clusterDir, '.rendered.tmp-1-dead'));
    await writeFile(path.join(clusterDir, '.rendered.tmp-1-dead/apps/frontend/half.yaml'), 'kind: Dep');
    await cp(path.join(clusterDir, 'rendered'), path.join(clusterDir, '.rendered.old-1-dead'), { recursive: true });
    await writeFile(path.join(clusterDir, '.rendered.old-1-dead/apps/frontend/old.yaml'), 'kind: Old');
    await edit(repo, 'apps/frontend/service.yaml', (doc) => doc.setIn(['env', 'LOG_LEVEL'], 'debug'));
    expect((await render(repo.root)).code).toBe(0);
    expect(await renderedOnDisk(repo.root)).toEqual(await fullRender(repo.root));
    expect((await readdir(clusterDir)).filter((entry) => entry.startsWith('.rendered.'))).toEqual([]);
  });
});

describe('generator code key', () => {
  it('covers every module the render reaches and the packages they import, nothing else', () => {
    const { modules, packages } = codeGraph(path.join(repoRoot, 'generators/src/render/render-platform.ts'));
    const files = [...modules.keys()].map((file) => path.relative(repoRoot, file));
    expect(files).toEqual(expect.arrayContaining(['generators/src/charts/app-chart.ts', 'generators/src/constructs/app/app-deployment.ts', 'generators/imports/rds.services.k8s.aws.ts']));
    expect(files.filter((file) => file.includes('/commands/') || file.includes('/diff/') || file.includes('/cli/'))).toEqual([]);
    expect([...packages.keys()].sort()).toEqual(expect.arrayContaining(['cdk8s', 'cdk8s-plus-28', 'constructs', 'yaml']));
    expect(generatorCodeKey()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes when a reached module or a package version changes, not when an unrelated module does', async () => {
    const repo = await newRepo();
    await repo.write('src/entry.js', "import { helper } from './helper.js';\nimport { stringify } from 'yaml';\nexport const x = helper(stringify);\n");
    await repo.write('src/helper.js', 'export function helper(f) { return f; }\n');
    await repo.write('src/unrelated.js', 'export const y = 1;\n');
    await repo.write('node_modules/yaml/package.json', '{"name":"yaml","version":"2.9.1"}');
    const entry = path.join(repo.root, 'src/entry.js');
    const key = codeKeyOf(entry);
    await repo.write('src/unrelated.js', 'export const y = 2;\n');
    expect(codeKeyOf(entry)).toBe(key);
    await repo.write('src/helper.js', 'export function helper(f) { return () => f; }\n');
    const edited = codeKeyOf(entry);
    expect(edited).not.toBe(key);
    await repo.write('node_modules/yaml/package.json', '{"name":"yaml","version":"2.9.2"}');
    expect(codeKeyOf(entry)).not.toBe(edited);
  });
});

/** The input files of a repository (everything but the rendered trees), for undoing an edit. */
async function snapshotInputs(root: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(path.join(root, dir), { withFileTypes: true })) {
      const relative = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name !== 'rendered' && !entry.name.startsWith('.')) await walk(relative);
      } else files.set(relative, await readFile(path.join(root, relative), 'utf8'));
    }
  };
  for (const dir of ['apps', 'infra', 'clusters']) await walk(dir);
  return files;
}

async function restoreInputs(repo: TempRepo, before: Map<string, string>): Promise<void> {
  const now = await snapshotInputs(repo.root);
  for (const file of now.keys()) if (!before.has(file)) await repo.remove(file);
  for (const dir of await readdir(path.join(repo.root, 'apps'))) {
    if (![...before.keys()].some((file) => file.startsWith(`apps/${dir}/`))) await repo.remove(`apps/${dir}`);
  }
  for (const [file, content] of before) await repo.write(file, content);
}

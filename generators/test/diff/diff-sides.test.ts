import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveCommit } from '../../src/diff/git.js';
import { buildReport } from '../../src/diff/report.js';
import { readResourceCountLog, resourceCountLog } from '../../src/diff/resource-count-log.js';
import { resourceCount } from '../../src/diff/resource-counts.js';
import { readDiffSides, reportAgainstCommit } from '../../src/diff/sides.js';
import { parseRenderedFile, snapshotAtCommit, snapshotOfWorkingTree } from '../../src/diff/snapshot.js';
import { gitRepo, object, type GitRepo } from './support/git-repo.js';

const repos: GitRepo[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((repo) => repo.cleanup()));
});

const P = 'clusters/production/rendered';
const S = 'clusters/staging/rendered';

/** The report `gitops diff` builds from the files Git says changed, and the one built from every file of both sides. */
async function bothReports(repo: GitRepo, ref = 'HEAD') {
  const commit = await resolveCommit(repo.root, ref);
  const fromChanges = await reportAgainstCommit(repo.root, { ref, commit });
  const fromEverything = buildReport(await snapshotAtCommit(repo.root, commit), await snapshotOfWorkingTree(repo.root), { ref, commit });
  return { fromChanges, fromEverything };
}

async function exampleRepo(): Promise<GitRepo> {
  const repo = await gitRepo({ fromExample: true });
  repos.push(repo);
  return repo;
}

describe('gitops diff reads only what Git says changed', () => {
  it('gives the report of a full read, whatever the change: edits, moves, deletions, untracked and staged files, a new cluster', { timeout: 120_000 }, async () => {
    const repo = await exampleRepo();
    const same = async (what: string) => {
      const { fromChanges, fromEverything } = await bothReports(repo);
      expect(fromChanges, what).toEqual(fromEverything);
      return fromChanges;
    };
    expect((await same('nothing changed')).totals).toMatchObject({ added: 0, changed: 0, removed: 0, moved: 0 });

    // A one-service change, rendered.
    await repo.write('apps/user-service/service.yaml', (await repo.read('apps/user-service/service.yaml')).replace('LOG_LEVEL: info', 'LOG_LEVEL: debug'));
    expect((await repo.gitops('render')).code).toBe(0);
    expect((await same('one service')).totals.changed).toBeGreaterThan(0);

    // A file moved (the object is the same), one deleted, one untracked, one only in the index.
    await rename(path.join(repo.root, `${S}/apps/frontend/service.frontend.yaml`), path.join(repo.root, `${S}/apps/frontend/moved.yaml`));
    await rm(path.join(repo.root, `${P}/apps/frontend/ingress.frontend.yaml`));
    await repo.write(`${S}/apps/frontend/configmap.extra.yaml`, object('v1', 'ConfigMap', 'extra', 'frontend', { data: { a: 'b' } }));
    await repo.write(`${P}/apps/payment-service/configmap.staged.yaml`, object('v1', 'ConfigMap', 'staged', 'payment-service'));
    await repo.git('add', `${P}/apps/payment-service/configmap.staged.yaml`);
    const moved = await same('moved, deleted, untracked, staged');
    expect(moved.groups.flatMap((group) => group.changes).find((change) => change.name === 'frontend' && change.kind === 'Service')).toMatchObject({ status: 'moved' });

    // Staged, then put back in the working tree: the index differs from the commit, the file does not.
    const deployment = `${P}/apps/notification-service/deployment.notification-service.yaml`;
    const original = await repo.read(deployment);
    await repo.write(deployment, original.replace('replicas: 2', 'replicas: 4'));
    await repo.git('add', deployment);
    await repo.write(deployment, original);
    await same('staged then reverted');

    // Two objects in one file, a file that is not YAML, an empty YAML file; and a new cluster.
    await repo.write(`${S}/apps/frontend/two.yaml`, '# two\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: a, namespace: frontend }\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: b, namespace: frontend }\n');
    await repo.write(`${S}/apps/frontend/notes.txt`, 'hello\n');
    await repo.write(`${S}/apps/frontend/empty.yaml`, '# nothing\n');
    await repo.write('clusters/qa/cluster.yaml', { flavor: 'k3s', production: true });
    await repo.write('clusters/qa/rendered/apps/web/namespace.web.yaml', object('v1', 'Namespace', 'web', undefined));
    await same('documents, other files, a new cluster');
    await repo.commit('second');

    // Against an older base, with the resource counts cache missing, then corrupt.
    await repo.write(`${S}/apps/frontend/two.yaml`, '---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: a, namespace: frontend }\n');
    await rm(path.join(repo.root, `${S}/apps/frontend/notes.txt`));
    await rm(path.join(repo.root, 'clusters/qa'), { recursive: true });
    await rm(path.join(repo.root, '.cache/diff'), { recursive: true, force: true });
    const { fromChanges, fromEverything } = await bothReports(repo, 'HEAD~1');
    expect(fromChanges).toEqual(fromEverything);
    await writeFile(path.join(repo.root, '.cache/diff/resource-counts.json'), '{"version": 2, "trees": {');
    expect((await bothReports(repo, 'HEAD~1')).fromChanges).toEqual(fromEverything);
    expect((await bothReports(repo, 'HEAD')).fromChanges).toEqual((await bothReports(repo, 'HEAD')).fromEverything);
  });

  it('reads the whole base only when a Namespace may be deleted (what it holds can sit in files that did not change)', async () => {
    const repo = await gitRepo({
      files: {
        'clusters/production/cluster.yaml': { flavor: 'eks' },
        [`${P}/apps/users/namespace.users.yaml`]: object('v1', 'Namespace', 'users', undefined),
        [`${P}/apps/users/configmap.users.yaml`]: object('v1', 'ConfigMap', 'users', 'users'),
        [`${P}/infra/dbinstance.users.yaml`]: object('rds.services.k8s.aws/v1alpha1', 'DBInstance', 'users', 'users', { spec: { engine: 'postgres' } }),
      },
    });
    repos.push(repo);
    const commit = await resolveCommit(repo.root, 'HEAD');
    await repo.write(`${P}/apps/users/configmap.users.yaml`, object('v1', 'ConfigMap', 'users', 'users', { data: { a: 'b' } }));
    const edited = await readDiffSides(repo.root, commit);
    expect(edited.base.resources.map((resource) => resource.kind)).toEqual(['ConfigMap']);
    expect(edited.riskBase).toBe(edited.base);
    expect(edited.unchanged).toBe(2);
    await repo.remove(`${P}/apps/users/namespace.users.yaml`);
    const deleted = await readDiffSides(repo.root, commit);
    expect(deleted.riskBase.resources.map((resource) => resource.kind).sort()).toEqual(['ConfigMap', 'DBInstance', 'Namespace']);
  });

  it('takes the resource counts render logged for the files it wrote: the first diff after a render reads no unchanged file', { timeout: 120_000 }, async () => {
    const repo = await exampleRepo();
    await rm(path.join(repo.root, '.cache'), { recursive: true, force: true });
    // A render with no cache synthesizes every chart: it logs the count of every YAML file of the tree.
    expect((await repo.gitops('render')).code).toBe(0);
    const { counts } = await readResourceCountLog(repo.root);
    const base = await repo.commit('rendered with an empty cache');
    const rendered = (await repo.git('ls-tree', '-r', base, '--', 'clusters')).split('\n').filter((line) => /\/rendered\/.*\.ya?ml$/.test(line));
    expect(rendered.length).toBeGreaterThan(100);
    for (const line of rendered) {
      const [, , blob] = line.split('\t')[0]!.split(' ');
      const file = line.split('\t')[1]!;
      expect(counts.get(blob!), file).toBe(resourceCount(file, await repo.read(file)));
    }

    await repo.write('apps/user-service/service.yaml', (await repo.read('apps/user-service/service.yaml')).replace('LOG_LEVEL: info', 'LOG_LEVEL: debug'));
    expect((await repo.gitops('render')).code).toBe(0);
    const { fromChanges, fromEverything } = await bothReports(repo);
    expect(fromChanges).toEqual(fromEverything);
    // The log is merged, and then gone.
    await expect(stat(resourceCountLog(repo.root))).rejects.toThrow();

    // The counts come from the log, not from the blobs: a count the log states is the one the diff
    // adds (a wrong one shows; no render ever logs one).
    const { unchanged } = await readDiffSides(repo.root, base);
    const unchangedFile = rendered.find((line) => line.endsWith('/namespace.frontend.yaml'))!;
    const [, , unchangedBlob] = unchangedFile.split('\t')[0]!.split(' ');
    await rm(path.join(repo.root, '.cache/diff'), { recursive: true, force: true });
    await mkdir(path.join(repo.root, '.cache/diff'), { recursive: true });
    await writeFile(resourceCountLog(repo.root), `${unchangedBlob} 3\nnot a line\n${unchangedBlob!.slice(0, 20)}`);
    expect((await readDiffSides(repo.root, base)).unchanged).toBe(unchanged + 2);
  });

  it('counts the objects of a file without parsing it when it is plainly one object, exactly as the parser does otherwise', () => {
    const cases: [string, string][] = [
      ['a.yaml', '# Generated\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n'],
      ['a.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: b }\n'],
      ['a.yaml', '--- \napiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\n...\n'],
      ['a.yml', 'replicaCount: 2\nimage: { tag: x }\n'],
      ['a.yaml', '# only a comment\n'],
      ['a.yaml', ''],
      ['a.yaml', 'null\n'],
      ['a.yaml', '~\n'],
      ['a.yaml', 'key: [unclosed\n'],
      ['a.yaml', '- a\n- b\n'],
      ['a.yaml', 'text: |\n  ---\n  more\n'],
      ['a.yaml', '%YAML 1.2\n---\nkind: A\nmetadata: { name: a }\n'],
      ['a.yaml', '\ufeff# bom\nkind: A\nmetadata: { name: a }\n'],
      ['README.md', '---\ntitle: x\n---\n'],
      ['user-data.sh', '#!/bin/sh\n'],
    ];
    for (const [file, content] of cases) expect(resourceCount(file, content), JSON.stringify(content)).toBe(parseRenderedFile('c', file, file, content).length);
  });
});

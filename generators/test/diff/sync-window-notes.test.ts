/**
 * The reviewer's question, answered at chosen instants (never the wall clock): when does a change,
 * merged now, reach a cluster whose AppProjects carry sync windows?
 */
import { afterEach, describe, expect, it } from 'vitest';
import { describeNote, syncWindowNotes } from '../../src/diff/sync-window-notes.js';
import { repoRoot } from '../support/temp-repo.js';
import { CLUSTERS, gitRepo, object, type GitRepo } from './support/git-repo.js';

const tuesdayNight = Date.parse('2026-12-08T00:31:00Z');
const tuesdayMorning = Date.parse('2026-12-08T10:00:00Z');

describe("sync windows in review: the committed example's production office hours", () => {
  it('Pass: at night a production change waits for 07:00 Dublin (manual sync allowed); staging has no windows', async () => {
    const notes = await syncWindowNotes(repoRoot, [{ cluster: 'production', app: 'frontend' }, { cluster: 'production', app: 'infra' }, { cluster: 'staging', app: 'frontend' }], tuesdayNight);
    expect(notes).toHaveLength(1);
    const [note] = notes;
    expect(note).toMatchObject({ cluster: 'production', projects: ['app-frontend', 'infra'], openNow: false, reachesAt: '2026-12-08T07:00:00.000Z', reachesAtLocal: 'Tue 2026-12-08 07:00 Europe/Dublin', manualSyncAllowed: true });
    expect(describeNote(note!)).toBe(
      'production: sync windows of projects app-frontend, infra (allow "0 7 * * 1-5" for 11h (Europe/Dublin), manual sync allowed): closed at 2026-12-08 00:31 UTC; merged now, the change reaches the cluster at the next allow window, Tue 2026-12-08 07:00 Europe/Dublin (in 6 h 29 min), or earlier by a manual sync (allowed).',
    );
  });

  it('Pass: inside the window the change syncs at once', async () => {
    const [note] = await syncWindowNotes(repoRoot, [{ cluster: 'production', app: 'user-service' }], tuesdayMorning);
    expect(note).toMatchObject({ projects: ['app-user-service'], openNow: true, reachesAt: '2026-12-08T10:00:00.000Z' });
    expect(describeNote(note!)).toContain('open at 2026-12-08 10:00 UTC; merged now, the change syncs at once.');
  });

  it('Pass: Applications outside a windowed project (platform) get no note', async () => {
    expect(await syncWindowNotes(repoRoot, [{ cluster: 'production', app: 'platform' }], tuesdayNight)).toEqual([]);
  });
});

describe('gitops diff --merge-at', () => {
  const repos: GitRepo[] = [];
  afterEach(async () => {
    await Promise.all(repos.splice(0).map((repo) => repo.cleanup()));
  });

  it('Pass: the report says when the change reaches the cluster, in every format', async () => {
    const P = 'clusters/production/rendered';
    const project = object('argoproj.io/v1alpha1', 'AppProject', 'app-web', 'argocd', {
      spec: { syncWindows: [{ kind: 'allow', schedule: '0 7 * * 1-5', duration: '11h', timeZone: 'Europe/Dublin', applications: ['*'], manualSync: false }] },
    });
    const repo = await gitRepo({ files: { ...CLUSTERS, [`${P}/argocd/appproject.app-web.yaml`]: project, [`${P}/apps/web/configmap.web.yaml`]: object('v1', 'ConfigMap', 'web', 'web', { data: { a: '1' } }) } });
    repos.push(repo);
    await repo.write(`${P}/apps/web/configmap.web.yaml`, object('v1', 'ConfigMap', 'web', 'web', { data: { a: '2' } }));
    // Friday 18:05 Dublin: the next window opens on Monday.
    const json = await repo.gitops('diff', '--base', 'HEAD', '--format', 'json', '--merge-at', '2026-12-11T18:05:00Z');
    expect(json.code, json.err).toBe(0);
    const report = JSON.parse(json.out) as { syncWindows: { reachesAt: string; manualSyncAllowed: boolean }[] };
    expect(report.syncWindows).toMatchObject([{ reachesAt: '2026-12-14T07:00:00.000Z', manualSyncAllowed: false }]);
    const markdown = await repo.gitops('diff', '--base', 'HEAD', '--format', 'markdown', '--merge-at', '2026-12-11T18:05:00Z');
    expect(markdown.out).toContain('#### When it reaches the cluster');
    expect(markdown.out).toContain('Mon 2026-12-14 07:00 Europe/Dublin (in 2 d 12 h 55 min); manual syncs are not allowed either.');
    const bad = await repo.gitops('diff', '--base', 'HEAD', '--merge-at', 'tomorrow');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--merge-at tomorrow: must be a time such as');
  });
});

/**
 * The rehearsal proves the sync, so it must not depend on the hour it runs at: Argo CD holds every
 * automated sync of a project outside its allow windows (and inside its deny windows), so a
 * rehearsal of production at night would only prove that the window is closed. The rehearsal
 * therefore syncs a copy of the commit under test whose AppProjects carry no `syncWindows`, and
 * reports which windows it set aside. The windows themselves are judged elsewhere: `validate`'s
 * `sync-windows` check (can they work at all?) and the review note of `diff` (when does a merge
 * reach the cluster?).
 *
 * The copy is one commit on top of the commit under test, made with Git's plumbing inside the
 * rehearsal's own bare repository (the checkout is not touched): only the AppProject files change.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ToolError } from '../errors.js';
import { describeWindow, type SyncWindowSpec } from '../argocd/sync-windows.js';
import { runProcess } from '../tools/process.js';

/** The windows of one AppProject that the rehearsal set aside. */
export interface WindowsSetAside {
  readonly file: string;
  readonly project: string;
  readonly windows: readonly SyncWindowSpec[];
}

/** A YAML file's text without the `spec.syncWindows` of its AppProjects, and what was removed. */
export function withoutSyncWindows(file: string, text: string): { text: string; setAside: WindowsSetAside[] } {
  const setAside: WindowsSetAside[] = [];
  const documents = parseAllDocuments(text);
  for (const document of documents) {
    if ('errors' in document && document.errors.length) return { text, setAside: [] };
    if (document.get('kind') !== 'AppProject' || !document.hasIn(['spec', 'syncWindows'])) continue;
    const windows = (document.toJS() as { spec?: { syncWindows?: SyncWindowSpec[] } } | null)?.spec?.syncWindows;
    if (!windows?.length) continue;
    document.deleteIn(['spec', 'syncWindows']);
    setAside.push({ file, project: String(document.getIn(['metadata', 'name']) ?? '?'), windows });
  }
  if (!setAside.length) return { text, setAside };
  return { text: documents.map((d) => d.toString({ lineWidth: 0 })).join(''), setAside };
}

/**
 * Commits, in the bare repository `gitDir` that holds `commit`, a copy of it whose AppProjects under
 * `folder` have no sync windows. Returns that commit (or `commit` itself when nothing had windows).
 */
export async function commitWithoutSyncWindows(gitDir: string, commit: string, folder: string): Promise<{ commit: string; setAside: WindowsSetAside[] }> {
  const git = async (args: readonly string[], env: Record<string, string> = {}) => {
    const result = await runProcess('git', ['--git-dir', gitDir, ...args], { env: { GIT_TERMINAL_PROMPT: '0', ...env } });
    if (result.code !== 0) throw new ToolError(`git ${args.join(' ')} failed (exit ${result.code}): ${result.stderr.trim()}`);
    return result.stdout;
  };
  // Only files that mention syncWindows are parsed: `git grep` reads the commit's blobs without a checkout.
  const grep = await runProcess('git', ['--git-dir', gitDir, 'grep', '-l', '-z', '-e', 'syncWindows:', commit, '--', folder]);
  if (grep.code > 1) throw new ToolError(`git grep failed (exit ${grep.code}): ${grep.stderr.trim()}`);
  const candidates = grep.stdout.split('\0').filter((hit) => /\.ya?ml$/.test(hit)).map((hit) => hit.slice(commit.length + 1));
  const setAside: WindowsSetAside[] = [];
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'gitops-windows-'));
  try {
    const index = { GIT_INDEX_FILE: path.join(scratch, 'index') };
    let changed = false;
    for (const file of candidates.sort()) {
      const edited = withoutSyncWindows(file, await git(['show', `${commit}:${file}`]));
      if (!edited.setAside.length) continue;
      if (!changed) await git(['read-tree', commit], index);
      changed = true;
      setAside.push(...edited.setAside);
      const blobFile = path.join(scratch, 'blob');
      await writeFile(blobFile, edited.text);
      const blob = (await git(['hash-object', '-w', blobFile])).trim();
      await git(['update-index', '--cacheinfo', `100644,${blob},${file}`], index);
    }
    if (!changed) return { commit, setAside };
    const tree = (await git(['write-tree'], index)).trim();
    const identity = { GIT_AUTHOR_NAME: 'gitops rehearse', GIT_AUTHOR_EMAIL: 'rehearse@localhost', GIT_COMMITTER_NAME: 'gitops rehearse', GIT_COMMITTER_EMAIL: 'rehearse@localhost' };
    const copy = (await git(['commit-tree', tree, '-p', commit, '-m', `rehearsal copy of ${commit}: sync windows set aside`], identity)).trim();
    return { commit: copy, setAside };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** One line per distinct set of windows, naming the projects that carry it. */
export function summarizeSetAside(setAside: readonly WindowsSetAside[]): string[] {
  const byWindows = new Map<string, string[]>();
  for (const entry of setAside) {
    const key = entry.windows.map(describeWindow).join('; ');
    byWindows.set(key, [...(byWindows.get(key) ?? []), entry.project]);
  }
  return [...byWindows].map(([windows, projects]) => `${windows}: project${projects.length === 1 ? '' : 's'} ${[...new Set(projects)].sort().join(', ')}`);
}

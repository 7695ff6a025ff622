import { spawn } from 'node:child_process';
import { ToolError, UsageError } from '../errors.js';

/** Runs git in `cwd` with optional standard input; resolves with raw output and the exit code. */
function git(cwd: string, args: readonly string[], input?: string): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', [...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(new ToolError(error.code === 'ENOENT' ? 'cannot run git: not found' : `cannot run git: ${error.message}`, 'install Git and put it on PATH')),
    );
    child.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8').trim() }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

/** Resolves `ref` to a commit id; a ref that does not exist is a usage error that says how to fetch it. */
export async function resolveCommit(root: string, ref: string): Promise<string> {
  if (ref.startsWith('-')) throw new UsageError(`--base ${ref}: a Git ref cannot start with "-"`);
  const inside = await git(root, ['rev-parse', '--is-inside-work-tree']);
  if (inside.code !== 0) throw new UsageError(`${root} is not inside a Git repository: gitops diff compares against a Git ref`);
  const result = await git(root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
  if (result.code !== 0) {
    throw new UsageError(
      `--base ${ref}: no such commit in this repository. Fetch it first (for example \`git fetch origin ${ref.replace(/^origin\//, '')}\`), or check out with enough history (actions/checkout fetch-depth: 2 gives HEAD^1 on a pull request).`,
    );
  }
  return result.stdout.toString('utf8').trim();
}

/** A file of a commit: path relative to `root` (forward slashes) and content. */
export interface GitFile {
  readonly path: string;
  readonly content: string;
}

/** A blob of a commit's tree: path relative to `root` (forward slashes) and object id. */
export interface TreeEntry {
  readonly path: string;
  readonly object: string;
}

/** Every blob under `paths` (relative to `root`) at `commit`: one `git ls-tree`, nothing read. */
export async function listTree(root: string, commit: string, paths: readonly string[]): Promise<TreeEntry[]> {
  const listed = await git(root, ['ls-tree', '-r', '-z', commit, '--', ...paths]);
  if (listed.code !== 0) throw new ToolError(`git ls-tree ${commit} failed: ${listed.stderr}`);
  const entries: TreeEntry[] = [];
  for (const record of listed.stdout.toString('utf8').split('\0')) {
    if (!record) continue;
    const tab = record.indexOf('\t');
    const [, type, object] = record.slice(0, tab).split(' ');
    if (type === 'blob' && object) entries.push({ path: record.slice(tab + 1), object });
  }
  return entries;
}

/** The contents of blobs, in one `git cat-file --batch`. */
export async function readBlobs(root: string, entries: readonly TreeEntry[]): Promise<GitFile[]> {
  if (entries.length === 0) return [];
  const batch = await git(root, ['cat-file', '--batch'], entries.map((entry) => `${entry.object}\n`).join(''));
  if (batch.code !== 0) throw new ToolError(`git cat-file --batch failed: ${batch.stderr}`);
  const files: GitFile[] = [];
  let offset = 0;
  for (const entry of entries) {
    const newline = batch.stdout.indexOf(0x0a, offset);
    const header = batch.stdout.subarray(offset, newline).toString('utf8');
    const size = Number(header.split(' ')[2]);
    if (!header.startsWith(entry.object) || !Number.isFinite(size)) throw new ToolError(`git cat-file returned "${header}" for ${entry.path}`);
    const start = newline + 1;
    files.push({ path: entry.path, content: batch.stdout.subarray(start, start + size).toString('utf8') });
    offset = start + size + 1;
  }
  return files;
}

/**
 * Reads every file under `paths` (relative to `root`) at `commit`, without checking anything out:
 * one `git ls-tree` for the list and one `git cat-file --batch` for all contents.
 */
export async function readFilesAtCommit(root: string, commit: string, paths: readonly string[], accept: (file: string) => boolean): Promise<GitFile[]> {
  return readBlobs(root, (await listTree(root, commit, paths)).filter((entry) => accept(entry.path)));
}

/** A path where the working tree differs from a commit, with its blob id in the commit (absent: not in it). */
export interface ChangedPath {
  readonly path: string;
  readonly base?: string;
}

/**
 * The paths under `paths` where the working tree differs from `commit`, as Git's index knows
 * without reading unchanged files: `git diff --raw` (commit against the working tree; a file
 * whose stat still matches the index is not read) and the untracked files (`git ls-files
 * --others`, ignored ones included, as a directory walk would see them).
 */
export async function changedSinceCommit(root: string, commit: string, paths: readonly string[]): Promise<ChangedPath[]> {
  const [diff, untracked] = await Promise.all([
    git(root, ['diff', '--raw', '-z', '--no-abbrev', '--no-color', '--no-renames', '--no-ext-diff', '--no-textconv', '--ignore-submodules', '--relative', commit, '--', ...paths]),
    git(root, ['ls-files', '-z', '--others', '--', ...paths]),
  ]);
  if (diff.code !== 0) throw new ToolError(`git diff ${commit} failed: ${diff.stderr}`);
  if (untracked.code !== 0) throw new ToolError(`git ls-files --others failed: ${untracked.stderr}`);
  const changed = new Map<string, ChangedPath>();
  // Records are ":<old mode> <new mode> <old id> <new id> <status>" then the path, each NUL-terminated.
  const fields = diff.stdout.toString('utf8').split('\0');
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const [, , base] = fields[i]!.split(' ');
    if (!fields[i]!.startsWith(':') || !base) throw new ToolError(`git diff --raw: unexpected record "${fields[i]}"`);
    changed.set(fields[i + 1]!, { path: fields[i + 1]!, base: /^0+$/.test(base) ? undefined : base });
  }
  for (const file of untracked.stdout.toString('utf8').split('\0')) if (file && !changed.has(file)) changed.set(file, { path: file });
  return [...changed.values()];
}

/** The object id of `commit:./<path>` (a tree or blob, relative to `root`), or undefined when the commit has none. */
export async function objectAt(root: string, commit: string, path: string): Promise<string | undefined> {
  const result = await git(root, ['rev-parse', '--verify', '--quiet', `${commit}:./${path}`]);
  return result.code === 0 ? result.stdout.toString('utf8').trim() : undefined;
}

/** One commit of `git log`: id, author date (ISO 8601), author name, subject and the values of one trailer. */
export interface LogEntry {
  readonly commit: string;
  readonly date: string;
  readonly author: string;
  readonly subject: string;
  /** The values of the trailer asked for (`trailer` of `logOf`), in the order the message gives them. */
  readonly trailers: readonly string[];
}

/**
 * The commits of `ref` that touched any of `paths` (relative to `root`), newest first, as
 * `git log` simplifies history by default (a merge that took a file from one parent is followed
 * into that parent, so a merged branch's own commits are listed). `trailer` names a message
 * trailer whose values are returned (`git interpret-trailers` rules).
 */
export async function logOf(root: string, ref: string, paths: readonly string[], trailer: string): Promise<LogEntry[]> {
  // Fields end with US (0x1f), records with RS (0x1e); trailer values are separated by US inside their field.
  const format = `%H%x1f%aI%x1f%an%x1f%s%x1f%(trailers:key=${trailer},valueonly,separator=%x1d)%x1e`;
  const result = await git(root, ['log', `--format=${format}`, '--end-of-options', ref, '--', ...paths]);
  if (result.code !== 0) throw new ToolError(`git log ${ref} failed: ${result.stderr}`);
  const entries: LogEntry[] = [];
  for (const record of result.stdout.toString('utf8').split('\x1e')) {
    const trimmed = record.replace(/^\n/, '');
    if (!trimmed) continue;
    const [commit, date, author, subject, values] = trimmed.split('\x1f');
    if (!commit || date === undefined || author === undefined || subject === undefined) throw new ToolError(`git log: unexpected record "${trimmed}"`);
    entries.push({ commit, date, author, subject, trailers: (values ?? '').split('\x1d').map((value) => value.trim()).filter(Boolean) });
  }
  return entries;
}

/**
 * The contents of `path` (relative to `root`) at each of `commits`, in one `git cat-file --batch`;
 * `undefined` where a commit has no such file.
 */
export async function readPathAtCommits(root: string, commits: readonly string[], path: string): Promise<(string | undefined)[]> {
  if (commits.length === 0) return [];
  const batch = await git(root, ['cat-file', '--batch'], commits.map((commit) => `${commit}:./${path}\n`).join(''));
  if (batch.code !== 0) throw new ToolError(`git cat-file --batch failed: ${batch.stderr}`);
  const contents: (string | undefined)[] = [];
  let offset = 0;
  for (const commit of commits) {
    const newline = batch.stdout.indexOf(0x0a, offset);
    const header = batch.stdout.subarray(offset, newline).toString('utf8');
    if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
      contents.push(undefined);
      offset = newline + 1;
      continue;
    }
    const [, type, sizeText] = header.split(' ');
    const size = Number(sizeText);
    if (type !== 'blob' || !Number.isFinite(size)) throw new ToolError(`git cat-file returned "${header}" for ${commit}:${path}`);
    const start = newline + 1;
    contents.push(batch.stdout.subarray(start, start + size).toString('utf8'));
    offset = start + size + 1;
  }
  return contents;
}

/** True when `commit` is `ref` or one of its ancestors (`git merge-base --is-ancestor`). */
export async function isAncestor(root: string, commit: string, ref: string): Promise<boolean> {
  const result = await git(root, ['merge-base', '--is-ancestor', commit, ref]);
  if (result.code > 1) throw new ToolError(`git merge-base --is-ancestor ${commit} ${ref} failed: ${result.stderr}`);
  return result.code === 0;
}

/** The commit `ref` names, or undefined when it names none (no error). */
export async function tryResolveCommit(root: string, ref: string): Promise<string | undefined> {
  if (ref.startsWith('-')) return undefined;
  const result = await git(root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
  return result.code === 0 ? result.stdout.toString('utf8').trim() : undefined;
}

/** True when `root` is inside a Git work tree. */
export async function insideWorkTree(root: string): Promise<boolean> {
  return (await git(root, ['rev-parse', '--is-inside-work-tree'])).code === 0;
}

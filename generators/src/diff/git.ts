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

/**
 * Reads every file under `paths` (relative to `root`) at `commit`, without checking anything out:
 * one `git ls-tree` for the list and one `git cat-file --batch` for all contents.
 */
export async function readFilesAtCommit(root: string, commit: string, paths: readonly string[], accept: (file: string) => boolean): Promise<GitFile[]> {
  const listed = await git(root, ['ls-tree', '-r', '-z', commit, '--', ...paths]);
  if (listed.code !== 0) throw new ToolError(`git ls-tree ${commit} failed: ${listed.stderr}`);
  const entries: { path: string; object: string }[] = [];
  for (const record of listed.stdout.toString('utf8').split('\0')) {
    if (!record) continue;
    const tab = record.indexOf('\t');
    const [, type, object] = record.slice(0, tab).split(' ');
    const file = record.slice(tab + 1);
    if (type === 'blob' && object && accept(file)) entries.push({ path: file, object });
  }
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

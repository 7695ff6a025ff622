import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { run } from '../../../src/cli/main.js';
import { tempRepo, type TempRepo } from '../../support/temp-repo.js';

const exec = promisify(execFile);

/** A temporary Git repository: the base is committed, the working tree is the head. */
export interface GitRepo extends TempRepo {
  /** `git <args>` in the repository; resolves with standard output. */
  git(...args: string[]): Promise<string>;
  /** Commits everything in the working tree; returns the commit id. */
  commit(message: string): Promise<string>;
  /** Runs `gitops <args>` against the repository and collects the output. */
  gitops(...args: string[]): Promise<{ code: number; out: string; err: string }>;
}

/**
 * A temporary repository with a first commit. With `fromExample`, it holds this repository's
 * inputs and rendered tree; `files` (repository-relative path → YAML object or text) are added.
 */
export async function gitRepo(options: { fromExample?: boolean; files?: Record<string, string | object> } = {}): Promise<GitRepo> {
  const repo = await tempRepo({ fromExample: options.fromExample, withRendered: options.fromExample });
  for (const [file, content] of Object.entries(options.files ?? {})) await repo.write(file, content);
  const git = async (...args: string[]) => (await exec('git', args, { cwd: repo.root, maxBuffer: 256 * 1024 * 1024 })).stdout;
  await git('init', '-q', '-b', 'main');
  await git('config', 'user.email', 'test@example.com');
  await git('config', 'user.name', 'test');
  await git('config', 'commit.gpgsign', 'false');
  const commit = async (message: string) => {
    await git('add', '-A');
    await git('commit', '-q', '--allow-empty', '-m', message);
    return (await git('rev-parse', 'HEAD')).trim();
  };
  await commit('base');
  return {
    ...repo,
    git,
    commit,
    async gitops(...args) {
      const out: string[] = [];
      const err: string[] = [];
      const code = await run(['--root', repo.root, ...args], { out: (l) => out.push(l), err: (l) => err.push(l), isTTY: false, signal: new AbortController().signal });
      return { code, out: out.join('\n'), err: err.join('\n') };
    },
  };
}

/** A minimal Kubernetes object. */
export function object(apiVersion: string, kind: string, name: string, namespace: string | undefined, rest: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion, kind, metadata: namespace ? { name, namespace } : { name }, ...rest };
}

/** Minimal cluster inputs: `production` is EKS (production by default), `staging` is k3s. */
export const CLUSTERS = {
  'clusters/production/cluster.yaml': { flavor: 'eks' },
  'clusters/staging/cluster.yaml': { flavor: 'k3s' },
} as const;

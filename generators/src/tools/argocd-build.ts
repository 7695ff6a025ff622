/**
 * Builds the Argo CD release the clusters install (`clusters/addons.yaml`
 * `charts.argo-cd.appVersion`, the same pin the Argo CD CRDs of `validate` come from) into
 * `<root>/.tools/bin/argocd-<release>/argocd`: one multi-call binary that becomes the repo-server,
 * the application controller or the ApplicationSet controller by `ARGOCD_BINARY_NAME`.
 *
 * Like kube-apiserver it cannot be `go install`ed: `github.com/argoproj/argo-cd/v3` carries
 * `replace` directives. It is built in a module of our own (`control-plane-build.ts`) whose replace
 * lines are read from the release's own go.mod at build time:
 * - a replace by another module version is copied as it is;
 * - a replace by a local folder (v3.4: `github.com/argoproj/argo-cd/gitops-engine => ./gitops-engine`)
 *   cannot come from the module download (a nested module is left out of a module zip), so that
 *   folder is taken from the argo-cd Git repository at the release tag (`git fetch --depth 1`; the
 *   URL is `ARGOCD_GIT_URL`, default GitHub, which may name a local mirror) and the replace points
 *   at it, exactly as in argo-cd's own build.
 *
 * A cold build takes ~7-10 min on 2 cores (~2,500 packages); later builds reuse Go's cache.
 * `ARGOCD_BIN` names a prebuilt binary of the pinned release instead.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ToolError } from '../errors.js';
import { ensureBuilt, type BuildSpec } from './control-plane-build.js';
import { downloadGoModule, type EnsureOptions } from './go.js';
import { lastLines, runProcess } from './process.js';

/** The Go module of Argo CD (major version 3). */
export const ARGOCD_MODULE = 'github.com/argoproj/argo-cd/v3';

/** Where the argo-cd sources are fetched from for a local-folder replace. */
export const ARGOCD_GIT_URL = 'https://github.com/argoproj/argo-cd.git';

/** The built Argo CD and the module it came from (scripts and manifests the processes need). */
export interface ArgoCdBuild {
  readonly binary: string;
  /** `v3.4.4` */
  readonly release: string;
  /** The release's module folder (read-only): `hack/git-verify-wrapper.sh`, `manifests/base/config/`. */
  readonly moduleDir: string;
}

/** One `replace` directive of a go.mod. */
export interface GoReplace {
  readonly from: string;
  /** Module path, or a local folder (`./gitops-engine`). */
  readonly to: string;
  /** Absent for a local folder. */
  readonly version?: string;
}

/** The replace directives of a go.mod (single lines and blocks; comments ignored), in file order. */
export function goModReplaces(goMod: string): GoReplace[] {
  const replaces: GoReplace[] = [];
  let inBlock = false;
  for (const raw of goMod.split('\n')) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (!inBlock && /^replace\s*\($/.test(line)) {
      inBlock = true;
      continue;
    }
    if (inBlock && line === ')') {
      inBlock = false;
      continue;
    }
    const body = inBlock ? line : /^replace\s+(.*)$/.exec(line)?.[1];
    if (!body) continue;
    const match = /^(\S+)(?:\s+\S+)?\s*=>\s*(\S+)(?:\s+(\S+))?$/.exec(body);
    if (match) replaces.push({ from: match[1]!, to: match[2]!, ...(match[3] ? { version: match[3] } : {}) });
  }
  return replaces;
}

/** True when a replace target is a local folder rather than a module. */
export function isLocalReplace(replace: GoReplace): boolean {
  return replace.to.startsWith('./') || replace.to.startsWith('../');
}

/** Returns the pinned Argo CD, building it on first use. */
export async function ensureArgoCd(root: string, release: string, options: EnsureOptions = {}): Promise<ArgoCdBuild> {
  const moduleDir = await downloadGoModule(ARGOCD_MODULE, release, options);
  const binary = await ensureBuilt(root, { name: 'argocd', version: release, envVar: 'ARGOCD_BIN' }, () => argoCdSpec(release, moduleDir, options), options);
  return { binary, release, moduleDir };
}

async function argoCdSpec(release: string, moduleDir: string, options: EnsureOptions): Promise<BuildSpec> {
  const replaces = goModReplaces(await readFile(path.join(moduleDir, 'go.mod'), 'utf8'));
  const local = replaces.filter(isLocalReplace);
  return {
    name: 'argocd',
    version: release,
    envVar: 'ARGOCD_BIN',
    module: ARGOCD_MODULE,
    pkg: `${ARGOCD_MODULE}/cmd`,
    replaces: replaces.map((r) => (isLocalReplace(r) ? `replace ${r.from} => ${r.to}` : `replace ${r.from} => ${r.to} ${r.version}`)),
    ldflags: `-s -w -X ${ARGOCD_MODULE}/common.version=${release.replace(/^v/, '')}`,
    prepare: local.length === 0 ? undefined : (buildDir) => fetchLocalFolders(buildDir, release, local.map((r) => r.to), options),
  };
}

/** Extracts `folders` of the argo-cd repository at tag `release` into `buildDir`. */
async function fetchLocalFolders(buildDir: string, release: string, folders: readonly string[], options: EnsureOptions): Promise<void> {
  const url = process.env['ARGOCD_GIT_URL'] || ARGOCD_GIT_URL;
  options.log?.(`fetching ${folders.join(', ')} of argo-cd ${release} from ${url} (a local replace of its go.mod; module downloads leave nested modules out)`);
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'gitops-argocd-src-'));
  try {
    const git = async (args: string[], cwd = scratch) => {
      const result = await runProcess('git', args, { cwd, signal: options.signal, env: { GIT_TERMINAL_PROMPT: '0' } });
      if (result.code !== 0) throw new ToolError(`git ${args.join(' ')} failed (exit ${result.code}): ${lastLines(result.stderr)}`, `set ARGOCD_GIT_URL to a reachable clone or mirror of argo-cd holding tag ${release}, or ARGOCD_BIN to a prebuilt Argo CD ${release}`);
      return result.stdout;
    };
    await git(['init', '-q']);
    await git(['fetch', '-q', '--depth', '1', url, `refs/tags/${release}`]);
    for (const folder of folders) {
      const target = path.join(buildDir, folder);
      await rm(target, { recursive: true, force: true });
      await mkdir(target, { recursive: true });
      const tar = path.join(scratch, 'folder.tar');
      await git(['archive', '-o', tar, 'FETCH_HEAD', folder.replace(/^\.\//, '')]);
      const untar = await runProcess('tar', ['-x', '-f', tar, '-C', buildDir], { signal: options.signal });
      if (untar.code !== 0) throw new ToolError(`cannot unpack ${folder} of argo-cd ${release}: ${lastLines(untar.stderr)}`);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

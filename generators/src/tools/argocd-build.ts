/**
 * Builds the Argo CD release the clusters run (`argoCdRelease` in `inputs/releases.ts`:
 * `clusters/addons.yaml` `charts.argo-cd.image.tag`, else the chart's appVersion) into
 * `<root>/.tools/bin/argocd-<release>/argocd`: one multi-call binary that becomes the repo-server,
 * the application controller or the ApplicationSet controller by `ARGOCD_BINARY_NAME`.
 *
 * Like kube-apiserver it cannot be `go install`ed: `github.com/argoproj/argo-cd/v3` carries
 * `replace` directives. It is built in a module of our own (`control-plane-build.ts`) whose replace
 * lines are read from the release's own go.mod at build time:
 * - a replace by another module version is copied as it is;
 * - a replace by a local folder (v3.4 and v3.5: `github.com/argoproj/argo-cd/gitops-engine =>
 *   ./gitops-engine`) cannot come from the module download (a nested module is left out of a
 *   module zip), and the version argo-cd requires for it is refused by the Go module proxy. It is
 *   replaced by the published pseudo-version of that folder at the release's own tag commit
 *   (`ARGOCD_NESTED_MODULES`), so the build is argo-cd's own, from the proxy alone. A release
 *   without such an entry is refused with a message that says so; nothing is fetched from GitHub.
 *
 * A cold build takes ~7-10 min on 2 cores (2,263 packages for v3.5.3); later builds reuse Go's cache.
 * `ARGOCD_BIN` names a prebuilt binary of the pinned release instead.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ToolError } from '../errors.js';
import { ensureBuilt, type BuildSpec } from './control-plane-build.js';
import { downloadGoModule, type EnsureOptions } from './go.js';
import { ARGOCD_NESTED_MODULES } from './versions.js';

/** The Go module of Argo CD (major version 3). */
export const ARGOCD_MODULE = 'github.com/argoproj/argo-cd/v3';

/** The built Argo CD and the module it came from (scripts and manifests the processes need). */
export interface ArgoCdBuild {
  readonly binary: string;
  /** `v3.5.3` */
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
  const binary = await ensureBuilt(root, { name: 'argocd', version: release, envVar: 'ARGOCD_BIN' }, () => argoCdSpec(release, moduleDir), options);
  return { binary, release, moduleDir };
}

async function argoCdSpec(release: string, moduleDir: string): Promise<BuildSpec> {
  const replaces = goModReplaces(await readFile(path.join(moduleDir, 'go.mod'), 'utf8'));
  return {
    name: 'argocd',
    version: release,
    envVar: 'ARGOCD_BIN',
    module: ARGOCD_MODULE,
    pkg: `${ARGOCD_MODULE}/cmd`,
    replaces: buildReplaces(release, replaces),
    ldflags: `-s -w -X ${ARGOCD_MODULE}/common.version=${release.replace(/^v/, '')}`,
  };
}

/**
 * The replace lines of the build module: the release's own, with each local folder replaced by the
 * published module version pinned for that release (`ARGOCD_NESTED_MODULES`).
 */
export function buildReplaces(release: string, replaces: readonly GoReplace[], nested: Readonly<Record<string, Readonly<Record<string, string>>>> = ARGOCD_NESTED_MODULES): string[] {
  return replaces.map((r) => {
    if (!isLocalReplace(r)) return `replace ${r.from} => ${r.to} ${r.version}`;
    const published = nested[release]?.[r.to];
    if (!published) {
      const buildable = Object.keys(nested).join(', ') || 'none';
      throw new ToolError(
        `cannot build Argo CD ${release} from the Go module proxy: its go.mod replaces ${r.from} by the folder ${r.to}, which a module download leaves out, and no published version of that folder at ${release} is pinned (ARGOCD_NESTED_MODULES in generators/src/tools/versions.ts; buildable: ${buildable})`,
        `pin the pseudo-version of ${r.from} at the ${release} tag commit if the proxy serves it (go mod download ${r.from}@<commit>), or set ARGOCD_BIN to a prebuilt Argo CD ${release}`,
      );
    }
    return `replace ${r.from} => ${published}`;
  });
}

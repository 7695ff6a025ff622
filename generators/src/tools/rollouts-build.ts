/**
 * Builds the Argo Rollouts controller the clusters install (the argo-rollouts chart's appVersion,
 * `clusters/addons.yaml`) into `<root>/.tools/bin/rollouts-controller-<release>/rollouts-controller`,
 * for the rehearsal's canaries.
 *
 * `go install github.com/argoproj/argo-rollouts/cmd/rollouts-controller@v1.9.0` is refused: its
 * go.mod carries a `replace` block (k8s.io/* at v0.34.1, a go-check commit, a telegram-bot-api
 * fork). So, like Argo CD (`argocd-build.ts`), it is built in a module of our own that requires the
 * release and copies that block, read from the release's own go.mod at build time. A replace by a
 * local folder cannot come from a module download and is refused with a message (v1.9.0 has none).
 *
 * Measured here: cold 337 s, 164 MB (reference.md); `ARGO_ROLLOUTS_BIN` names a prebuilt binary.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ToolError } from '../errors.js';
import type { AddonCatalogue } from '../inputs/schemas/addons.js';
import { chartAppRelease } from '../inputs/releases.js';
import { goModReplaces, isLocalReplace } from './argocd-build.js';
import { ensureBuilt, type BuildSpec } from './control-plane-build.js';
import { downloadGoModule, type EnsureOptions } from './go.js';

/** The Go module of Argo Rollouts. */
export const ARGO_ROLLOUTS_MODULE = 'github.com/argoproj/argo-rollouts';

/** The built controller and its module (CRDs in `manifests/crds/`). */
export interface ArgoRolloutsBuild {
  readonly binary: string;
  /** `v1.9.0` */
  readonly release: string;
  readonly moduleDir: string;
}

/** The Argo Rollouts release the clusters run: the argo-rollouts chart version's appVersion. */
export function argoRolloutsRelease(catalogue: AddonCatalogue): string {
  return chartAppRelease(catalogue, 'argo-rollouts');
}

/** Returns the pinned controller, building it on first use. */
export async function ensureArgoRollouts(root: string, release: string, options: EnsureOptions = {}): Promise<ArgoRolloutsBuild> {
  const moduleDir = await downloadGoModule(ARGO_ROLLOUTS_MODULE, release, options);
  const binary = await ensureBuilt(root, { name: 'rollouts-controller', version: release, envVar: 'ARGO_ROLLOUTS_BIN' }, async () => rolloutsSpec(release, await readFile(path.join(moduleDir, 'go.mod'), 'utf8')), options);
  return { binary, release, moduleDir };
}

/** The build of `release` from its go.mod text: every replace copied; a local folder refused. */
export function rolloutsSpec(release: string, goMod: string): BuildSpec {
  const replaces = goModReplaces(goMod).map((r) => {
    if (isLocalReplace(r)) throw new ToolError(`cannot build Argo Rollouts ${release} from the Go module proxy: its go.mod replaces ${r.from} by the folder ${r.to}, which a module download leaves out`, `set ARGO_ROLLOUTS_BIN to a prebuilt rollouts-controller ${release}`);
    return `replace ${r.from} => ${r.to}${r.version ? ` ${r.version}` : ''}`;
  });
  return {
    name: 'rollouts-controller',
    version: release,
    envVar: 'ARGO_ROLLOUTS_BIN',
    module: ARGO_ROLLOUTS_MODULE,
    pkg: `${ARGO_ROLLOUTS_MODULE}/cmd/rollouts-controller`,
    replaces,
    // As the release's Makefile sets it (LDFLAGS: utils/version.version).
    ldflags: `-s -w -X ${ARGO_ROLLOUTS_MODULE}/utils/version.version=${release}`,
  };
}

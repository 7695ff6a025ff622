/**
 * Argo CD's CustomResourceDefinitions (Application, ApplicationSet, AppProject): the clusters
 * install those of the release they run (`argoCdRelease`, `clusters/addons.yaml`), not the argo-cd
 * chart's.
 *
 * Why not the chart's: chart argo-cd 10.1.1 copies the CRDs of its appVersion (v3.4.4) into its
 * templates/crds, while the clusters run v3.5.3 (the image override). The v3.5 controller writes
 * status fields the v3.4.4 schema does not list (`status.summary.isAppOfApps`,
 * `status.sourceHydrator.lastComparedDryRevision`); the API server prunes them, so the status the
 * controller computes never equals the stored one and it patches the root Application (an app of
 * apps) on every reconciliation (argo-cd v3.5.3 `controller/appcontroller.go` persistAppStatus). The
 * chart documents this way out: `crds.install: false`, then the CRDs of `manifests/crds` at the
 * release, applied server-side (argoproj/argo-helm `charts/argo-cd/README.md` and `templates/crds/*`,
 * which are gated on `crds.install`, @ argo-cd-10.1.1).
 *
 * Where they come from: argoproj/argo-cd at the release tag, `manifests/crds/` (a kustomization of
 * the three files). The Go module `github.com/argoproj/argo-cd/v3` at the same release holds the same
 * files, which `validate`, the rehearsal and `npm run import` read (`validate/crd-sources.ts`).
 *
 * How they get there, moving with `image.tag`:
 * - the bootstrap applies them once, server-side, before the chart (k3s user data, the EKS steps),
 *   as Argo CD's own field manager, so Argo CD's later syncs own every field (a field a later
 *   release drops is removed, not kept by a second manager);
 * - then Application `addon-argo-cd` syncs the same folder at the same tag, beside the chart.
 */

/** GitHub owner/name of Argo CD. */
const argocdGitHub = 'argoproj/argo-cd';

/** The Argo CD Git repository, as the addon-argo-cd Application names it. */
export const argocdRepository = `https://github.com/${argocdGitHub}.git`;

/** The folder of the CRDs in that repository (and in the Go module `github.com/argoproj/argo-cd/v3`). */
export const argocdCrdFolder = 'manifests/crds';

/** The CRD files of the folder (its kustomization.yaml lists these three). */
export const argocdCrdFiles: readonly string[] = ['application-crd.yaml', 'applicationset-crd.yaml', 'appproject-crd.yaml'];

/** The names of the CRDs those files define. */
export const argocdCrdNames: readonly string[] = ['applications.argoproj.io', 'applicationsets.argoproj.io', 'appprojects.argoproj.io'];

/** Where the bootstrap downloads one CRD file of a release (the tag, on GitHub's raw file host). */
export function argocdCrdUrl(release: string, file: string): string {
  return `https://raw.githubusercontent.com/${argocdGitHub}/${release}/${argocdCrdFolder}/${file}`;
}

/**
 * The field manager of Argo CD's server-side apply (`ArgoCDSSAManager`, argo-cd v3.5.3
 * `common/common.go`): the bootstrap applies the CRDs as it, so the first sync of addon-argo-cd
 * takes over every field instead of sharing them with another manager.
 */
export const argocdFieldManager = 'argocd-controller';

/**
 * Sync options of the CRDs (kustomize `commonAnnotations` of the source): never pruned, since
 * deleting a CRD deletes every object of its kind (every Application and AppProject).
 */
export const argocdCrdAnnotations: Readonly<Record<string, string>> = { 'argocd.argoproj.io/sync-options': 'Prune=false' };

/**
 * The repository declaration the chart renders (`configs.repositories`, a Secret of type
 * repository with no credential: the repository is public): fetch one commit (`depth`, argo-cd
 * v3.5.3 `util/db/repository_secrets.go`) instead of the whole history of every branch (~340 MiB
 * packed, against ~24 MiB for the tree at a tag).
 */
export const argocdRepositoryDeclaration = { url: argocdRepository, type: 'git', depth: '1' } as const;

/**
 * The pinned validators and Kubernetes schema releases of the repository, in one place.
 *
 * Tools are Go binaries installed with `go install module/cmd@version`; the Kubernetes OpenAPI
 * documents come from `k8s.io/kubernetes`, fetched with `go mod download module@version`. Each
 * constant carries a `renovate:` hint so a dependency bot (custom regex manager, Go datasource)
 * can move it. Changing a version here changes the schema cache key, so the next `validate`
 * converts the new files once.
 *
 * The CRDs of the add-ons are not pinned here: they follow what the clusters install
 * (`clusters/addons.yaml`, `k3s.helmController` of a k3s cluster), see `validate/crd-sources.ts`.
 */

/** A Go program installed with `go install <pkg>@<version>`. */
export interface GoToolPin {
  /** The module path, as `go version -m` reports it. */
  readonly module: string;
  /** The main package to install. */
  readonly pkg: string;
  readonly version: string;
  /** Environment variable that may name a prebuilt binary instead. */
  readonly envVar: string;
}

/**
 * kubeconform: JSON-schema validation of manifests, strict mode.
 * renovate: datasource=go depName=github.com/yannh/kubeconform
 */
export const KUBECONFORM_VERSION = 'v0.8.0';

/**
 * kubectl-validate: the apiserver's own validation (structural schemas, CEL rules) run offline.
 * v0.0.4 is the only version the proxy lists.
 * renovate: datasource=go depName=sigs.k8s.io/kubectl-validate
 */
export const KUBECTL_VALIDATE_VERSION = 'v0.0.4';

/**
 * actionlint: lints the GitHub Actions workflows.
 * renovate: datasource=go depName=github.com/rhysd/actionlint
 */
export const ACTIONLINT_VERSION = 'v1.7.12';

/**
 * shfmt (mvdan.cc/sh): its Go shell parser checks that the rendered EC2 user data parses as bash in
 * `npm test`; shellcheck itself runs in `npm run lint:shell`. Checked with
 * `go list -m -json mvdan.cc/sh/v3@v3.14.1` (2026-09-06, the newest listed; needs Go 1.26).
 * renovate: datasource=go depName=mvdan.cc/sh/v3
 */
export const SHFMT_VERSION = 'v3.14.1';

/**
 * kwok: simulated kubelets for the rehearsal's control plane (Nodes Ready, scheduled Pods Running and
 * Ready, Job Pods completing). Built with `go install sigs.k8s.io/kwok/cmd/kwok@v0.8.0` (the newest
 * version `go list -m -versions sigs.k8s.io/kwok` lists, checked 2026-12-08). A binary built this way
 * carries no stages: they are read from the module (`kustomize/stage/`, `local-cluster/kwok.ts`).
 * renovate: datasource=go depName=sigs.k8s.io/kwok
 */
export const KWOK_VERSION = 'v0.8.0';

/** The Go tools the repository installs, by binary name. */
export const GO_TOOLS = {
  kubeconform: {
    module: 'github.com/yannh/kubeconform',
    pkg: 'github.com/yannh/kubeconform/cmd/kubeconform',
    version: KUBECONFORM_VERSION,
    envVar: 'KUBECONFORM_BIN',
  },
  'kubectl-validate': {
    module: 'sigs.k8s.io/kubectl-validate',
    pkg: 'sigs.k8s.io/kubectl-validate',
    version: KUBECTL_VALIDATE_VERSION,
    envVar: 'KUBECTL_VALIDATE_BIN',
  },
  actionlint: {
    module: 'github.com/rhysd/actionlint',
    pkg: 'github.com/rhysd/actionlint/cmd/actionlint',
    version: ACTIONLINT_VERSION,
    envVar: 'ACTIONLINT_BIN',
  },
  shfmt: {
    module: 'mvdan.cc/sh/v3',
    pkg: 'mvdan.cc/sh/v3/cmd/shfmt',
    version: SHFMT_VERSION,
    envVar: 'SHFMT_BIN',
  },
  kwok: {
    module: 'sigs.k8s.io/kwok',
    pkg: 'sigs.k8s.io/kwok/cmd/kwok',
    version: KWOK_VERSION,
    envVar: 'KWOK_BIN',
  },
} as const satisfies Record<string, GoToolPin>;

export type GoToolName = keyof typeof GO_TOOLS;

/** The Go module holding the Kubernetes OpenAPI documents (`api/openapi-spec/`). */
export const KUBERNETES_MODULE = 'k8s.io/kubernetes';

/** renovate: datasource=go depName=k8s.io/kubernetes allowedVersions=/^v1\.34\./ */
export const KUBERNETES_1_34 = 'v1.34.4';
/** renovate: datasource=go depName=k8s.io/kubernetes allowedVersions=/^v1\.35\./ */
export const KUBERNETES_1_35 = 'v1.35.4';
/** renovate: datasource=go depName=k8s.io/kubernetes allowedVersions=/^v1\.36\./ */
export const KUBERNETES_1_36 = 'v1.36.3';
/** renovate: datasource=go depName=k8s.io/kubernetes allowedVersions=/^v1\.37\./ */
export const KUBERNETES_1_37 = 'v1.37.2';

/**
 * etcd, the storage of the kube-apiserver that `validate` runs: built from `go.etcd.io/etcd/server/v3`
 * (its go.mod has replace directives, so it is built in a module of our own, not `go install`ed).
 * v3.6.6 is the etcd kubeadm installs with Kubernetes 1.35 (`DefaultEtcdVersion = "3.6.6-0"` in
 * k8s.io/kubernetes@v1.35.4 cmd/kubeadm/app/constants/constants.go); the proxy serves the module.
 * renovate: datasource=go depName=go.etcd.io/etcd/server/v3
 */
export const ETCD_VERSION = 'v3.6.6';

/**
 * etcd 3.6.8: the etcd kubeadm installs with Kubernetes 1.36 (`DefaultEtcdVersion = "3.6.8-0"`, and
 * `SupportedEtcdVersion` 36 → "3.6.8-0", in k8s.io/kubernetes@v1.36.3
 * cmd/kubeadm/app/constants/constants.go); the proxy serves the module (`go list -m
 * go.etcd.io/etcd/server/v3@v3.6.8`, 2026-02-13).
 * renovate: datasource=go depName=go.etcd.io/etcd/server/v3
 */
export const ETCD_VERSION_1_36 = 'v3.6.8';

/**
 * The etcd under the kube-apiserver of a Kubernetes minor: the one that release's kubeadm installs,
 * where it is pinned here (`upgrade-check` runs the next minor's pair); `ETCD_VERSION` otherwise.
 */
export const ETCD_RELEASES: Readonly<Record<string, string>> = {
  '1.35': ETCD_VERSION,
  '1.36': ETCD_VERSION_1_36,
};

/** The etcd pinned for a Kubernetes minor. */
export function etcdVersionFor(minor: string): string {
  return ETCD_RELEASES[minor] ?? ETCD_VERSION;
}

/** Pinned `k8s.io/kubernetes` release per Kubernetes minor a cluster may declare. */
export const KUBERNETES_RELEASES: Readonly<Record<string, string>> = {
  '1.34': KUBERNETES_1_34,
  '1.35': KUBERNETES_1_35,
  '1.36': KUBERNETES_1_36,
  '1.37': KUBERNETES_1_37,
};

/**
 * Version of this repository's OpenAPI → JSON-schema converters. Bump it whenever the
 * conversion output changes, so cached schemas are rebuilt.
 */
export const SCHEMA_CONVERTER_VERSION = 'c1';

/**
 * The published module of each nested Go module that an Argo CD release replaces by a local folder,
 * by release and folder (`tools/argocd-build.ts`). argo-cd v3.4 and v3.5 build with
 * `replace github.com/argoproj/argo-cd/gitops-engine => ./gitops-engine`; a module download leaves
 * that folder out, and the version their go.mod requires (v0.7.1-0.20250908182407-97ad5b59a627, a
 * commit of the old gitops-engine repository) is refused by the Go module proxy (403), as are the
 * pseudo-versions of every v3.4.x tag commit tried (v3.4.4: 443415b5527a).
 *
 * Checked again 2026-12-08 with `go mod download` (go1.26.8, proxy.golang.org):
 * - `github.com/argoproj/argo-cd/gitops-engine@v0.7.1-0.20250908182407-97ad5b59a627`: 403, "This
 *   module version is not available"; so are `@v0.0.0-20260618084203-443415b5527a` and `@443415b5527a`
 *   (the v3.4.4 tag commit, argoproj/argo-cd, 2026-06-18T08:42:03Z). v3.4.4, the argo-cd chart
 *   10.1.1's appVersion, still cannot be built here.
 * - `github.com/argoproj/gitops-engine@v0.7.1-0.20250908182407-97ad5b59a627` (the old repository's
 *   module, another module path) is served, but it is not what v3.4.4 builds: argoproj/argo-cd's
 *   `gitops-engine/` at the v3.4.4 tag differs from it in 11 non-test source files of `pkg/` (~1,200
 *   diff lines once the import paths are renamed), and v3.4.4 calls what only the folder has
 *   (`sync/common.SyncOptionDelete`, `SyncValueFalse`, `sync/resource.GetAnnotationOptionValue`,
 *   `sync.WithDefaultPruneOption`). Replacing the folder by it would not compile, and would not be
 *   v3.4.4 if it did (its packages also import one another under the old path).
 * - `go list -m -versions github.com/argoproj/argo-cd/v3` lists up to v3.5.8 and v3.6.0-v3.6.2; it
 *   lists no version of `github.com/argoproj/argo-cd/gitops-engine` (pseudo-versions only, by
 *   commit) and only v0.7.3 of the old `github.com/argoproj/gitops-engine`.
 *
 * v3.5.3: `github.com/argoproj/argo-cd/gitops-engine@v0.0.0-20260914071520-c9c369efcc5b` is served
 * (checked 2026-11-30 and again 2026-12-08 with `go mod download`); its time is the time the proxy
 * gives the v3.5.3 tag of `github.com/argoproj/argo-cd/v3` (`@v/v3.5.3.info`: 2026-09-14T07:15:20Z),
 * so it is the folder at the release's own commit: the build is argo-cd v3.5.3 exactly. Moving Argo
 * CD means finding the new release's pseudo-version here first; a release without an entry is
 * refused by the build.
 */
export const ARGOCD_NESTED_MODULES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'v3.5.3': { './gitops-engine': 'github.com/argoproj/argo-cd/gitops-engine v0.0.0-20260914071520-c9c369efcc5b' },
};

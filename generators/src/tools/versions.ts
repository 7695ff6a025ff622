/**
 * Every pinned external version of the repository, in one place.
 *
 * Tools are Go binaries installed with `go install module/cmd@version`; schemas and CRDs come
 * from Go modules fetched with `go mod download module@version`. Nothing else is downloaded.
 * Each constant carries a `renovate:` hint so a dependency bot (custom regex manager, Go
 * datasource) can move it. Changing a version here changes the schema cache key, so the next
 * `validate` converts the new files once.
 *
 * Availability notes (the Go module proxy reachable here refuses version lists for several of
 * these modules; exact versions were checked one by one with `go list -m -json module@version`):
 * - argo-cd v3.6.x requires Go >= 1.27 (this machine: 1.26), so v3.5.x is pinned.
 * - ACK s3-controller: v1.1.1 is served; every newer version tried (v1.2.0 ... v1.10.1) is refused.
 * - ACK sqs-controller and upbound provider-aws/v2 were refused by the proxy for every version
 *   tried; `crd-sources.ts` marks them unavailable.
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

/** Pinned `k8s.io/kubernetes` release per Kubernetes minor a cluster may declare. */
export const KUBERNETES_RELEASES: Readonly<Record<string, string>> = {
  '1.34': KUBERNETES_1_34,
  '1.35': KUBERNETES_1_35,
  '1.36': KUBERNETES_1_36,
  '1.37': KUBERNETES_1_37,
};

/**
 * External Secrets Operator CRDs (`config/crds/bases/`). The v2 line is tagged without a
 * `/v2` module path, so the newest v1 tag the proxy serves is pinned.
 * renovate: datasource=go depName=github.com/external-secrets/external-secrets
 */
export const EXTERNAL_SECRETS_VERSION = 'v1.3.2';

/**
 * ACK RDS controller CRDs (`helm/crds/`). v1.11.x was refused by the proxy.
 * renovate: datasource=go depName=github.com/aws-controllers-k8s/rds-controller
 */
export const ACK_RDS_VERSION = 'v1.10.1';

/**
 * ACK ElastiCache controller CRDs (`helm/crds/`).
 * renovate: datasource=go depName=github.com/aws-controllers-k8s/elasticache-controller
 */
export const ACK_ELASTICACHE_VERSION = 'v1.8.0';

/**
 * ACK S3 controller CRDs (`helm/crds/`, Bucket only). This old version because it is the newest
 * the Go module proxy reachable here serves: v1.2.0 ... v1.10.1 are refused (403). Validation and
 * the generated Bucket class follow v1.1.1, so only fields v1.1.1 has are rendered; the
 * controller release the clusters install is the s3-chart in `clusters/addons.yaml`.
 * renovate: datasource=go depName=github.com/aws-controllers-k8s/s3-controller
 */
export const ACK_S3_VERSION = 'v1.1.1';

/**
 * ACK SQS controller CRDs. NOT SERVED by the proxy reachable here (refused, 403, for every
 * version tried: v0.0.x, v1.0.x-v1.6.x, commit pseudo-versions); kept so the source is ready the
 * day it is. Until then the ACK Queue renderer refuses (`constructs/infra/ack/ack-queue.ts`).
 * renovate: datasource=go depName=github.com/aws-controllers-k8s/sqs-controller
 */
export const ACK_SQS_VERSION = 'v1.6.0';

/**
 * Upbound provider-aws CRDs (`package/crds/`, cluster-scoped `*.aws.upbound.io` groups). The v2
 * module (`/v2`, which adds the namespaced `*.aws.m.upbound.io` groups) was refused by the proxy;
 * v1.20.0 is served but fails checksum-database verification; v1.17.0 is the newest v1 that
 * `go mod download` accepts here (rds Instance v1beta1-3, s3 Bucket v1beta1-2).
 * renovate: datasource=go depName=github.com/upbound/provider-aws
 */
export const UPBOUND_PROVIDER_AWS_VERSION = 'v1.17.0';

/**
 * Crossplane core CRDs (`cluster/crds/`: Provider, DeploymentRuntimeConfig, Function, ...).
 * renovate: datasource=go depName=github.com/crossplane/crossplane/v2
 */
export const CROSSPLANE_VERSION = 'v2.1.0';

/**
 * Argo CD CRDs (`manifests/crds/`). v3.6.x needs Go 1.27.
 * renovate: datasource=go depName=github.com/argoproj/argo-cd/v3 allowedVersions=/^v3\.5\./
 */
export const ARGO_CD_VERSION = 'v3.5.7';

/**
 * Argo Workflows CRDs (`manifests/base/crds/full/`).
 * renovate: datasource=go depName=github.com/argoproj/argo-workflows/v3
 */
export const ARGO_WORKFLOWS_VERSION = 'v3.7.4';

/**
 * k3s helm-controller CRDs (HelmChart, HelmChartConfig).
 * renovate: datasource=go depName=github.com/k3s-io/helm-controller
 */
export const K3S_HELM_CONTROLLER_VERSION = 'v0.17.9';

/**
 * Version of this repository's OpenAPI → JSON-schema converters. Bump it whenever the
 * conversion output changes, so cached schemas are rebuilt.
 */
export const SCHEMA_CONVERTER_VERSION = 'c1';

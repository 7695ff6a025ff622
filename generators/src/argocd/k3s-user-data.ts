import type { Cluster } from '../inputs/clusters.js';
import { argocdCrdFiles, argocdCrdUrl, argocdFieldManager } from './argocd-crds.js';

/**
 * The k3s server's auto-deploy folder: manifests there are applied at start and whenever they
 * change; dot files and names not ending in .yaml/.yml/.json are skipped (k3s `pkg/deploy/controller.go`).
 */
export const k3sManifestsDir = '/var/lib/rancher/k3s/server/manifests';

/** A manifest the user data writes into the auto-deploy folder. */
export interface AutoDeployManifest {
  /**
   * File name in the folder. k3s names the Addon that tracks a file after the part before its
   * first dot, so names must differ there.
   */
  readonly fileName: string;
  readonly content: string;
}

const delimiter = 'LEARNING_PLATFORM_MANIFEST';

/**
 * EC2 user data of a k3s cluster's server: writes the k3s configuration, installs the pinned k3s
 * release with the install script of that release (which checks the binary against the release's
 * checksums), applies the CRDs of the Argo CD release the cluster runs (`argocd-crds.ts`: the
 * chart's own are off), and only then writes the bootstrap manifests into the auto-deploy folder,
 * which k3s applies within 15 s: the HelmChart installs Argo CD onto its CRDs, and the root
 * Application hands the cluster to Git.
 */
export function k3sUserData(cluster: Extract<Cluster, { flavor: 'k3s' }>, header: string, manifests: readonly AutoDeployManifest[], argocdRelease: string): string {
  const addonNames = manifests.map((manifest) => manifest.fileName.split('.')[0]!);
  if (new Set(addonNames).size !== addonNames.length) throw new Error(`auto-deploy file names must differ before their first dot: ${manifests.map((m) => m.fileName).join(', ')}`);
  for (const manifest of manifests) {
    if (!/^[a-z0-9][a-z0-9.-]*\.yaml$/.test(manifest.fileName)) throw new Error(`auto-deploy file name "${manifest.fileName}" must be lower case and end in .yaml`);
    if (manifest.content.split('\n').includes(delimiter)) throw new Error(`${manifest.fileName} contains the here-document delimiter ${delimiter}`);
  }
  if (!/^v[0-9]+\.[0-9]+\.[0-9]+$/.test(argocdRelease)) throw new Error(`Argo CD release must be a tag such as v3.5.3, got "${argocdRelease}"`);
  const { k3s } = cluster;
  const config = [
    'write-kubeconfig-mode: "0600"',
    `secrets-encryption: ${k3s.secretsEncryption}`,
    `node-label:`,
    `  - learning-platform.io/cluster=${cluster.name}`,
    ...(k3s.disable.length ? ['disable:', ...k3s.disable.map((component) => `  - ${component}`)] : []),
  ];
  const lines = [
    '#!/usr/bin/env bash',
    header.trimEnd(),
    '#',
    `# EC2 user data of the k3s server of cluster "${cluster.name}": installs k3s ${k3s.version} and hands`,
    '# the cluster to Argo CD. cloud-init runs it once, as root, at the first boot of the instance.',
    'set -euo pipefail',
    '',
    `readonly K3S_VERSION='${k3s.version}'`,
    `readonly ARGOCD_VERSION='${argocdRelease}'`,
    `readonly MANIFESTS_DIR='${k3sManifestsDir}'`,
    '',
    'log() {',
    `  printf '%s user-data: %s\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"`,
    '}',
    '',
    'download() {',
    '  curl --fail --silent --show-error --location --retry 5 --retry-delay 5 --output "$1" "$2"',
    '}',
    '',
    'work="$(mktemp -d)"',
    "trap 'rm -rf \"$work\"' EXIT",
    '',
    '# 1. The k3s configuration, read by the server when it starts.',
    'install -d -m 0755 /etc/rancher/k3s',
    "cat > /etc/rancher/k3s/config.yaml <<'K3S_CONFIG'",
    ...config,
    'K3S_CONFIG',
    'chmod 0600 /etc/rancher/k3s/config.yaml',
    '',
    '# 2. k3s itself, pinned: the install script of that release, which verifies the k3s binary',
    '#    against the release checksums before installing it.',
    'log "installing k3s $K3S_VERSION"',
    'download "$work/install.sh" "https://raw.githubusercontent.com/k3s-io/k3s/${K3S_VERSION//+/%2B}/install.sh"',
    "INSTALL_K3S_VERSION=\"$K3S_VERSION\" INSTALL_K3S_EXEC='server' sh \"$work/install.sh\"",
    "timeout 300 sh -c 'until k3s kubectl get --raw=/readyz >/dev/null 2>&1; do sleep 5; done' || {",
    "  log 'the k3s API server was not ready within 5 minutes'",
    '  exit 1',
    '}',
    '',
    '# 3. The CRDs of the Argo CD release the cluster runs, before Argo CD (the chart installs none:',
    '#    crds.install is false). Applied once, server-side, as Argo CD\'s own field manager: from its',
    '#    first sync the addon-argo-cd Application owns them and moves them with the release.',
    'log "applying the CRDs of Argo CD $ARGOCD_VERSION"',
    'install -d "$work/argocd-crds"',
    ...argocdCrdFiles.map((file) => `download "$work/argocd-crds/${file}" "${argocdCrdUrl('${ARGOCD_VERSION}', file)}"`),
    `k3s kubectl apply --server-side --field-manager=${argocdFieldManager} -f "$work/argocd-crds"`,
    'k3s kubectl wait --for=condition=Established --timeout=120s -f "$work/argocd-crds"',
    '',
    '# 4. The bootstrap manifests, into the auto-deploy folder, which k3s reads every 15 seconds (and',
    '#    at every start). Each is written under a dot name k3s skips, then renamed, so k3s never reads',
    '#    half a file.',
    'install -d -m 0700 "$MANIFESTS_DIR"',
  ];
  for (const manifest of manifests) {
    const partial = `"$MANIFESTS_DIR/.${manifest.fileName}.partial"`;
    lines.push(
      `log 'writing ${manifest.fileName}'`,
      `cat > ${partial} <<'${delimiter}'`,
      manifest.content.trimEnd(),
      delimiter,
      `chmod 0600 ${partial}`,
      `mv -f ${partial} "$MANIFESTS_DIR/${manifest.fileName}"`,
    );
  }
  lines.push('log "k3s $K3S_VERSION is running; Argo CD $ARGOCD_VERSION installs itself from $MANIFESTS_DIR"', '');
  return lines.join('\n');
}

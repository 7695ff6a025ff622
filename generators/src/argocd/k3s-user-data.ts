import type { Cluster } from '../inputs/clusters.js';

/** The k3s server's auto-deploy folder: manifests there are applied at start and whenever they change. */
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
 * EC2 user data of a k3s cluster's server: writes the k3s configuration and the bootstrap
 * manifests, then installs the pinned k3s release with the install script of that release
 * (which checks the binary against the release's checksums). At its first start k3s applies
 * the manifests: the HelmChart installs Argo CD, and the root Application (retried every 15 s
 * until Argo CD's CRDs exist) hands the cluster to Git.
 */
export function k3sUserData(cluster: Extract<Cluster, { flavor: 'k3s' }>, header: string, manifests: readonly AutoDeployManifest[]): string {
  const addonNames = manifests.map((manifest) => manifest.fileName.split('.')[0]!);
  if (new Set(addonNames).size !== addonNames.length) throw new Error(`auto-deploy file names must differ before their first dot: ${manifests.map((m) => m.fileName).join(', ')}`);
  for (const manifest of manifests) {
    if (!/^[a-z0-9][a-z0-9.-]*\.yaml$/.test(manifest.fileName)) throw new Error(`auto-deploy file name "${manifest.fileName}" must be lower case and end in .yaml`);
    if (manifest.content.split('\n').includes(delimiter)) throw new Error(`${manifest.fileName} contains the here-document delimiter ${delimiter}`);
  }
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
    `readonly MANIFESTS_DIR='${k3sManifestsDir}'`,
    '',
    'log() {',
    `  printf '%s user-data: %s\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"`,
    '}',
    '',
    '# 1. The k3s configuration, read by the server when it starts.',
    'install -d -m 0755 /etc/rancher/k3s',
    "cat > /etc/rancher/k3s/config.yaml <<'K3S_CONFIG'",
    ...config,
    'K3S_CONFIG',
    'chmod 0600 /etc/rancher/k3s/config.yaml',
    '',
    '# 2. The bootstrap manifests, into the auto-deploy folder before k3s first starts. k3s applies',
    '#    them at start and retries every 15 seconds until the Argo CD CRDs exist.',
    'install -d -m 0700 "$MANIFESTS_DIR"',
  ];
  for (const manifest of manifests) {
    lines.push(`log 'writing ${manifest.fileName}'`, `cat > "$MANIFESTS_DIR/${manifest.fileName}" <<'${delimiter}'`, manifest.content.trimEnd(), delimiter, `chmod 0600 "$MANIFESTS_DIR/${manifest.fileName}"`);
  }
  lines.push(
    '',
    '# 3. k3s itself, pinned: the install script of that release, which verifies the k3s binary',
    '#    against the release checksums before installing it.',
    'log "installing k3s $K3S_VERSION"',
    'installer="$(mktemp)"',
    "trap 'rm -f \"$installer\"' EXIT",
    'curl --fail --silent --show-error --location --retry 5 --retry-delay 5 \\',
    '  --output "$installer" "https://raw.githubusercontent.com/k3s-io/k3s/${K3S_VERSION//+/%2B}/install.sh"',
    "INSTALL_K3S_VERSION=\"$K3S_VERSION\" INSTALL_K3S_EXEC='server' sh \"$installer\"",
    'log "k3s $K3S_VERSION is running; Argo CD installs itself from $MANIFESTS_DIR"',
    '',
  );
  return lines.join('\n');
}

import type { RenderedCheck } from '../rendered-check.js';
import { allContainers, podTemplates, type PodSpec } from '../pod-templates.js';
import { containerLabel, findingFor } from './support.js';

/**
 * Pod Security Standards, `restricted` profile (which includes `baseline`), applied to every pod
 * template in the rendered tree: the same rules the namespace label
 * `pod-security.kubernetes.io/enforce: restricted` makes the apiserver apply, caught before merge.
 */

const ID = 'pod-security-restricted';

/** Volume types the restricted profile allows. */
const allowedVolumes = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
/** Sysctls the baseline profile allows. */
const safeSysctls = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
const allowedSelinuxTypes = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);

type Context = Record<string, unknown>;

function seccompType(context: Context | undefined): unknown {
  return (context?.['seccompProfile'] as { type?: unknown } | undefined)?.type;
}

function appArmorType(context: Context | undefined): unknown {
  return (context?.['appArmorProfile'] as { type?: unknown } | undefined)?.type;
}

/** Every restricted-profile violation of one pod spec, as short sentences. */
export function restrictedViolations(spec: PodSpec, annotations: Readonly<Record<string, string>> = {}): string[] {
  const problems: string[] = [];
  const pod = spec.securityContext ?? {};
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (spec[field] === true) problems.push(`${field} must not be true`);
  }
  for (const volume of spec.volumes ?? []) {
    const types = Object.keys(volume).filter((key) => key !== 'name');
    const bad = types.filter((type) => !allowedVolumes.has(type));
    if (bad.length) problems.push(`volume "${String(volume['name'])}" uses ${bad.join(', ')} (allowed: ${[...allowedVolumes].join(', ')})`);
  }
  for (const sysctl of (pod['sysctls'] as { name?: string }[] | undefined) ?? []) {
    if (!safeSysctls.has(String(sysctl.name))) problems.push(`sysctl ${String(sysctl.name)} is not in the safe set`);
  }
  const podSeccomp = seccompType(pod);
  if (podSeccomp !== undefined && podSeccomp !== 'RuntimeDefault' && podSeccomp !== 'Localhost') problems.push(`pod seccompProfile.type must be RuntimeDefault or Localhost, not ${String(podSeccomp)}`);
  const podAppArmor = appArmorType(pod);
  if (podAppArmor !== undefined && podAppArmor !== 'RuntimeDefault' && podAppArmor !== 'Localhost') problems.push(`pod appArmorProfile.type must be RuntimeDefault or Localhost`);
  const podSelinux = (pod['seLinuxOptions'] as Context | undefined) ?? {};
  if (!allowedSelinuxTypes.has(String(podSelinux['type'] ?? ''))) problems.push(`pod seLinuxOptions.type ${String(podSelinux['type'])} is not allowed`);
  if (podSelinux['user'] !== undefined || podSelinux['role'] !== undefined) problems.push('pod seLinuxOptions.user and role must not be set');
  if (pod['runAsUser'] === 0) problems.push('pod runAsUser must not be 0 (root)');
  for (const [key, value] of Object.entries(annotations)) {
    if (key.startsWith('container.apparmor.security.beta.kubernetes.io/') && value !== 'runtime/default' && !value.startsWith('localhost/')) {
      problems.push(`annotation ${key}: ${value} must be runtime/default or localhost/*`);
    }
  }

  for (const { container, type } of allContainers(spec)) {
    const own = container.securityContext ?? {};
    const where = containerLabel(container.name, type);
    const capabilities = (own['capabilities'] ?? {}) as { add?: unknown[]; drop?: unknown[] };
    if (own['privileged'] === true) problems.push(`${where}: privileged must not be true`);
    if (own['allowPrivilegeEscalation'] !== false) problems.push(`${where}: securityContext.allowPrivilegeEscalation must be false`);
    const runAsNonRoot = own['runAsNonRoot'] ?? pod['runAsNonRoot'];
    if (runAsNonRoot !== true) problems.push(`${where}: runAsNonRoot must be true (pod or container securityContext)`);
    if (own['runAsUser'] === 0) problems.push(`${where}: runAsUser must not be 0 (root)`);
    const seccomp = seccompType(own) ?? podSeccomp;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') problems.push(`${where}: seccompProfile.type must be RuntimeDefault or Localhost (pod or container)`);
    const appArmor = appArmorType(own);
    if (appArmor !== undefined && appArmor !== 'RuntimeDefault' && appArmor !== 'Localhost') problems.push(`${where}: appArmorProfile.type must be RuntimeDefault or Localhost`);
    const drop = (capabilities.drop ?? []).map(String);
    if (!drop.includes('ALL')) problems.push(`${where}: capabilities.drop must include ALL`);
    const added = (capabilities.add ?? []).map(String).filter((capability) => capability !== 'NET_BIND_SERVICE');
    if (added.length) problems.push(`${where}: capabilities.add may only hold NET_BIND_SERVICE, not ${added.join(', ')}`);
    const selinux = (own['seLinuxOptions'] as Context | undefined) ?? {};
    if (!allowedSelinuxTypes.has(String(selinux['type'] ?? ''))) problems.push(`${where}: seLinuxOptions.type ${String(selinux['type'])} is not allowed`);
    if (own['procMount'] !== undefined && own['procMount'] !== 'Default') problems.push(`${where}: procMount must be Default`);
    for (const port of container.ports ?? []) {
      if (port['hostPort'] !== undefined && port['hostPort'] !== 0) problems.push(`${where}: hostPort ${String(port['hostPort'])} is not allowed`);
    }
  }
  return problems;
}

export const podSecurityRestricted: RenderedCheck = {
  id: ID,
  description: 'every pod template meets the Pod Security Standards "restricted" profile',
  run: ({ docs }) =>
    docs.flatMap((doc) =>
      podTemplates(doc.object).flatMap((template) => {
        let annotations = template.annotations;
        if (!annotations) {
          const metadataPath = template.path.replace(/spec$/, 'metadata').split('.');
          let metadata: unknown = doc.object;
          for (const key of metadataPath) metadata = (metadata as Record<string, unknown> | undefined)?.[key];
          annotations = ((metadata as { annotations?: Record<string, string> } | undefined)?.annotations ?? {}) as Record<string, string>;
        }
        const problems = restrictedViolations(template.spec, annotations);
        return problems.length
          ? [
              findingFor(
                ID,
                doc,
                `pod template (${template.path}) breaks Pod Security "restricted": ${problems.join('; ')}`,
                'set runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities.drop: [ALL] and seccompProfile.type: RuntimeDefault, and drop host namespaces, hostPath volumes and host ports (the app constructs do this by default)',
              ),
            ]
          : [];
      }),
    ),
};

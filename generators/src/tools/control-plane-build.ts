/**
 * Builds the real kube-apiserver and etcd that `validate` and `diff --apiserver` run, from their
 * pinned Go modules, once per version, into the git-ignored tools folder:
 * `<root>/.tools/bin/kube-apiserver-<release>/kube-apiserver` and `<root>/.tools/bin/etcd-<version>/etcd`.
 *
 * Neither can be `go install`ed: `k8s.io/kubernetes` requires its 29 staging modules at `v0.0.0`
 * (replaced by `./staging/...` folders a module download does not honour) and etcd's server module
 * carries replace directives too. So each is built in a small module of our own under
 * `<root>/.tools/build/<name>-<version>/`: it requires the pinned module and, for Kubernetes,
 * replaces every staging module listed at `v0.0.0` with the published `k8s.io/<module>
 * v0.<minor>.<patch>` (the list is read from the pinned release's own go.mod, never typed by hand).
 *
 * A cold build takes minutes (kube-apiserver: ~10-15 min on 2 cores, ~1,500 packages), so progress
 * is reported every few seconds; a warm rebuild takes seconds (Go's build cache).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ToolError } from '../errors.js';
import { downloadGoModule, isExecutable, type EnsureOptions } from './go.js';
import { withLock } from './lock.js';
import { lastLines, runProcess } from './process.js';
import { etcdVersionFor, KUBERNETES_MODULE, KUBERNETES_RELEASES } from './versions.js';

/** The two binaries of a local control plane, at pinned versions. */
export interface ControlPlaneBinaries {
  readonly kubeApiserver: string;
  /** `v1.35.4` */
  readonly kubernetesRelease: string;
  readonly etcd: string;
  /** `v3.6.6` */
  readonly etcdVersion: string;
}

/** A binary at a version, and the variable that may name a prebuilt one. */
export interface BinaryPin {
  readonly name: string;
  readonly version: string;
  readonly envVar: string;
}

/** One Go program built in a module of our own. */
export interface BuildSpec extends BinaryPin {
  /** Module the program comes from (`k8s.io/kubernetes`). */
  readonly module: string;
  /** Main package to build. */
  readonly pkg: string;
  /** Extra lines of the generated go.mod (replace directives). */
  readonly replaces: readonly string[];
  /** `-ldflags` value. */
  readonly ldflags: string;
  /**
   * Folder of the build module under `.tools/build/` shared by several programs of one module
   * (kube-apiserver, kube-controller-manager and kube-scheduler of a release), and the packages
   * its `tools.go` records. @default `<name>-<version>`, `[pkg]`
   */
  readonly buildModule?: { readonly folder: string; readonly packages: readonly string[] };
}

const builds = new Map<string, Promise<string>>();

/** Where a built binary lives. */
export function builtToolPath(root: string, name: string, version: string): string {
  return path.join(root, '.tools', 'bin', `${name}-${version}`, name);
}

/**
 * Returns kube-apiserver (the pinned `k8s.io/kubernetes` release of the Kubernetes `minor`) and
 * etcd (the one that release's kubeadm installs: `etcdVersionFor`), building each on first use.
 * `KUBE_APISERVER_BIN` / `ETCD_BIN` name prebuilt binaries instead (taken as they are, for every
 * minor: the caller vouches for their versions).
 */
export async function ensureControlPlane(root: string, minor: string, options: EnsureOptions = {}): Promise<ControlPlaneBinaries> {
  const release = KUBERNETES_RELEASES[minor];
  if (!release) throw new ToolError(`no pinned Kubernetes release for ${minor} (pinned: ${Object.keys(KUBERNETES_RELEASES).join(', ')})`, 'pin it in generators/src/tools/versions.ts');
  // One after the other: each build already uses every core, and two progress streams interleave.
  const kubeApiserver = await ensureKubernetesComponent(root, 'kube-apiserver', release, options);
  const etcdPin: BinaryPin = { name: 'etcd', version: etcdVersionFor(minor), envVar: 'ETCD_BIN' };
  const etcd = await ensureBuilt(root, etcdPin, async () => etcdSpec(etcdPin), options);
  return { kubeApiserver, kubernetesRelease: release, etcd, etcdVersion: etcdPin.version };
}

/** `v1.35.4` → `v0.35.4`: the tag of the published staging modules of that release. */
export function stagingVersion(release: string): string {
  const match = /^v1\.(\d+)\.(\d+)$/.exec(release);
  if (!match) throw new ToolError(`cannot derive the staging module version of Kubernetes ${release}`, 'pin an exact release such as v1.35.4');
  return `v0.${match[1]}.${match[2]}`;
}

/**
 * The staging modules a Kubernetes go.mod requires at `v0.0.0` (replaced by local folders in
 * Kubernetes itself), in file order.
 */
export function stagingModules(goMod: string): string[] {
  const modules: string[] = [];
  for (const line of goMod.split('\n')) {
    const match = /^\s*(?:require\s+)?(k8s\.io\/[A-Za-z0-9._-]+)\s+v0\.0\.0\s*(?:\/\/.*)?$/.exec(line);
    if (match && !modules.includes(match[1]!)) modules.push(match[1]!);
  }
  return modules;
}

/** The programs of `k8s.io/kubernetes` the repository runs, and the variable naming a prebuilt one. */
export const KUBERNETES_COMPONENTS = {
  'kube-apiserver': 'KUBE_APISERVER_BIN',
  'kube-controller-manager': 'KUBE_CONTROLLER_MANAGER_BIN',
  'kube-scheduler': 'KUBE_SCHEDULER_BIN',
} as const;

export type KubernetesComponent = keyof typeof KUBERNETES_COMPONENTS;

/**
 * One program of the pinned `k8s.io/kubernetes` `release`, built on first use. All of them share
 * one build module (`.tools/build/kubernetes-<release>/`, its `tools.go` recording the three), so
 * a second program compiles only its own packages: kube-scheduler took 11 s and
 * kube-controller-manager 451 s after a kube-apiserver build (reference.md, measured here).
 */
export function ensureKubernetesComponent(root: string, component: KubernetesComponent, release: string, options: EnsureOptions = {}): Promise<string> {
  const pin: BinaryPin = { name: component, version: release, envVar: KUBERNETES_COMPONENTS[component] };
  return ensureBuilt(root, pin, () => kubernetesSpec(pin, options), options);
}

async function kubernetesSpec(pin: BinaryPin, options: EnsureOptions): Promise<BuildSpec> {
  const release = pin.version;
  const dir = await downloadGoModule(KUBERNETES_MODULE, release, options);
  const modules = stagingModules(await readFile(path.join(dir, 'go.mod'), 'utf8'));
  if (modules.length === 0) throw new ToolError(`${KUBERNETES_MODULE}@${release} go.mod lists no staging module at v0.0.0`, 'the module layout changed: read its go.mod and adjust control-plane-build.ts');
  const staging = stagingVersion(release);
  const [, major, minor] = /^v(\d+)\.(\d+)\./.exec(release)!;
  return {
    ...pin,
    module: KUBERNETES_MODULE,
    pkg: `k8s.io/kubernetes/cmd/${pin.name}`,
    replaces: modules.map((m) => `replace ${m} => ${m} ${staging}`),
    buildModule: { folder: `kubernetes-${release}`, packages: Object.keys(KUBERNETES_COMPONENTS).map((name) => `k8s.io/kubernetes/cmd/${name}`) },
    ldflags: `-s -w -X k8s.io/component-base/version.gitVersion=${release} -X k8s.io/component-base/version.gitMajor=${major} -X k8s.io/component-base/version.gitMinor=${minor}`,
  };
}

function etcdSpec(pin: BinaryPin): BuildSpec {
  return {
    ...pin,
    module: 'go.etcd.io/etcd/server/v3',
    pkg: 'go.etcd.io/etcd/server/v3',
    replaces: [],
    ldflags: '-s -w',
  };
}

/**
 * The binary `pin` names: `pin.envVar` when set, else the one built earlier, else built now from
 * `spec()` (once per process and version; a lock keeps two processes from building it together).
 */
export function ensureBuilt(root: string, pin: BinaryPin, spec: () => Promise<BuildSpec>, options: EnsureOptions): Promise<string> {
  const key = `${root}\0${pin.name}\0${pin.version}`;
  let pending = builds.get(key);
  if (!pending) {
    pending = locateOrBuild(root, pin, spec, options);
    builds.set(key, pending);
    pending.catch(() => builds.delete(key));
  }
  return pending;
}

async function locateOrBuild(root: string, pin: BinaryPin, spec: () => Promise<BuildSpec>, options: EnsureOptions): Promise<string> {
  const fromEnv = process.env[pin.envVar];
  if (fromEnv) {
    if (!(await isExecutable(fromEnv))) throw new ToolError(`${pin.envVar}=${fromEnv} is not an executable file`, `unset ${pin.envVar} to build ${pin.name} ${pin.version} with go`);
    return fromEnv;
  }
  const target = builtToolPath(root, pin.name, pin.version);
  if (await isExecutable(target)) return target;
  const binDir = path.dirname(target);
  return withLock(path.join(path.dirname(binDir), `.lock-${pin.name}-${pin.version}`), async () => {
    if (await isExecutable(target)) return target;
    await build(root, await spec(), target, options);
    return target;
  }, options.signal);
}

async function build(root: string, spec: BuildSpec, target: string, options: EnsureOptions): Promise<void> {
  const what = `${spec.name} ${spec.version} (${spec.module}@${spec.version})`;
  const fail = (step: string, output: string, code: number): never => {
    throw new ToolError(`building ${what} failed at \`${step}\` (exit ${code}):\n${lastLines(output, 15)}`, `set ${spec.envVar} to a prebuilt ${spec.name} ${spec.version} to skip the build`);
  };
  const folder = spec.buildModule?.folder ?? `${spec.name}-${spec.version}`;
  const moduleDir = path.join(root, '.tools', 'build', folder);
  await mkdir(moduleDir, { recursive: true });
  // Programs sharing a module write the same go.mod and tools.go (their builds may overlap).
  await writeFile(path.join(moduleDir, 'go.mod'), [`module gitops.local/build/${folder.replace(/-v[\d.]+$/, '')}`, '', 'go 1.25.0', '', `require ${spec.module} ${spec.version}`, '', ...spec.replaces, ''].join('\n'));
  const imports = (spec.buildModule?.packages ?? [spec.pkg]).map((pkg) => `import _ "${pkg}"`);
  await writeFile(path.join(moduleDir, 'tools.go'), ['//go:build tools', '', '// Package tools records the programs this module builds.', 'package tools', '', ...imports, ''].join('\n'));
  const env = { GO111MODULE: 'on', GOFLAGS: '-mod=mod', CGO_ENABLED: '0' };

  options.log?.(`building ${what} once into ${path.relative(root, target)}: resolving modules`);
  const tidy = await runProcess('go', ['mod', 'tidy'], { cwd: moduleDir, env, signal: options.signal });
  if (tidy.code !== 0) fail('go mod tidy', tidy.stderr, tidy.code);

  const deps = await runProcess('go', ['list', '-deps', spec.pkg], { cwd: moduleDir, env, signal: options.signal });
  if (deps.code !== 0) fail(`go list -deps ${spec.pkg}`, deps.stderr, deps.code);
  const total = deps.stdout.split('\n').filter(Boolean).length;

  const started = Date.now();
  let compiled = 0;
  let lastReport = started;
  options.log?.(`building ${what}: compiling ${total} packages (the first build takes minutes; later builds reuse Go's cache)`);
  const out = path.join(moduleDir, 'out', `${spec.name}.${process.pid}`);
  const result = await runProcess('go', ['build', '-v', '-o', out, '-ldflags', spec.ldflags, spec.pkg], {
    cwd: moduleDir,
    env,
    signal: options.signal,
    onStderrLine: (line) => {
      // `go build -v` names each package as it compiles it (cached ones are not named).
      if (/^[\w.-]+(\/[\w.~+-]+)*$/.test(line)) compiled++;
      const now = Date.now();
      if (now - lastReport >= 15_000) {
        lastReport = now;
        options.log?.(`building ${spec.name} ${spec.version}: ${compiled}/${total} packages compiled (${Math.round((now - started) / 1000)} s)`);
      }
    },
  });
  if (result.code !== 0) fail(`go build ${spec.pkg}`, result.stderr, result.code);
  await mkdir(path.dirname(target), { recursive: true });
  await rename(out, target);
  options.log?.(`built ${spec.name} ${spec.version} in ${Math.round((Date.now() - started) / 1000)} s`);
}


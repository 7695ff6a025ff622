import { constants as fsConstants } from 'node:fs';
import { access, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ToolError } from '../errors.js';
import { withLock } from './lock.js';
import { lastLines, runProcess } from './process.js';
import { GO_TOOLS, type GoToolName } from './versions.js';

/** Where pinned Go binaries live: `<root>/.tools/bin/<name>-<version>/<name>` (git-ignored). */
export function goToolPath(root: string, name: GoToolName): string {
  const pin = GO_TOOLS[name];
  return path.join(root, '.tools', 'bin', `${name}-${pin.version}`, name);
}

export interface EnsureOptions {
  readonly signal?: AbortSignal;
  /** Told about slow first-run work (installs, downloads), one line each. */
  readonly log?: (line: string) => void;
}

const installs = new Map<string, Promise<string>>();

/**
 * Returns the path of the pinned Go tool `name`, installing it when needed. In order:
 * 1. the environment variable of the tool (`KUBECONFORM_BIN`, `KUBECTL_VALIDATE_BIN`, ...)
 *    naming a binary, taken as is;
 * 2. `<root>/.tools/bin/<name>-<version>/<name>` when present;
 * 3. a binary of that name on `PATH`, only when its build information (`go version -m`) or its
 *    `-v` output names the pinned version;
 * 4. `go install <pkg>@<version>` into that folder (into a scratch folder first, then renamed
 *    into place, so concurrent runs never see half a binary).
 */
export function ensureGoTool(name: GoToolName, root: string, options: EnsureOptions = {}): Promise<string> {
  const key = `${root}\0${name}`;
  let pending = installs.get(key);
  if (!pending) {
    pending = locateOrInstall(name, root, options);
    installs.set(key, pending);
    pending.catch(() => installs.delete(key));
  }
  return pending;
}

async function locateOrInstall(name: GoToolName, root: string, options: EnsureOptions): Promise<string> {
  const pin = GO_TOOLS[name];
  const fromEnv = process.env[pin.envVar];
  if (fromEnv) {
    if (!(await isExecutable(fromEnv))) {
      throw new ToolError(`${pin.envVar}=${fromEnv} is not an executable file`, `unset ${pin.envVar} to install ${name} ${pin.version} with go`);
    }
    return fromEnv;
  }

  const target = goToolPath(root, name);
  if (await isExecutable(target)) return target;

  const onPath = await findOnPath(name);
  if (onPath && (await reportsVersion(onPath, pin.module, pin.version))) return onPath;

  await ensureGo(`install ${name} ${pin.version}`, pin.envVar);
  const binDir = path.dirname(target);
  // One install per machine at a time; whoever waited finds the binary in place.
  return withLock(path.join(path.dirname(binDir), `.lock-${name}-${pin.version}`), async () => {
    if (await isExecutable(target)) return target;
    options.log?.(`installing ${name} ${pin.version} (go install ${pin.pkg}@${pin.version}, once)`);
    const scratch = await mkdtemp(path.join(path.dirname(binDir), `.install-${name}-`));
    try {
      const result = await runProcess('go', ['install', `${pin.pkg}@${pin.version}`], {
        cwd: scratch,
        env: { GOBIN: scratch, GO111MODULE: 'on' },
        signal: options.signal,
      });
      if (result.code !== 0) {
        throw new ToolError(`go install ${pin.pkg}@${pin.version} failed (exit ${result.code}):\n${lastLines(result.stderr, 10)}`, `set ${pin.envVar} to a ${name} ${pin.version} binary to skip the install`);
      }
      await mkdir(binDir, { recursive: true });
      // rename(2) replaces atomically: a concurrent run sees the old file or the whole new one.
      await rename(path.join(scratch, name), target);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
    return target;
  }, options.signal);
}

/** Module directory of `module@version` in the Go module cache, per process. */
const downloads = new Map<string, Promise<string>>();

/**
 * Downloads `module@version` with `go mod download -json` (in a scratch folder, with
 * `GOFLAGS=-mod=mod GO111MODULE=on`) and returns the module's `Dir` (read-only files in the Go
 * module cache). Throws a `ToolError` naming the module and version when go is missing or the
 * download fails (the proxy refuses the version, the network is down, the module needs a newer Go).
 */
export function downloadGoModule(module: string, version: string, options: EnsureOptions = {}): Promise<string> {
  const key = `${module}@${version}`;
  let pending = downloads.get(key);
  if (!pending) {
    pending = download(module, version, options);
    downloads.set(key, pending);
    pending.catch(() => downloads.delete(key));
  }
  return pending;
}

interface ModDownloadJson {
  readonly Path?: string;
  readonly Version?: string;
  readonly Dir?: string;
  readonly Error?: string;
}

async function download(module: string, version: string, options: EnsureOptions): Promise<string> {
  await ensureGo(`download ${module}@${version}`);
  options.log?.(`fetching ${module}@${version} (go mod download)`);
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'gitops-gomod-'));
  try {
    const result = await runProcess('go', ['mod', 'download', '-json', `${module}@${version}`], {
      cwd: scratch,
      env: { GOFLAGS: '-mod=mod', GO111MODULE: 'on' },
      signal: options.signal,
    });
    let parsed: ModDownloadJson | undefined;
    try {
      parsed = JSON.parse(result.stdout) as ModDownloadJson;
    } catch {
      parsed = undefined;
    }
    if (result.code !== 0 || !parsed?.Dir) {
      const reason = parsed?.Error ?? (lastLines(result.stderr) || `exit ${result.code}`);
      throw new ToolError(`go mod download ${module}@${version} failed: ${reason}`, `check that ${version} exists and that the Go module proxy serves it; the pin lives in generators/src/tools/versions.ts`);
    }
    return parsed.Dir;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

let goChecked: Promise<void> | undefined;

async function ensureGo(purpose: string, envVar?: string): Promise<void> {
  goChecked ??= runProcess('go', ['version']).then((result) => {
    if (result.code !== 0) throw new Error(lastLines(result.stderr));
  });
  try {
    await goChecked;
  } catch {
    goChecked = undefined;
    throw new ToolError(`go is needed to ${purpose}, but \`go version\` failed: is Go installed and on PATH?`, envVar ? `install Go, or set ${envVar} to a prebuilt binary of the pinned version` : 'install Go (1.26 or newer)');
  }
}

/** True when `file` exists and may be executed. */
export async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function findOnPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** True when the binary's Go build info, or its `-v` output, names exactly the pinned version. */
async function reportsVersion(binary: string, module: string, version: string): Promise<boolean> {
  try {
    const info = await runProcess('go', ['version', '-m', binary]);
    const line = info.stdout.split('\n').find((l) => l.trim().startsWith('mod\t') || l.trim().startsWith('mod '));
    const fields = line?.trim().split(/\s+/) ?? [];
    if (fields[1] === module) return fields[2] === version;
  } catch {
    // go missing: fall through to the tool's own version flag.
  }
  try {
    const own = await runProcess(binary, ['-v']);
    const words = `${own.stdout} ${own.stderr}`.split(/\s+/);
    return words.includes(version) || words.includes(version.replace(/^v/, ''));
  } catch {
    return false;
  }
}

import { spawn } from 'node:child_process';
import os from 'node:os';
import { ToolError } from '../errors.js';

/** What a finished child process left behind. */
export interface ProcessResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The `niceness` of the validators' batch runs (kubeconform, kubectl-validate). */
export const BATCH_NICENESS = 10;

export interface RunOptions {
  readonly cwd?: string;
  /** Added to (and overriding) the current environment. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly signal?: AbortSignal;
  /** Called with each complete line the program writes to stderr, as it writes it. */
  readonly onStderrLine?: (line: string) => void;
  /**
   * Scheduling priority of the program (`nice` value, 0-19; default: this process's). Batch work
   * that runs beside the CLI's own single-threaded work gets a higher value, so the CLI is not
   * starved and the batch fills the cores it leaves. Best effort: ignored where it cannot be set.
   */
  readonly niceness?: number;
}

/**
 * Runs a program without a shell and collects its output. Resolves with any exit code (the
 * caller decides what a non-zero code means); rejects with a `ToolError` only when the program
 * cannot be started at all (missing binary) or was killed by a signal.
 */
export function runProcess(command: string, args: readonly string[], options: RunOptions = {}): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: options.signal,
    });
    if (options.niceness !== undefined && child.pid !== undefined) {
      try {
        os.setPriority(child.pid, options.niceness);
      } catch {
        // not permitted here (or the program already ended): it runs at the default priority
      }
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    let partial = '';
    child.stderr.on('data', (chunk: Buffer) => {
      err.push(chunk);
      if (!options.onStderrLine) return;
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) options.onStderrLine(line);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        reject(new ToolError(`cannot run ${command}: not found`));
      } else {
        reject(new ToolError(`cannot run ${command}: ${error.message}`));
      }
    });
    child.on('close', (code, signal) => {
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === null) {
        reject(new ToolError(`${command} was killed by ${signal ?? 'a signal'}`, lastLines(stderr)));
        return;
      }
      resolve({ code, stdout, stderr });
    });
  });
}

/** The last few non-empty lines of a tool's output, for error messages. */
export function lastLines(text: string, count = 5): string {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line !== '')
    .slice(-count)
    .join('\n');
}

/**
 * Splits a list of file arguments so no command line gets longer than `maxChars` (nor a chunk more
 * than `maxFiles`). The default stays well under the argument space of Linux (2 MiB) and macOS
 * (1 MiB, environment included); each process the validators start costs ~0.6 s of loading
 * schemas, and 100,000 characters cut a cold 500x3 tree into about two dozen of them.
 */
export function* argumentChunks(files: readonly string[], maxChars = 250_000, maxFiles = Infinity): Generator<string[]> {
  let chunk: string[] = [];
  let size = 0;
  for (const file of files) {
    if (chunk.length > 0 && (size + file.length + 1 > maxChars || chunk.length >= maxFiles)) {
      yield chunk;
      chunk = [];
      size = 0;
    }
    chunk.push(file);
    size += file.length + 1;
  }
  if (chunk.length > 0) yield chunk;
}

import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';

/**
 * A process as a lock records it: its pid, and what tells that pid's process apart from a later
 * one the kernel gave the same pid (pids are reused once a process has ended).
 */
export interface ProcessIdentity {
  readonly pid: number;
  /**
   * The process's start time, field 22 (`starttime`, clock ticks after boot) of `/proc/<pid>/stat`;
   * absent where there is no /proc (macOS). Fields are counted after the last `)`, since field 2,
   * the command name in parentheses, may itself hold spaces and parentheses.
   * Source: proc_pid_stat(5), https://man7.org/linux/man-pages/man5/proc_pid_stat.5.html
   */
  readonly start?: string;
  /** The machine: a pid says nothing about a process of another machine sharing the checkout. */
  readonly host: string;
}

interface ProcStat {
  /** Field 3: `Z` (zombie) and `X` (dead) are processes that have ended. */
  readonly state: string;
  readonly start: string;
}

function parseProcStat(text: string): ProcStat | undefined {
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // Fields 3 and 22 of the man page are the 1st and 20th after the command name.
  const state = fields[0];
  const start = fields[19];
  return state && start && /^\d+$/.test(start) ? { state, start } : undefined;
}

let self: ProcessIdentity | undefined;

/** This process. */
export function thisProcess(): ProcessIdentity {
  if (!self) {
    let start: string | undefined;
    try {
      start = parseProcStat(readFileSync('/proc/self/stat', 'utf8'))?.start;
    } catch {
      // No /proc: the pid alone identifies the process.
    }
    self = { pid: process.pid, ...(start === undefined ? {} : { start }), host: hostname() };
  }
  return self;
}

/**
 * Whether the process still runs: false when its pid is free, is a zombie, or belongs to a process
 * started at another time (a reused pid). A process of another machine cannot be checked and
 * counts as running.
 */
export async function isRunning(identity: ProcessIdentity): Promise<boolean> {
  const me = thisProcess();
  if (identity.host !== me.host) return true;
  if (identity.pid === me.pid) return identity.start === me.start;
  if (me.start !== undefined) {
    let text: string;
    try {
      text = await readFile(`/proc/${identity.pid}/stat`, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    const stat = parseProcStat(text);
    if (!stat) return true;
    if (stat.state === 'Z' || stat.state === 'X') return false;
    return identity.start === undefined || identity.start === stat.start;
  }
  try {
    process.kill(identity.pid, 0);
    return true;
  } catch (error) {
    // EPERM: the pid runs, as another user.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

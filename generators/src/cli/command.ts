import type { Command } from 'commander';

/** What every command gets: where the repository is and where to print. */
export interface CommandContext {
  /** Absolute path of the repository root (the folder holding `apps/`, `infra/`, `clusters/`). */
  readonly root: string;
  /** Prints one line to standard output. */
  readonly out: (line: string) => void;
  /** Prints one line to standard error. */
  readonly err: (line: string) => void;
  /** True when standard output is a terminal (colour, progress). */
  readonly isTTY: boolean;
  /** Aborted on Ctrl-C; long-running commands stop their remote work and exit 130. */
  readonly signal: AbortSignal;
}

/**
 * One CLI command. `name` may hold a space (`params pull`) for a sub-command of a group.
 * `run` returns the exit code (0 when it returns nothing) or throws a `GitopsError`.
 */
export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  /** Declares arguments and options on the commander command. */
  readonly define: (cmd: Command) => void;
  readonly run: (options: Record<string, unknown>, ctx: CommandContext, args: string[]) => Promise<number | void>;
}

/** Typed helper so each command module keeps its own option type. */
export function defineCommand<O>(spec: {
  name: string;
  summary: string;
  define: (cmd: Command) => void;
  run: (options: O, ctx: CommandContext, args: string[]) => Promise<number | void>;
}): CommandSpec {
  return spec as unknown as CommandSpec;
}

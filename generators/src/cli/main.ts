import { Command, CommanderError } from 'commander';
import path from 'node:path';
import { withCheckoutAccess } from '../checkout-lock.js';
import { ExitCode, GitopsError } from '../errors.js';
import type { CommandContext } from './command.js';
import { commandsFor } from './commands.js';

export interface RunIO {
  readonly out?: (line: string) => void;
  readonly err?: (line: string) => void;
  readonly isTTY?: boolean;
  readonly signal?: AbortSignal;
  /** Width `--help` wraps at (default: the terminal's, else 80); fixed for the generated command reference. */
  readonly helpWidth?: number;
}

/**
 * Runs the CLI and returns its exit code. This is the one place where typed errors become
 * messages and exit codes: 0 ok, 1 findings or invalid input, 2 usage or tool error, 3 data loss,
 * 130 interrupted.
 */
export async function run(argv: readonly string[], io: RunIO = {}): Promise<number> {
  const out = io.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = io.err ?? ((line: string) => process.stderr.write(`${line}\n`));
  const interrupt = io.signal ? undefined : interruptSignal();
  const signal = io.signal ?? interrupt!.signal;
  let exitCode: number = ExitCode.ok;

  const program = new Command('gitops')
    .description('Render, validate, diff and deliver the Learning Platform GitOps repository.')
    .option('--root <dir>', 'repository root', process.cwd())
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp(io.helpWidth ? { helpWidth: io.helpWidth } : {})
    .configureOutput({ writeOut: (s) => out(s.replace(/\n$/, '')), writeErr: (s) => err(s.replace(/\n$/, '')) })
    .exitOverride();

  const groups = new Map<string, Command>();
  for (const spec of await commandsFor(argv)) {
    const words = spec.name.split(' ');
    let parent = program;
    for (const word of words.slice(0, -1)) {
      let group = groups.get(word);
      if (!group) {
        group = parent.command(word).description(`${word} commands`).exitOverride();
        group.configureOutput(program.configureOutput());
        groups.set(word, group);
      }
      parent = group;
    }
    const cmd = parent.command(words[words.length - 1]!).description(spec.summary).exitOverride();
    cmd.configureOutput(program.configureOutput());
    spec.define(cmd);
    cmd.action(async (...actionArgs: unknown[]) => {
      const command = actionArgs[actionArgs.length - 1] as Command;
      const ctx: CommandContext = {
        root: path.resolve(String(program.opts()['root'])),
        out,
        err,
        isTTY: io.isTTY ?? Boolean(process.stdout.isTTY),
        signal,
      };
      // The checkout lock the command's table entry asks for, taken here so no command forgets it.
      const options = command.opts();
      const access = typeof spec.checkout === 'function' ? spec.checkout(options) : spec.checkout;
      const commandLine = ['gitops', ...argv.filter((arg, i) => arg !== '--root' && argv[i - 1] !== '--root' && !arg.startsWith('--root='))].join(' ').slice(0, 200);
      const result = await withCheckoutAccess(ctx.root, access, { command: commandLine, signal, log: err }, () => spec.run(options, ctx, command.args));
      exitCode = result ?? ExitCode.ok;
    });
  }

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    // Whatever a command throws once Ctrl-C aborted it (its own cleanup done in `finally`
    // blocks) is the interruption, not a failure of its own.
    if (signal.aborted && !(error instanceof GitopsError)) {
      err('interrupted.');
      return ExitCode.interrupted;
    }
    return report(error, err);
  } finally {
    interrupt?.dispose();
  }
}

function report(error: unknown, err: (line: string) => void): number {
  if (error instanceof CommanderError) {
    // Help and version are printed by commander itself and are not failures.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') {
      return ExitCode.ok;
    }
    return ExitCode.usage;
  }
  if (error instanceof GitopsError) {
    for (const line of error.lines()) err(line);
    return error.exitCode;
  }
  err(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return ExitCode.usage;
}

/** Ctrl-C aborts the signal instead of killing the process, so commands can clean up remote work. */
function interruptSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onInterrupt = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onInterrupt);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onInterrupt) };
}

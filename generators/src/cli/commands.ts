import type { CheckoutAccess } from '../checkout-lock.js';
import type { CommandSpec } from './command.js';

/**
 * One entry of the command table: the command's words, how it uses the checkout, and how to load
 * its module. Only the command that runs is loaded (the others pull in the AWS SDK, cdk8s, HTTP
 * clients...), so a quick command such as `diff` starts quickly.
 */
export interface CommandEntry {
  readonly name: string;
  /**
   * Whether the command writes the checkout or reads its rendered trees, given its options: the
   * dispatcher takes the matching lock before it runs (`checkout-lock.ts`). Required, so that a new
   * command says what it does.
   */
  readonly checkout: CheckoutAccess | ((options: Record<string, unknown>) => CheckoutAccess);
  readonly load: () => Promise<CommandSpec>;
}

/** A loaded command with its checkout access. */
export type LoadedCommand = CommandSpec & Pick<CommandEntry, 'checkout'>;

/** `--check` reads what the command would otherwise write. */
const writesUnlessCheck = (reads: CheckoutAccess) => (options: Record<string, unknown>) => (options['check'] ? reads : 'writes');

/** The command table: every CLI command, in the order `--help` lists them. */
export const commandTable: readonly CommandEntry[] = [
  { name: 'render', checkout: writesUnlessCheck('reads'), load: async () => (await import('../commands/render.js')).renderCommand },
  { name: 'schemas', checkout: writesUnlessCheck('none'), load: async () => (await import('../commands/schemas.js')).schemasCommand },
  { name: 'validate', checkout: 'reads', load: async () => (await import('../commands/validate.js')).validateCommand },
  { name: 'upgrade-check', checkout: 'reads', load: async () => (await import('../commands/upgrade-check.js')).upgradeCheckCommand },
  { name: 'params pull', checkout: 'writes', load: async () => (await import('../commands/params-pull.js')).paramsPullCommand },
  // Reads inputs only.
  { name: 'verify', checkout: 'none', load: async () => (await import('../commands/verify.js')).verifyCommand },
  { name: 'diff', checkout: 'reads', load: async () => (await import('../commands/diff.js')).diffCommand },
  // Rehearses commits (read from Git); it runs for minutes, and a reader would hold swaps back.
  { name: 'rehearse', checkout: 'none', load: async () => (await import('../commands/rehearse.js')).rehearseCommand },
  { name: 'deploy', checkout: 'writes', load: async () => (await import('../commands/deploy.js')).deployCommand },
  { name: 'promote', checkout: 'writes', load: async () => (await import('../commands/promote.js')).promoteCommand },
  // Reads the inputs only.
  { name: 'compare', checkout: 'none', load: async () => (await import('../commands/compare.js')).compareCommand },
  // Writes the override files and the rendered trees; --list reads the inputs' Git history only.
  { name: 'rollback', checkout: (options) => (options['list'] ? 'none' : 'writes'), load: async () => (await import('../commands/rollback.js')).rollbackCommand },
];

async function loaded(entry: CommandEntry): Promise<LoadedCommand> {
  return { ...(await entry.load()), checkout: entry.checkout };
}

/** Every command, loaded. */
export function loadCommands(): Promise<LoadedCommand[]> {
  return Promise.all(commandTable.map(loaded));
}

/**
 * The commands `argv` can run: those named by its first word (after the global `--root <dir>`),
 * or every command when it names none (top-level help, an unknown command: commander then lists
 * them all).
 */
export function commandsFor(argv: readonly string[]): Promise<LoadedCommand[]> {
  let word: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--root') i++;
    else if (!arg.startsWith('-')) {
      word = arg;
      break;
    }
  }
  const named = commandTable.filter((entry) => entry.name.split(' ')[0] === word);
  return named.length ? Promise.all(named.map(loaded)) : loadCommands();
}

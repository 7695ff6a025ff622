import type { CommandSpec } from './command.js';

/**
 * One entry of the command table: the command's words and how to load its module. Only the
 * command that runs is loaded (the others pull in the AWS SDK, cdk8s, HTTP clients...), so a
 * quick command such as `diff` starts quickly.
 */
export interface CommandEntry {
  readonly name: string;
  readonly load: () => Promise<CommandSpec>;
}

/** The command table: every CLI command, in the order `--help` lists them. */
export const commandTable: readonly CommandEntry[] = [
  { name: 'render', load: async () => (await import('../commands/render.js')).renderCommand },
  { name: 'schemas', load: async () => (await import('../commands/schemas.js')).schemasCommand },
  { name: 'validate', load: async () => (await import('../commands/validate.js')).validateCommand },
  { name: 'upgrade-check', load: async () => (await import('../commands/upgrade-check.js')).upgradeCheckCommand },
  { name: 'params pull', load: async () => (await import('../commands/params-pull.js')).paramsPullCommand },
  { name: 'verify', load: async () => (await import('../commands/verify.js')).verifyCommand },
  { name: 'diff', load: async () => (await import('../commands/diff.js')).diffCommand },
  { name: 'rehearse', load: async () => (await import('../commands/rehearse.js')).rehearseCommand },
  { name: 'deploy', load: async () => (await import('../commands/deploy.js')).deployCommand },
  { name: 'promote', load: async () => (await import('../commands/promote.js')).promoteCommand },
];

/** Every command, loaded. */
export function loadCommands(): Promise<CommandSpec[]> {
  return Promise.all(commandTable.map((entry) => entry.load()));
}

/**
 * The commands `argv` can run: those named by its first word (after the global `--root <dir>`),
 * or every command when it names none (top-level help, an unknown command: commander then lists
 * them all).
 */
export function commandsFor(argv: readonly string[]): Promise<CommandSpec[]> {
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
  return named.length ? Promise.all(named.map((entry) => entry.load())) : loadCommands();
}

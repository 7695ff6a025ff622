import type { CommandSpec } from './command.js';
import { renderCommand } from '../commands/render.js';
import { validateCommand } from '../commands/validate.js';

/** The command table: every CLI command, in the order `--help` lists them. */
export const commands: readonly CommandSpec[] = [renderCommand, validateCommand];

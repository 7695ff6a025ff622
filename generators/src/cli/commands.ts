import type { CommandSpec } from './command.js';
import { renderCommand } from '../commands/render.js';
import { schemasCommand } from '../commands/schemas.js';
import { validateCommand } from '../commands/validate.js';
import { paramsPullCommand } from '../commands/params-pull.js';
import { verifyCommand } from '../commands/verify.js';
import { diffCommand } from '../commands/diff.js';
import { deployCommand } from '../commands/deploy.js';
import { promoteCommand } from '../commands/promote.js';
import { rehearseCommand } from '../commands/rehearse.js';

/** The command table: every CLI command, in the order `--help` lists them. */
export const commands: readonly CommandSpec[] = [renderCommand, schemasCommand, validateCommand, paramsPullCommand, verifyCommand, diffCommand, rehearseCommand, deployCommand, promoteCommand];

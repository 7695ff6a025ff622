// Runs `gitops render` in a child process, so tests can kill it mid-way.
import { run } from '../../src/cli/main.js';

process.exitCode = await run(['--root', process.argv[2]!, 'render']);

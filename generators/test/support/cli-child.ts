// Runs the gitops CLI from its sources in a child process, so a test can send it a real SIGINT
// (Ctrl-C) and watch what it does: `node --import tsx generators/test/support/cli-child.ts <args>`.
import { run } from '../../src/cli/main.js';

process.exitCode = await run(process.argv.slice(2));

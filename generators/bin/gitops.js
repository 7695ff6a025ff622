#!/usr/bin/env node
// Entry point of `npx gitops`. The TypeScript is compiled by `npm ci` (prepare) and by every npm script.
import { run } from '../dist/src/cli/main.js';

process.exitCode = await run(process.argv.slice(2));

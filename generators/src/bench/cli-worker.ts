/**
 * Runs one `gitops` command in this fresh process, as `generators/bin/gitops.js` does, and prints
 * (one JSON line) its exit code, what it printed, and the CPU time and peak RSS of the whole
 * process, start-up and module loading included (its Git child processes not counted).
 */
import { run } from '../cli/main.js';

const [root, ...args] = process.argv.slice(2) as [string, ...string[]];
const out: string[] = [];
const err: string[] = [];
const code = await run(['--root', root, ...args], { out: (line) => out.push(line), err: (line) => err.push(line), isTTY: false });
const cpu = process.cpuUsage();
console.log(JSON.stringify({ code, stdout: out.join('\n'), stderr: err.join('\n'), cpuSeconds: (cpu.user + cpu.system) / 1e6, rssMb: process.resourceUsage().maxRSS / 1024 }));

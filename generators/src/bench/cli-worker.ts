/**
 * Runs one `gitops` command in this fresh process, as `generators/bin/gitops.js` does, and prints
 * (one JSON line) its exit code, what it printed, the CPU time and peak RSS of the whole process,
 * start-up and module loading included, and the CPU time of the child processes it waited for
 * (validators, API servers, Git; Linux only, from /proc).
 */
import { readFileSync } from 'node:fs';
import { run } from '../cli/main.js';

const [root, ...args] = process.argv.slice(2) as [string, ...string[]];
const out: string[] = [];
const err: string[] = [];
const code = await run(['--root', root, ...args], { out: (line) => out.push(line), err: (line) => err.push(line), isTTY: false });
const cpu = process.cpuUsage();
console.log(JSON.stringify({ code, stdout: out.join('\n'), stderr: err.join('\n'), cpuSeconds: (cpu.user + cpu.system) / 1e6, childCpuSeconds: childCpuSeconds(), rssMb: process.resourceUsage().maxRSS / 1024 }));

/**
 * `cutime` + `cstime` of /proc/self/stat (fields 16 and 17, in clock ticks of sysconf(_SC_CLK_TCK),
 * which is 100 on Linux; proc(5), times(2)): the CPU time of the children this process has waited
 * for, and of the children they waited for. Undefined elsewhere.
 */
function childCpuSeconds(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return undefined;
  }
}

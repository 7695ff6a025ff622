import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { isRunning, thisProcess } from '../../src/tools/process-identity.js';

const hasProc = existsSync('/proc/self/stat');
const children: ReturnType<typeof spawn>[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** A process that runs until the test ends, with the start time /proc gives it. */
async function runningChild(): Promise<{ pid: number; start: string | undefined }> {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  children.push(child);
  await new Promise((resolve) => child.once('spawn', resolve));
  const start = hasProc ? readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19] : undefined;
  return { pid: child.pid!, start };
}

describe('process identity', () => {
  it.runIf(hasProc)('records the start time of this process from /proc (field 22 of /proc/<pid>/stat)', () => {
    const me = thisProcess();
    expect(me.pid).toBe(process.pid);
    expect(me.start).toMatch(/^\d+$/);
    expect(readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')[19]).toBe(me.start);
  });

  it('Pass when a running process is running, this one included', async () => {
    expect(await isRunning(thisProcess())).toBe(true);
    const child = await runningChild();
    expect(await isRunning({ pid: child.pid, ...(child.start ? { start: child.start } : {}), host: thisProcess().host })).toBe(true);
  });

  it('Fail when the process has ended', async () => {
    const ended = spawnSync(process.execPath, ['-e', '']).pid!;
    expect(await isRunning({ pid: ended, host: thisProcess().host })).toBe(false);
  });

  it.runIf(hasProc)('Fail when the pid now belongs to a process started at another time (a reused pid)', async () => {
    const child = await runningChild();
    expect(await isRunning({ pid: child.pid, start: String(Number(child.start) - 1), host: thisProcess().host })).toBe(false);
    expect(await isRunning({ ...thisProcess(), start: '1' })).toBe(false);
  });

  it('Pass when the process belongs to another machine (it cannot be checked from here)', async () => {
    const ended = spawnSync(process.execPath, ['-e', '']).pid!;
    expect(await isRunning({ pid: ended, host: `not-${thisProcess().host}` })).toBe(true);
  });
});

/** Running programs: output, exit codes, command-line chunks and the batch priority. */
import { describe, expect, it } from 'vitest';
import { argumentChunks, BATCH_NICENESS, runProcess } from '../../src/tools/process.js';

describe('runProcess', () => {
  it('collects output and any exit code', async () => {
    const result = await runProcess('sh', ['-c', 'echo out; echo err >&2; exit 3']);
    expect(result).toMatchObject({ code: 3, stdout: 'out\n', stderr: 'err\n' });
  });

  it('runs a batch program at the niceness it is given, and others at the default', async () => {
    // `nice` without arguments prints the niceness it runs at; the pause lets the priority be set first.
    const batch = await runProcess('sh', ['-c', 'sleep 0.3; nice'], { niceness: BATCH_NICENESS });
    const plain = await runProcess('sh', ['-c', 'sleep 0.3; nice']);
    expect(Number(batch.stdout.trim())).toBe(BATCH_NICENESS);
    expect(Number(plain.stdout.trim())).toBeLessThan(BATCH_NICENESS);
  });
});

describe('argumentChunks', () => {
  it('keeps each command line under the character limit and each chunk under the file limit', () => {
    const files = Array.from({ length: 10 }, (_, i) => `file-${i}.yaml`);
    const byChars = [...argumentChunks(files, 40)];
    expect(byChars.flat()).toEqual(files);
    for (const chunk of byChars) expect(chunk.join(' ').length).toBeLessThanOrEqual(40);
    expect([...argumentChunks(files, undefined, 4)].map((chunk) => chunk.length)).toEqual([4, 4, 2]);
  });
});

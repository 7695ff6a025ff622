import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['generators/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 900_000,
    // Test files that install Go tools share a cache; they coordinate through atomic renames.
    pool: 'forks',
    // One test file per core (vitest's default leaves one core free, so a 2-core machine ran the
    // files one at a time). The files mostly wait on the validators, git and the file system:
    // measured on 2 shared cores, a warm `vitest run` took 200 s with 1 worker and 128 s with 2.
    maxWorkers: availableParallelism(),
  },
});

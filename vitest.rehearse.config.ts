import { defineConfig } from 'vitest/config';

/**
 * `npm run test:rehearse`: the tests of the rehearsal against the real Argo CD (`*.rehearse.test.ts`),
 * which also need redis-server (Debian package redis-server). Each such file checks its
 * prerequisites first and fails at once, naming what is missing and how to install it.
 */
export default defineConfig({
  test: {
    include: ['generators/test/**/*.rehearse.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 900_000,
    pool: 'forks',
  },
});

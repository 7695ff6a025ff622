import { defineConfig } from 'vitest/config';

/**
 * `npm test`: every test that needs only Node, npm and Go (the README's promise). Tests that need
 * the rehearsal's other prerequisites (redis-server for Argo CD's cache) are named
 * `*.rehearse.test.ts` and run by `npm run test:rehearse` (vitest.rehearse.config.ts), which
 * `.ci/run` and the pull-request workflow's rehearse job call. Tests that drive headless Chromium
 * are named `*.browser.test.ts` (vitest.browser.config.ts).
 */
export default defineConfig({
  test: {
    include: ['generators/test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'generators/test/**/*.rehearse.test.ts', 'generators/test/**/*.browser.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 900_000,
    // Test files that install Go tools share a cache; they coordinate through atomic renames.
    pool: 'forks',
  },
});

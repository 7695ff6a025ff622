import { defineConfig } from 'vitest/config';

/**
 * The tests that drive a real browser (`*.browser.test.ts`): headless Chromium from Debian
 * (`apt-get install -y chromium`, /usr/bin/chromium) through playwright-core. Each such file checks
 * for the browser first and fails at once, naming the install command; `npm test` leaves them out
 * (vitest.config.ts) so it keeps needing only Node, npm and Go.
 */
export default defineConfig({
  test: {
    include: ['generators/test/**/*.browser.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 900_000,
    pool: 'forks',
  },
});

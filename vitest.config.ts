import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['generators/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 900_000,
    // Test files that install Go tools share a cache; they coordinate through atomic renames.
    pool: 'forks',
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file runs in its own process: geckos keeps process-wide state, so
    // integration files must not share one.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Real sockets and browsers on a 2-core machine: don't run them all at once.
    maxWorkers: 2,
  },
});

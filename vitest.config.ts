import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file runs in its own process: geckos keeps process-wide state, so
    // integration files must not share one.
    pool: 'forks',
    // …which stops node-datachannel's threads once, after its last test.
    setupFiles: ['test/setup/stop-node-datachannel.ts'],
    // Hang guards, not timing claims (those live in the benchmarks): a browser
    // test beside another test run on 2 cores can take three times as long as
    // alone (a 1920×1080 layout check: 9 s alone, 30 s under a load of 17).
    testTimeout: 90_000,
    hookTimeout: 90_000,
    // Real sockets and browsers on a 2-core machine: don't run them all at once.
    maxWorkers: 2,
  },
});

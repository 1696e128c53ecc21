import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Database tests share one server; each creates its own database, so files may run in parallel.
    // Two files at a time even on two cores: much of a test is waiting on the server and on ferry's
    // own processes, and one file at a time left a core idle (measured: 9.5 min of wall time for
    // 13.5 min of CPU). The timeout allows for that sharing; it is there to end hangs, not to time.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

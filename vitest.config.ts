import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Database tests share one server; each creates its own database, so files may run in parallel.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Training steps of the lesson CNN run for real; on a busy two-core machine a few take seconds.
    testTimeout: 300_000,
  },
});

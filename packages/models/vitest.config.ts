import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // onnxruntime-node and tfjs each hold native or large state; one fork keeps the 2-core
    // machine from thrashing and keeps timings steady.
    pool: 'forks',
    testTimeout: 60_000,
  },
});

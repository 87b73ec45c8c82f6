import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // onnxruntime-node and tfjs each hold native or large state; one fork keeps the 2-core
    // machine from thrashing and keeps timings steady.
    pool: 'forks',
    // Under CI, turbo runs every package's tests at once on two cores, and the 10,000-digit
    // checks slow fourfold; the limit only guards against a hang, it asserts no speed.
    testTimeout: 300_000,
  },
});

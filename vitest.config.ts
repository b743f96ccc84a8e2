import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'sandbox/**/*.test.ts', 'bots/**/*.test.ts', 'tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Sandboxes and stand-ins are heavy; two cores, so keep the pool small.
    maxWorkers: 2,
    reporters: ['default'],
  },
});

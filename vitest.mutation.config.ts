import { defineConfig } from 'vitest/config';

/**
 * The tests Stryker runs against each mutant (stryker.config.mjs): the unit tests that sit beside the
 * core modules. The end-to-end suites (real sandboxes, stand-in servers) take minutes per run and would
 * make a mutation run last days on two cores.
 */
export default defineConfig({
  test: {
    include: [
      'src/repair/**/*.test.ts',
      'src/trace/**/*.test.ts',
      'src/request/**/*.test.ts',
      'bots/shared/**/*.test.ts',
      'src/training/dataset*.test.ts',
      'src/training/gate.test.ts',
    ],
    testTimeout: 30_000,
    maxWorkers: 1,
  },
});

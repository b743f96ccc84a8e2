// Mutation testing (`npm run mutation`): Stryker changes the core modules one small edit at a time and
// runs the vitest tests that cover each change; a mutant that no test notices is a gap in the tests.
// The whole run is heavy (hours on two cores): narrow it with `npm run mutation -- --mutate <file>`.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  // Only the test files that import the mutated module run for it.
  vitest: { configFile: 'vitest.mutation.config.ts', related: true },
  dryRunTimeoutMinutes: 20,
  mutate: [
    'src/repair/**/*.ts',
    'src/trace/**/*.ts',
    'src/request/**/*.ts',
    'bots/shared/**/*.ts',
    'src/training/dataset.ts',
    'src/training/gate.ts',
    '!**/*.test.ts',
  ],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 30_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['data', 'runs', 'reports', 'coverage', '.stryker-tmp'],
  // issue 11 asks for 75% on these modules; `break` turns the figure into a failing run once it is met.
  thresholds: { high: 85, low: 75, break: null },
};

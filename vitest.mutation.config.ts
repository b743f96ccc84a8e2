import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * Stryker stops a mutant's run at the first failing test (bail), so the order of the files decides how
 * long a killed mutant costs: the pure unit tests first, the stage tests on the process sandbox next,
 * the engine's end-to-end rounds last (vitest's own order is the slowest file first). Which mutants are
 * killed does not depend on it.
 */
class QuickFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const weight = (file: TestSpecification) => {
      const id = file.moduleId.replace(/\\/g, '/');
      if (/\/src\/repair\/engine[^/]*\.test\.ts$/.test(id)) return 2;
      if (/\/src\/repair\/(stages\/[^/]+|search|probe)\.test\.ts$/.test(id) || /\/src\/trace\/runner-trace\.test\.ts$/.test(id)) return 1;
      return 0;
    };
    const sorted = await super.sort(files);
    return sorted.map((file, i) => ({ file, i })).sort((a, b) => weight(a.file) - weight(b.file) || a.i - b.i).map(({ file }) => file);
  }
}

/**
 * The tests Stryker runs against each mutant (stryker.config.mjs): the unit tests that sit beside the
 * core modules, src/repair's stages included (they run small programs in the process sandbox). The
 * end-to-end suites in tests/ (stand-in servers, big programs, Pyodide) take minutes per run and would
 * make a mutation run last days on two cores.
 */
const TESTS = [
  'src/repair/**/*.test.ts',
  'src/trace/**/*.test.ts',
  'src/request/**/*.test.ts',
  'bots/shared/**/*.test.ts',
  'src/training/dataset*.test.ts',
  'src/training/gate.test.ts',
];
// `MUTATION_TESTS=src/trace npx stryker run ...` keeps only the tests under those folders (comma-separated):
// src/repair's stage tests also reach src/trace, and make its run twice as long; without them the score is
// a lower bound (tests/MUTATION.md).
const only = process.env.MUTATION_TESTS?.split(',').filter(Boolean);

export default defineConfig({
  test: {
    include: only ? TESTS.filter((glob) => only.some((folder) => glob.startsWith(`${folder}/`))) : TESTS,
    testTimeout: 30_000,
    maxWorkers: 1,
    sequence: { sequencer: QuickFirst },
  },
});

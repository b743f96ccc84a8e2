/**
 * The program search's own unit tests are Python (sandbox/runner/tests/test_*.py: one file per operator
 * module, on examples of their own, plus the search's core). This runs them with the machine's python3
 * so that `npx vitest run sandbox/runner` covers them.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
const pythonSkip = python.status === 0 ? undefined : 'python3 is not on PATH';
if (pythonSkip) console.warn(`[skip] sandbox/runner/search.test.ts: the search's Python unit tests: ${pythonSkip}`);

describe.skipIf(pythonSkip !== undefined)(`program search: Python unit tests (operators by bug class, core)${pythonSkip ? ` (skipped: ${pythonSkip})` : ''}`, () => {
  it('pass', () => {
    const run = spawnSync('python3', ['-m', 'unittest', 'discover', '-s', join(here, 'tests'), '-t', join(here, 'tests')], {
      encoding: 'utf8',
      timeout: 240_000,
    });
    const tail = run.stderr.split('\n').slice(-40).join('\n');
    expect(run.status, tail).toBe(0);
    expect(run.stderr).toMatch(/Ran \d+ tests/);
  }, 300_000);
});

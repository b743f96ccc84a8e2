/**
 * The bug set of our own (tests/repair/own-bugs): one wrong program per bug class, with the tests a user
 * would paste and stronger hidden ones. Its generator checks that each canonical solution passes its
 * hidden tests, that each buggy program fails what is shown, and that the .jsonl holds exactly its tasks.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
const skip = python.status === 0 ? undefined : 'python3 is not on PATH';
if (skip) console.warn(`[skip] tests/repair/own-bugs.test.ts: ${skip}`);

describe.skipIf(skip !== undefined)(`own bug set${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('is what its generator writes, every buggy program fails its shown tests and every canonical one passes its hidden tests', () => {
    const run = spawnSync('python3', [join(here, 'own-bugs', 'make.py'), '--check'], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr + run.stdout).toBe(0);
    expect(run.stdout).toMatch(/^\d+ tasks checked/);
  });
});

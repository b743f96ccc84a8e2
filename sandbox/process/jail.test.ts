import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readableForRunner } from './jail.ts';

const root = mkdtempSync(join(tmpdir(), 'tracefix-jail-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const asRoot = process.getuid?.() === 0;
const rootSkip = asRoot ? undefined : 'they need root (runners only drop to another uid as root)';
if (rootSkip) console.warn(`[skip] sandbox/process/jail.test.ts: readableForRunner tests ${rootSkip}`);

describe(`readableForRunner${rootSkip ? ` (skipped: ${rootSkip})` : ''}`, () => {

  it.skipIf(!asRoot)('copies a folder behind a private (0700) parent to a place the runner uid can read', () => {
    const privateDir = join(root, 'private');
    mkdirSync(join(privateDir, 'runner', 'pkg'), { recursive: true });
    writeFileSync(join(privateDir, 'runner', 'run.py'), 'print(1)\n', { mode: 0o600 });
    writeFileSync(join(privateDir, 'runner', 'pkg', '__init__.py'), '', { mode: 0o600 });
    chmodSync(privateDir, 0o700);

    const staged = readableForRunner(join(privateDir, 'runner'));
    expect(staged.startsWith(privateDir)).toBe(false);
    expect(readFileSync(join(staged, 'run.py'), 'utf8')).toBe('print(1)\n');
    expect(statSync(join(staged, 'run.py')).mode & 0o004).toBe(0o004);
    expect(statSync(join(staged, 'pkg')).mode & 0o005).toBe(0o005);
    // Once per process: the second call reuses the copy.
    expect(readableForRunner(join(privateDir, 'runner'))).toBe(staged);
  });

  it.skipIf(!asRoot)('uses a folder in place when anyone can already read it', () => {
    const open = join(root, 'open');
    mkdirSync(open, { mode: 0o755 });
    chmodSync(root, 0o755);
    writeFileSync(join(open, 'run.py'), '', { mode: 0o644 });
    expect(readableForRunner(open)).toBe(open);
  });
});

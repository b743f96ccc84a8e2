import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unifiedDiff } from './diff.ts';

/** Applies a unified diff the way patch(1) would, strictly (context must match). */
function applyPatch(before: string, diff: string): string {
  const lines = before === '' ? [] : before.split('\n');
  const endsWithNewline = before.endsWith('\n');
  if (endsWithNewline) lines.pop();
  const out: string[] = [];
  let cursor = 0;
  let finalNewline = endsWithNewline;
  const rows = diff.split('\n');
  for (let i = 2; i < rows.length; i++) {
    const header = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@$/.exec(rows[i] ?? '');
    if (!header) continue;
    const aStart = Number(header[1]);
    const aCount = header[2] === undefined ? 1 : Number(header[2]);
    const from = aCount === 0 ? aStart : aStart - 1;
    while (cursor < from) out.push(lines[cursor++]!);
    const bStart = Number(header[3]);
    const bCount = header[4] === undefined ? 1 : Number(header[4]);
    expect(out.length, 'the new-file line number of the hunk').toBe(bCount === 0 ? bStart : bStart - 1);
    for (i = i + 1; i < rows.length && !rows[i]!.startsWith('@@'); i++) {
      const row = rows[i]!;
      if (row === '') continue;
      if (row.startsWith('\\')) {
        const prev = rows[i - 1]!;
        if (prev.startsWith('+') || prev.startsWith(' ')) finalNewline = false;
        continue;
      }
      const body = row.slice(1);
      if (row[0] === ' ' || row[0] === '-') {
        expect(lines[cursor]).toBe(body);
        cursor++;
      }
      if (row[0] === ' ' || row[0] === '+') out.push(body);
      if (row[0] === '+') finalNewline = true;
    }
    i--;
  }
  while (cursor < lines.length) out.push(lines[cursor++]!);
  const text = out.join('\n');
  return out.length ? text + (finalNewline ? '\n' : '') : '';
}

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n')).toBe('');
  });

  it('writes one hunk with three lines of context for a one-line change', () => {
    const before = 'def f(x):\n    a = 1\n    b = 2\n    c = 3\n    return x - a\n    # end\n';
    const after = before.replace('x - a', 'x + a');
    expect(unifiedDiff(before, after, { fromFile: 'a/p.py', toFile: 'b/p.py' })).toBe(
      ['--- a/p.py', '+++ b/p.py', '@@ -2,5 +2,5 @@', '     a = 1', '     b = 2', '     c = 3', '-    return x - a', '+    return x + a', '     # end', ''].join('\n'),
    );
  });

  it('numbers an insertion at the top as diff(1) does', () => {
    expect(unifiedDiff('b\n', 'a\nb\n', { context: 0 })).toBe('--- a\n+++ b\n@@ -0,0 +1 @@\n+a\n');
  });

  it('marks a missing final newline', () => {
    const diff = unifiedDiff('x\ny', 'x\nz', { context: 1 });
    expect(diff).toContain('-y\n\\ No newline at end of file\n+z\n\\ No newline at end of file\n');
    expect(applyPatch('x\ny', diff)).toBe('x\nz');
  });

  it('splits distant changes into separate hunks and merges close ones', () => {
    const before = Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n') + '\n';
    const after = before.replace('line 2\n', 'line two\n').replace('line 25\n', 'line twenty-five\n').replace('line 27\n', '');
    const diff = unifiedDiff(before, after);
    expect(diff.match(/^@@/gm)).toHaveLength(2);
    expect(applyPatch(before, diff)).toBe(after);
  });

  it('round-trips random edits through a strict patcher', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let trial = 0; trial < 200; trial++) {
      const a = Array.from({ length: rand(15) }, () => `v${rand(6)}`);
      const b = [...a];
      for (let e = 0; e < 1 + rand(4); e++) {
        const at = rand(b.length + 1);
        const op = rand(3);
        if (op === 0) b.splice(at, 0, `n${rand(6)}`);
        else if (op === 1 && b.length) b.splice(Math.min(at, b.length - 1), 1);
        else if (b.length) b[Math.min(at, b.length - 1)] = `m${rand(6)}`;
      }
      const before = a.length ? a.join('\n') + '\n' : '';
      const after = b.length ? b.join('\n') + '\n' : '';
      const diff = unifiedDiff(before, after, { context: rand(4) });
      expect(applyPatch(before, diff)).toBe(after);
    }
  });

  const patchAvailable = spawnSync('patch', ['--version']).status === 0;
  if (!patchAvailable) console.log('[diff] patch(1) check skipped: patch is not installed');
  it.skipIf(!patchAvailable)('is accepted by patch(1)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracefix-diff-'));
    try {
      const before = 'def f(xs):\n    total = 0\n    for x in xs:\n        total = x\n    return total\n';
      const after = 'def f(xs):\n    total = 0\n    for x in xs:\n        total += x\n    return total\n';
      writeFileSync(join(dir, 'program.py'), before);
      const diff = unifiedDiff(before, after, { fromFile: 'a/program.py', toFile: 'b/program.py' });
      const run = spawnSync('patch', ['-p1', '--dry-run', '-i', '-'], { cwd: dir, input: diff });
      expect(run.status, String(run.stdout) + String(run.stderr)).toBe(0);
      spawnSync('patch', ['-p1', '-i', '-'], { cwd: dir, input: diff });
      expect(readFileSync(join(dir, 'program.py'), 'utf8')).toBe(after);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

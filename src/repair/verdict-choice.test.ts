/**
 * The verdict's finer rules (verdict.ts): which input the question is put on, how many answers it offers,
 * hangs and timeouts in the ranking, the lone candidate's confirmation, and a fix that answers a constant.
 * Pure functions on probe answers written as the runner writes them.
 */
import { describe, expect, it } from 'vitest';
import type { ProbeResponse } from './probe.ts';
import { answersConstant, confirmChoice, isValueOutput, judge, newConstantCount, numericLiterals, pinningTest, type Plausible } from './verdict.ts';

const cand = (id: string, over: Partial<Plausible> = {}): Plausible => ({ id, source: id, editSize: 3, order: 0, editedLines: [2], ...over });
function probeOf(rows: [string, Record<string, string>][], extra: Partial<ProbeResponse> = {}): ProbeResponse {
  return { ok: true, func: 'g', seeds: 0, inputs: rows.map(([call, outputs]) => ({ call, outputs })), truncated: false, ...extra };
}
const judged = (candidates: Plausible[], probe: ProbeResponse | undefined, suspicious: number[] = []) =>
  judge({ originalId: 'original', originalSource: 'def g(x):\n    return x * 3\n', candidates, probe, suspicious });

describe('isValueOutput and pinningTest', () => {
  it('takes a repr as a value, not a hang, an exception, an object or a cut repr', () => {
    expect(isValueOutput('3')).toBe(true);
    expect(isValueOutput('timeout')).toBe(false);
    expect(isValueOutput('raises ValueError: x')).toBe(false);
    expect(isValueOutput('<object>')).toBe(false);
    expect(isValueOutput('[1, 2, …')).toBe(false);
    expect(isValueOutput('[1, 2...')).toBe(false);
    expect(isValueOutput('"a...b"')).toBe(true);
  });

  it('names the test after the function and the exception, dotted names included', () => {
    expect(pinningTest('g(1)', 'raises json.JSONDecodeError: bad', 'g')).toBe(
      'def test_g_raises_json_jsondecodeerror():\n    try:\n        g(1)\n    except json.JSONDecodeError:\n        return\n    assert False, "g(1) should raise json.JSONDecodeError"',
    );
    expect(pinningTest('g(1)', 'raises ValueError: ', 'g')).toContain('except ValueError:');
    expect(pinningTest('g(1)', 'raises ValueError', 'g')).toBeUndefined();
    expect(pinningTest('g(1)', 'raises : x', 'g')).toBeUndefined();
  });

  it('reads numbers as written, decimals included', () => {
    expect(numericLiterals('x = 12 + 3.25 - a2 + .5 + 7.\n')).toEqual(['12', '3.25']);
    expect(newConstantCount('x = 2\n', 'x = 2 + 2.5 + 0 + 1 + 9\n')).toBe(2);
  });
});

describe('judge: ranking', () => {
  it('ranks fewer timeouts first, then fewer new numbers, and keeps the first input each one hangs on where the original finishes', () => {
    const slow = cand('slow', { editSize: 1, order: 0 });
    const quick = cand('quick', { editSize: 9, order: 1, source: 'quick 7' });
    const p = probeOf([
      ['g(1)', { original: 'timeout', slow: 'timeout', quick: 'timeout' }],
      ['g(2)', { original: '6', slow: 'timeout', quick: '6' }],
      ['g(3)', { original: '9', slow: 'timeout', quick: '9' }],
    ]);
    const v = judged([slow, quick], p);
    expect(v.ranked.map((s) => s.candidate.id)).toEqual(['quick']);
    // it hangs only where the original hangs too: no regression, so no input to hold against it
    expect(v.ranked[0]).toMatchObject({ timeouts: 1, hangs: false, changes: 0, newConstants: 1 });
    expect(v.ranked[0]).not.toHaveProperty('timeoutCall');
    // all hang somewhere: all stay, the fewest timeouts first
    const p2 = probeOf([
      ['g(1)', { original: '3', slow: 'timeout', quick: 'timeout' }],
      ['g(2)', { original: '6', slow: 'timeout', quick: '6' }],
    ]);
    const v2 = judged([slow, quick], p2);
    expect(v2.ranked.map((s) => [s.candidate.id, s.timeouts, s.hangs])).toEqual([
      ['quick', 1, true],
      ['slow', 2, true],
    ]);
    expect(v2.ranked[1]!.timeoutCall).toBe('g(1)');
  });

  it('counts the changes where the original answers, and ranks by the most suspicious line edited', () => {
    const a = cand('a', { editedLines: [7, 4] });
    const b = cand('b', { editedLines: [9] });
    const p = probeOf([
      ['g(1)', { original: 'timeout', a: '1', b: '2' }],
      ['g(2)', { original: '6', a: '6', b: '6' }],
    ]);
    const v = judged([b, a], p, [5, 4, 7]);
    expect(v.ranked.map((s) => [s.candidate.id, s.changes, s.suspicion])).toEqual([
      ['a', 0, 1],
      ['b', 0, 3],
    ]);
    // without a probe nothing changes and nothing hangs; the order of proposal breaks the tie
    const v2 = judged([cand('late', { order: 2 }), cand('early', { order: 1 })], undefined);
    expect(v2.ranked.map((s) => [s.candidate.id, s.changes, s.timeouts, s.suspicion])).toEqual([
      ['early', 0, 0, 0],
      ['late', 0, 0, 0],
    ]);
    expect(v2.ranked[0]).not.toHaveProperty('timeoutCall');
    // a probe that did not run is no evidence
    expect(judged([cand('x'), cand('y')], probeOf([['g(1)', { original: '1', x: '1', y: '2' }]], { ok: false })).clusters).toHaveLength(1);
  });
});

describe('judge: crashes', () => {
  it('keeps no merit for agreeing with a crash of the original, and ranks the fix that raises less first', () => {
    const [keeps, mends] = [cand('keeps', { editSize: 1, order: 0 }), cand('mends', { editSize: 6, order: 1 })];
    const p = probeOf([
      ['pct(1, 4)', { original: '400.0', keeps: '25.0', mends: '25.0' }],
      ['pct(0, 4)', { original: 'raises ZeroDivisionError: division by zero', keeps: 'raises ZeroDivisionError: division by zero', mends: '0.0' }],
    ]);
    const v = judged([keeps, mends], p);
    expect(v.ranked.map((s) => [s.candidate.id, s.changes, s.raises])).toEqual([
      ['mends', 1, 0],
      ['keeps', 1, 1],
    ]);
  });
});

describe('judge: the question', () => {
  it('prefers an input where every answer is a value, then the one that splits the most', () => {
    const [a, b, c] = [cand('a', { order: 0 }), cand('b', { order: 1 }), cand('c', { order: 2 })];
    const p = probeOf([
      ['g(1)', { original: '3', a: '1', b: 'raises ValueError: no', c: '2' }],
      ['g(2)', { original: '6', a: '1', b: '2', c: '2' }],
      ['g(3)', { original: '9', a: '1', b: '2', c: '3' }],
      ['g(4)', { original: '9', a: '1', b: '2', c: '4' }],
    ]);
    const v = judged([a, b, c], p);
    expect(v.clusters).toHaveLength(3);
    expect(v.choice?.call).toBe('g(3)');
    // as many changes each; `b` raises on g(1) where the others answer, so it comes last
    expect(v.choice?.options.map((o) => [o.candidate.id, o.output, o.test])).toEqual([
      ['a', '1', 'assert g(3) == 1'],
      ['c', '3', 'assert g(3) == 3'],
      ['b', '2', 'assert g(3) == 2'],
    ]);
    expect(v.ranked.map((s) => [s.candidate.id, s.raises])).toEqual([['a', 0], ['c', 0], ['b', 1]]);
    expect(v.choice?.original).toBe('9');
  });

  it('asks with an exception when it is all that tells them apart, and skips inputs a program did not reach', () => {
    const [a, b] = [cand('a', { order: 0 }), cand('b', { order: 1 })];
    const p = probeOf([
      ['g(0)', { original: '0', a: '1' }],
      ['g(1)', { a: '<A object>', b: '4' }],
      ['g(2)', { original: '6', a: 'raises ValueError: no', b: '4' }],
    ]);
    const v = judged([a, b], p);
    expect(v.choice?.call).toBe('g(2)');
    expect(v.choice?.options.map((o) => o.output)).toEqual(['4', 'raises ValueError: no']);
    expect(v.choice?.options[1]?.test).toContain('def test_g_raises_valueerror():');
    // no input with two writable answers: no question
    const none = judged([a, b], probeOf([['g(1)', { original: '3', a: '<A object>', b: '4' }]]));
    expect(none.clusters).toHaveLength(2);
    expect(none.choice).toBeUndefined();
  });

  it('offers four answers at most, one per answer, and leaves the original out when it did not answer', () => {
    const many = ['a', 'b', 'c', 'd', 'e', 'f'].map((id, order) => cand(id, { order }));
    const outputs = { a: '1', b: '2', c: '2', d: '3', e: '4', f: '5' };
    const v = judged(many, probeOf([['g(9)', outputs], ['g(8)', { ...outputs, b: '9' }]]));
    expect(v.choice?.call).toBe('g(8)');
    expect(v.choice?.options.map((o) => o.output)).toEqual(['1', '9', '2', '3']);
    expect(v.choice).not.toHaveProperty('original');
    // with the func unknown the test is written for `f`
    const f = judged([cand('a'), cand('b', { order: 1 })], probeOf([['h(1)', { a: 'raises KeyError: k', b: '1' }]], { func: undefined }));
    expect(f.choice?.options[1]?.test).toContain('def test_f_raises_keyerror():');
  });
});

describe('confirmChoice', () => {
  const only = cand('only');
  it('falls back on the first grown input it can write a test for, and knows when there is none', () => {
    const same = probeOf(
      [
        ['g(1)', { original: '3', only: '3' }],
        ['g(2)', { original: 'timeout', only: 'timeout' }],
        ['g(3)', { original: '9', only: '9' }],
      ],
      { seeds: 1 },
    );
    expect(confirmChoice(only, 'original', same, 1)).toEqual({ call: 'g(3)', original: '9', options: [{ candidate: only, output: '9', test: 'assert g(3) == 9' }] });
    expect(confirmChoice(only, 'original', probeOf([['g(1)', { original: '3', only: 'timeout' }]]), 0)).toBeUndefined();
    expect(confirmChoice(only, 'original', probeOf([['g(1)', { original: '3', only: '4' }]]), 1)).toBeUndefined();
    expect(confirmChoice(only, 'original', undefined, 0)).toBeUndefined();
  });

  it('asks where the candidate departs from the original, even past an input it cannot write', () => {
    const p = probeOf([
      ['g(1)', { original: '3', only: 'raises E' }],
      ['g(2)', { original: '6', only: 'timeout' }],
      ['g(3)', { only: '4' }],
    ]);
    expect(confirmChoice(only, 'original', p, 0)).toEqual({ call: 'g(3)', options: [{ candidate: only, output: '4', test: 'assert g(3) == 4' }] });
    const f = confirmChoice(only, 'original', probeOf([['h(2)', { original: '6', only: 'raises KeyError: k' }]], { func: undefined }), 0);
    expect(f?.options[0]?.test).toContain('def test_f_raises_keyerror():');
  });
});

describe('answersConstant', () => {
  const rows = (mine: string[], theirs: string[]) => probeOf(mine.map((m, i) => [`g(${i})`, { c: m, original: theirs[i]! }]), { seeds: 1 });
  it('is a fix that answers one value on every grown input where the original varies', () => {
    expect(answersConstant('c', 'original', rows(['0', '8', '8', '8'], ['1', '2', '3', '4']))).toBe(true);
    // the seeds are the tests' own calls: not counted
    expect(answersConstant('c', 'original', rows(['0', '8', '8', '9'], ['1', '2', '3', '4']))).toBe(false);
    // too few grown inputs to say
    expect(answersConstant('c', 'original', rows(['8', '8', '8'], ['1', '2', '3']))).toBe(false);
    // the original is constant too (its hangs do not count as answers)
    expect(answersConstant('c', 'original', rows(['8', '8', '8', '8'], ['2', '2', 'timeout', '2']))).toBe(false);
    expect(answersConstant('c', 'original', rows(['8', '8', '8', '8'], ['2', '2', '3', 'timeout']))).toBe(true);
    expect(answersConstant('c', 'original', { ...rows(['0', '8', '8', '8'], ['1', '2', '3', '4']), ok: false })).toBe(false);
    expect(answersConstant('c', 'original', undefined)).toBe(false);
  });
});

/**
 * Honest verdicts: candidates that pass every test are grouped by what they do on the probe inputs,
 * ranked by how plausible they are as the fix a person meant, and, when groups disagree, one input is
 * picked to put the question to the user. Pure functions: the engine feeds them the probe's answer.
 */
import { codeOnly } from '../trace/python-lexer.ts';
import type { ProbeInput, ProbeResponse } from './probe.ts';

export interface Plausible {
  id: string;
  /** The whole program as run (frozen prefix included). */
  source: string;
  /** Characters changed relative to the original. */
  editSize: number;
  /** Proposal order (the search's own prior). */
  order: number;
  /** 1-based program lines the edit touches. */
  editedLines: number[];
}

export interface Scored<T extends Plausible> {
  candidate: T;
  /** Numeric literals the edit introduces that the original does not use (0 and 1 are not magic). */
  newConstants: number;
  /** Probe inputs on which it answers differently from the original, of those where the original is trusted (see trustedRows). */
  changes: number;
  /** Inputs grown from a test's call the original gets wrong on which it still answers as the original does (a tie-break after `changes`). */
  keeps: number;
  /** Best rank among the suspicious lines of a line it edits (lower is more suspicious). */
  suspicion: number;
  /** Times out on a probe input that the original or another candidate finishes. */
  hangs: boolean;
  /**
   * The first probe input it does not finish where the original does, if any: a fix that stops finishing
   * next to the tests is not the whole fix (or a slow one). Where the original hangs too it is no regression.
   */
  timeoutCall?: string;
  timeouts: number;
  /** Probe inputs on which it raises while the original or another candidate answers with a value. */
  raises: number;
}

export interface Verdict<T extends Plausible> {
  /** Best first; candidates that hang where another program answers are left out unless all do. */
  ranked: Scored<T>[];
  /** Groups of identical behaviour on the probe inputs, in the order of their best member. */
  clusters: Scored<T>[][];
  /** Present when clusters disagree on an input where their answers can be written as a test. */
  choice?: VerdictChoice<T>;
}

export interface VerdictChoice<T extends Plausible> {
  call: string;
  original?: string;
  /** One per distinct answer to `call`, best-ranked first. */
  options: { candidate: T; output: string; test: string }[];
}

const MAX_OPTIONS = 4;

/** Numbers written in the program outside strings and comments. */
export function numericLiterals(source: string): string[] {
  return codeOnly(source).match(/(?<![\w.])\d+(?:\.\d+)?(?![\w.])/g) ?? [];
}

export function newConstantCount(original: string, candidate: string): number {
  const before = new Set(numericLiterals(original).map(Number));
  return numericLiterals(candidate)
    .map(Number)
    .filter((n) => n !== 0 && n !== 1 && !before.has(n)).length;
}

/** `from` less `to`, counting repeats (a multiset difference). */
function without(from: number[], to: number[]): number[] {
  const left = [...to];
  return from.filter((n) => {
    const i = left.indexOf(n);
    if (i === -1) return true;
    left.splice(i, 1);
    return false;
  });
}

/**
 * Numbers a fix brings in from nowhere: not in the program (docstring examples included), not among the
 * tests' inputs (their expected values do not count), and not one off the number the fix replaced (`range(n - 1)` -> `range(n - 2)` is an off-by-one;
 * `i + 1` -> `i + 3` fits an example).
 */
export function magicConstantCount(original: string, candidate: string, tests: string | null): number {
  const anywhere = (text: string) => (text.match(/(?<![\w.])\d+(?:\.\d+)?(?![\w.])/g) ?? []).map(Number);
  // A test's expected value written into the program fits the test; its inputs are fair to use.
  const expected = new Set(
    [...(tests ?? '').matchAll(/==\s*-?(\d+(?:\.\d+)?)(?![\w.])|(?<![\w.])(\d+(?:\.\d+)?)\s*==/g)].map((m) =>
      Number(m[1] ?? m[2]),
    ),
  );
  const known = new Set([...anywhere(original), ...anywhere(tests ?? '').filter((n) => !expected.has(n))]);
  const before = numericLiterals(original).map(Number);
  const after = numericLiterals(candidate).map(Number);
  const removed = without(before, after);
  return without(after, before).filter(
    (n) => n !== 0 && n !== 1 && !known.has(n) && !removed.some((r) => Math.abs(r - n) === 1),
  ).length;
}

/**
 * Where the original's answers can be trusted. The original is right on the tests it passes and likely
 * near them: there a fix should answer as it does ('trusted': a departure counts against the fix, the
 * ranking's first behavioural key). Next to a test it fails it may be wrong or right (a boundary slip is
 * wrong at one point only), so a departure there is no evidence either way, unless it turns an answer
 * into a crash ('suspect'); a fix that still answers as the original does there has perhaps kept the
 * bug, which breaks ties between fixes that depart alike where the original is right (`keeps`: a lucky
 * edit that keeps `None` for a one-reading list no longer ties with the fix that answers it). A test's
 * call the original passes is one where it answers as every fix does. Where it passes none (every test
 * fails), every input is 'any': departures count everywhere, the only prior left. So do inputs that do
 * not say where they were grown from, and the failing tests' own calls (every fix departs there alike).
 */
function trustedRows(
  rows: readonly ProbeInput[],
  seeds: number,
  originalId: string,
  candidates: readonly Plausible[],
): (i: number) => 'trusted' | 'suspect' | 'any' {
  const trusted = new Set<number>();
  for (let i = 0; i < Math.min(seeds, rows.length); i++) {
    const outs = rows[i]!.outputs;
    const orig = outs[originalId];
    if (orig !== undefined && candidates.length > 0 && candidates.every((c) => outs[c.id] === orig))
      trusted.add(i);
  }
  if (trusted.size === 0) return () => 'any';
  return (i) => {
    const from = rows[i]?.from;
    if (from === undefined) return 'any';
    if (trusted.has(from)) return 'trusted';
    // a failing test's own call: every fix departs from the original there alike
    return i < seeds ? 'any' : 'suspect';
  };
}

/** True when an output text can be the right-hand side of `assert call == output`. */
export function isValueOutput(output: string): boolean {
  return (
    output !== 'timeout' &&
    !output.startsWith('raises ') &&
    !output.includes('<') &&
    !output.endsWith('...') &&
    !output.includes('…')
  );
}

const RAISES = /^raises ([A-Za-z_][\w.]*): /;

/** `inf` or `nan` as a token of a repr with no strings in it (`'info'`, `'an inf'` are no infinities). */
const token = (word: string) => new RegExp(`(?<![\\w.])${word}(?![\\w.])`, 'g');
const hasInfinity = (repr: string) => !/['"]/.test(repr) && token('-?(?:inf|nan)').test(repr);

/** A test that pins `output` as the answer to `call`, as the user would write it; undefined when it cannot be written. */
export function pinningTest(call: string, output: string, func: string): string | undefined {
  if (isValueOutput(output) && hasInfinity(output)) {
    // a repr's `inf` is no Python name: written as float('inf'); `nan` equals nothing, so no assert pins it
    if (token('nan').test(output)) return undefined;
    return `assert ${call} == ${output.replace(token('inf'), "float('inf')")}`;
  }
  if (isValueOutput(output)) return `assert ${call} == ${output}`;
  const raised = RAISES.exec(output + ' ')?.[1];
  if (!raised) return undefined;
  const name = `test_${func}_raises_${raised.replace(/\W/g, '_').toLowerCase()}`;
  return `def ${name}():\n    try:\n        ${call}\n    except ${raised}:\n        return\n    assert False, ${JSON.stringify(`${call} should raise ${raised}`)}`;
}

export function judge<T extends Plausible>(input: {
  originalId: string;
  originalSource: string;
  candidates: readonly T[];
  probe: ProbeResponse | undefined;
  /** Suspicious lines, most suspicious first. */
  suspicious: readonly number[];
}): Verdict<T> {
  const rows = input.probe?.ok ? input.probe.inputs : [];
  const func = input.probe?.func ?? 'f';
  const outputOf = (id: string, i: number) => rows[i]?.outputs[id];
  const counted = trustedRows(rows, input.probe?.seeds ?? 0, input.originalId, input.candidates);
  const scored: Scored<T>[] = input.candidates.map((c) => {
    let changes = 0;
    let keeps = 0;
    let hangs = false;
    let timeouts = 0;
    let timeoutCall: string | undefined;
    let raises = 0;
    rows.forEach((row, i) => {
      const mine = outputOf(c.id, i);
      const orig = outputOf(input.originalId, i);
      // Where the original hangs or raises it has no answer to keep: agreeing with it there is no merit.
      const where = counted(i);
      if (orig !== 'timeout' && !orig?.startsWith('raises ')) {
        // next to a failing test a departure is expected, unless it turns the original's answer into a crash
        const crashes = mine === 'timeout' || Boolean(mine?.startsWith('raises '));
        if (mine !== orig && (where !== 'suspect' || crashes)) changes++;
        if (where === 'suspect' && mine === orig) keeps++;
      }
      if (mine === 'timeout' && Object.values(row.outputs).some((o) => o !== 'timeout')) hangs = true;
      if (mine === 'timeout') {
        timeouts++;
        if (orig !== 'timeout') timeoutCall ??= row.call;
      }
      if (mine?.startsWith('raises ') && Object.values(row.outputs).some((o) => isValueOutput(o))) raises++;
    });
    const ranks = c.editedLines.map((l) => input.suspicious.indexOf(l)).filter((r) => r >= 0);
    return {
      candidate: c,
      newConstants: newConstantCount(input.originalSource, c.source),
      changes,
      keeps,
      suspicion: ranks.length ? Math.min(...ranks) : input.suspicious.length,
      hangs,
      timeouts,
      raises,
      ...(timeoutCall === undefined ? {} : { timeoutCall }),
    };
  });
  const finishing = scored.filter((s) => !s.hangs);
  const pool = finishing.length ? finishing : scored;
  const ranked = [...pool].sort(
    (a, b) =>
      a.timeouts - b.timeouts ||
      a.newConstants - b.newConstants ||
      a.changes - b.changes ||
      a.keeps - b.keeps ||
      // of two fixes that change as much, the one that raises on fewer inputs others answer
      a.raises - b.raises ||
      a.suspicion - b.suspicion ||
      a.candidate.editSize - b.candidate.editSize ||
      a.candidate.order - b.candidate.order,
  );
  const signature = (s: Scored<T>) => JSON.stringify(rows.map((_, i) => outputOf(s.candidate.id, i) ?? null));
  const groups = new Map<string, Scored<T>[]>();
  for (const s of ranked) {
    const key = signature(s);
    const g = groups.get(key);
    if (g) g.push(s);
    else groups.set(key, [s]);
  }
  const clusters = [...groups.values()];
  const verdict: Verdict<T> = { ranked, clusters };
  if (clusters.length < 2) return verdict;

  // The question to ask: the input that splits the groups into the most answers that can be written as
  // tests; among equals the earliest (the tests' own calls and their nearest neighbours come first).
  let best: { i: number; distinct: number; allValues: boolean } | undefined;
  rows.forEach((row, i) => {
    const outs = clusters.map((g) => row.outputs[g[0]!.candidate.id]);
    if (outs.some((o) => o === undefined)) return;
    const writable = outs.filter((o) => o !== undefined && pinningTest(row.call, o, func) !== undefined);
    const distinct = new Set(writable).size;
    if (distinct < 2) return;
    const allValues = outs.every((o) => o !== undefined && isValueOutput(o));
    if (
      !best ||
      Number(allValues) > Number(best.allValues) ||
      (allValues === best.allValues && distinct > best.distinct)
    ) {
      best = { i, distinct, allValues };
    }
  });
  if (!best) return verdict;
  const row = rows[best.i]!;
  const options: VerdictChoice<T>['options'] = [];
  const seen = new Set<string>();
  for (const g of clusters) {
    const lead = g[0]!;
    const output = row.outputs[lead.candidate.id];
    if (output === undefined || seen.has(output)) continue;
    const test = pinningTest(row.call, output, func);
    if (!test) continue;
    seen.add(output);
    options.push({ candidate: lead.candidate, output, test });
    if (options.length >= MAX_OPTIONS) break;
  }
  const original = row.outputs[input.originalId];
  verdict.choice = { call: row.call, ...(original === undefined ? {} : { original }), options };
  return verdict;
}

/**
 * One candidate and too few tests to trust it: the input where it departs from the original outside the
 * tests (or the first grown one), so the user can confirm the answer before it is called fixed.
 */
export function confirmChoice<T extends Plausible>(
  candidate: T,
  originalId: string,
  probe: ProbeResponse | undefined,
  seeds: number,
): VerdictChoice<T> | undefined {
  if (!probe?.ok) return undefined;
  const func = probe.func ?? 'f';
  const grown = probe.inputs.slice(seeds);
  const row =
    grown.find(
      (r) =>
        r.outputs[candidate.id] !== r.outputs[originalId] &&
        pinningTest(r.call, r.outputs[candidate.id] ?? 'timeout', func),
    ) ??
    // where it departs nowhere, an input it answers with a value (not one it raises on, as the original does)
    grown.find(
      (r) =>
        isValueOutput(r.outputs[candidate.id] ?? 'timeout') &&
        pinningTest(r.call, r.outputs[candidate.id]!, func),
    ) ??
    grown.find((r) => pinningTest(r.call, r.outputs[candidate.id] ?? 'timeout', func));
  return row && askAbout(candidate, originalId, row, func);
}

/** The question of one candidate's answer at one input, when an assert can pin it. */
function askAbout<T extends Plausible>(
  candidate: T,
  originalId: string,
  row: ProbeInput,
  func: string,
): VerdictChoice<T> | undefined {
  const output = row.outputs[candidate.id];
  const test = output === undefined ? undefined : pinningTest(row.call, output, func);
  if (output === undefined || test === undefined) return undefined;
  const original = row.outputs[originalId];
  return {
    call: row.call,
    ...(original === undefined ? {} : { original }),
    options: [{ candidate, output, test }],
  };
}

/**
 * The question at an input on which the fix answers an infinity (or nan) where the original does not: a
 * starting value (`best = float('-inf')`) that no element ever replaced, handed back as the answer (for an
 * empty list, say). The tests passed, but that answer is seldom meant; the user is asked before it is
 * called fixed. Undefined when there is no such input, or no assert can pin the answer there.
 */
export function sentinelLeak<T extends Plausible>(
  candidate: T,
  originalId: string,
  probe: ProbeResponse | undefined,
): VerdictChoice<T> | undefined {
  if (!probe?.ok) return undefined;
  const row = probe.inputs.find((r) => {
    const mine = r.outputs[candidate.id];
    const orig = r.outputs[originalId];
    return (
      mine !== undefined &&
      isValueOutput(mine) &&
      hasInfinity(mine) &&
      !(orig !== undefined && hasInfinity(orig))
    );
  });
  return row && askAbout(candidate, originalId, row, probe.func ?? 'f');
}

/**
 * The fix answers one and the same value on every input grown from the tests while the original's answers
 * vary: it fits the tests' expected value rather than computing anything (`return 8` for a count).
 */
export function answersConstant(
  candidateId: string,
  originalId: string,
  probe: ProbeResponse | undefined,
): boolean {
  if (!probe?.ok) return false;
  const grown = probe.inputs.slice(probe.seeds);
  if (grown.length < 3) return false;
  const mine = new Set(grown.map((r) => r.outputs[candidateId]));
  const theirs = new Set(grown.map((r) => r.outputs[originalId]).filter((o) => o !== 'timeout'));
  return mine.size === 1 && theirs.size > 1;
}

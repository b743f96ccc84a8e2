/**
 * The one rule, for every front end, that tells the code from the asserts pasted under it: the web
 * chat's code box and chat pastes (through parsePaste) and the CLI's file (`tracefix fix buggy.py` with
 * no --tests) all call this, so the same file is split the same way wherever it is pasted.
 */
import { findEntryPoint, splitCodeAndTests } from './python-heuristics.ts';

export interface SplitSource {
  code: string;
  /** The tail of top-level asserts / test functions, when there is one. */
  tests?: string;
  entryPoint?: string;
}

export function splitPastedSource(source: string): SplitSource {
  const { code, tests } = splitCodeAndTests(source);
  const out: SplitSource = { code };
  if (tests.trim() !== '') out.tests = tests;
  const entryPoint = findEntryPoint(code, out.tests);
  if (entryPoint !== undefined) out.entryPoint = entryPoint;
  return out;
}

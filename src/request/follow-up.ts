/**
 * A reply in the thread of an answer is a follow-up, not a new paste, when it asks "why?" or only adds
 * tests ("try again with this test: ```assert f(3) == 4```"). A reply that brings code of its own (a
 * function that is not a test) is a new paste and goes through parsePaste instead.
 */
import type { Platform } from '../repair/types.ts';
import { splitFences } from './fences.ts';
import { platformText, stripCommand } from './platform-text.ts';

export type FollowUp = { kind: 'why' } | { kind: 'test'; tests: string };

const WHY = /^\s*(why|explain|how come)\b[^\n]{0,60}$/i;
const ASSERT_LINE = /^\s*assert\b/;
/** A function other than a test: the reply carries code, so it is a new paste. */
const CODE_DEF = /^\s*(?:async\s+)?def\s+(?!test_)\w+|^\s*class\s+\w+/m;

export function parseFollowUp(raw: string, platform: Platform): FollowUp | undefined {
  const text = stripCommand(platformText(raw, platform)).trim();
  if (text === '') return undefined;
  const { blocks, outside } = splitFences(text);
  const fenced = blocks.map((block) => block.content).filter((content) => content.trim() !== '');
  if (fenced.some((content) => CODE_DEF.test(content))) return undefined;
  const tests = fenced.filter((content) => ASSERT_LINE.test(content.split('\n').find((line) => line.trim() !== '') ?? '') || /^\s*def\s+test_/m.test(content));
  const loose = outside
    .split('\n')
    .filter((line) => ASSERT_LINE.test(line))
    .map((line) => line.trim());
  const all = [...tests.map((content) => content.trimEnd()), ...loose];
  if (all.length > 0) return { kind: 'test', tests: all.join('\n') };
  if (blocks.length === 0 && WHY.test(text)) return { kind: 'why' };
  return undefined;
}

/** The tests of a request with more appended (a chosen option's test, or a follow-up's asserts). */
export function appendTests(existing: string | undefined, added: string): string {
  const base = (existing ?? '').trimEnd();
  return base === '' ? added.trim() : `${base}\n${added.trim()}`;
}

/**
 * The JavaScript/TypeScript prompt (prompts/repair-js/v1): chosen for JS and TS requests only, and its
 * exemplars are real. Each exemplar's NExT trace is regenerated here from the product's JS runner
 * (QuickJS, in this process) and renderer and must match character for character; its failure lines
 * are what the engine writes for the same run; its buggy program fails the tests and the program in
 * its answer — read by the same parser the model's answers go through — passes them all.
 */
import { describe, expect, it } from 'vitest';
import type { TestResult } from '../../sandbox/protocol.ts';
import { analyseJsAnswer } from '../../src/model/parse-js.ts';
import { buildMessages, JS_PROMPT_VERSION, loadPrompt, PROMPT_VERSION, promptFor, renderPromptText, trainingMessages } from '../../src/model/prompt.ts';
import { failureLine } from '../../src/repair/stages/report.ts';
import { renderInline } from '../../src/trace/index.ts';
import { runnerMessages, traceOf } from '../contract/js-fixtures.ts';

const js = loadPrompt(JS_PROMPT_VERSION);

async function runTests(language: 'javascript' | 'typescript', programs: Record<string, string>, tests: string) {
  const messages = await runnerMessages({ mode: 'test', language, programs: Object.entries(programs).map(([id, source]) => ({ id, source })), tests });
  const cases = messages.flatMap((m) => (m.type === 'tests' ? m.tests : []));
  const results = messages.flatMap((m) => (m.type === 'result' ? [m.result] : []));
  const resultOf = (program: string, test: string): TestResult | undefined => results.find((r) => r.program === program && r.test === test);
  return {
    statuses: (program: string) => cases.map((c) => resultOf(program, c.id)?.status),
    // The lines the engine gives the model (src/repair/stages/report.ts failureLines, without its cap of 5).
    failures: (program: string) => cases.filter((c) => resultOf(program, c.id)?.status !== 'passed').map((c) => failureLine(c, resultOf(program, c.id))),
  };
}

describe('prompt choice by language', () => {
  it('answers JavaScript and TypeScript with the JS prompt, Python (or no language) with the Python one', () => {
    expect(js.id).toBe('repair-js-v1');
    expect(js.language).toBe('javascript');
    expect(promptFor('javascript').id).toBe(JS_PROMPT_VERSION);
    expect(promptFor('typescript').id).toBe(JS_PROMPT_VERSION);
    expect(promptFor('python').id).toBe(PROMPT_VERSION);
    expect(promptFor(undefined).id).toBe(PROMPT_VERSION);
    expect(loadPrompt().language).toBe('python');
  });

  it('puts JavaScript exemplars and ```js fences in front of a JS request, and Python ones in front of a Python request', () => {
    const jsText = renderPromptText(buildMessages({ language: 'javascript', program: 'function f(x) {\n  return x;\n}', failures: ['f(1): expected 2, got 1'], trace: 'function f(x) {  // (1) x=1;\n  return x;  // (3) __return__=1;\n}' }));
    expect(jsText).toContain('JavaScript and TypeScript debugging assistant');
    expect(jsText).toContain('countPositives');
    expect(jsText).toContain('```js\nfunction f(x) {');
    expect(jsText).toContain('// (k) name=value;');
    expect(jsText).not.toContain('count_vowels');
    expect(jsText).not.toContain('```python');

    const tsText = renderPromptText(buildMessages({ language: 'typescript', program: 'function f(x: number) {\n  return x;\n}', failures: ['f: failed'] }));
    expect(tsText).toContain('```ts\nfunction f(x: number) {');
    expect(tsText).toContain('give the complete fixed program in one ```ts block');

    const pyText = renderPromptText(buildMessages({ program: 'def f(x):\n    return x', failures: ['f(1) == 2: expected 2, got 1'] }));
    expect(pyText).toContain('count_vowels');
    expect(pyText).not.toContain('countPositives');
    expect(pyText).toContain('```python\ndef f(x):');
  });

  it('writes a fine-tuning answer for JS in a ```js block', () => {
    const messages = trainingMessages({ language: 'javascript', program: 'const f = (x) => x;', failures: [] }, { rationale: 'Return one more.', code: 'const f = (x) => x + 1;' });
    expect(messages.at(-1)?.content).toBe('Return one more.\n\n```js\nconst f = (x) => x + 1;\n```');
    expect(messages[0]?.content).toContain('JavaScript');
  });
});

describe('the JS exemplars are real', () => {
  it('has JS and TS exemplars, each with a trace', () => {
    expect(js.exemplars.length).toBeGreaterThanOrEqual(3);
    expect(new Set(js.exemplars.map((e) => e.input.language))).toEqual(new Set(['javascript', 'typescript']));
    for (const e of js.exemplars) expect(e.input.trace).toMatch(/\/\/ \(\d+\) /);
  });

  for (const exemplar of js.exemplars) {
    const input = exemplar.input;
    const language = input.language === 'typescript' ? 'typescript' : 'javascript';
    it(`${exemplar.id}: the trace is the tracer's, the failures the engine's, the fix passes`, async () => {
      const tests = input.tests ?? '';
      const trace = await traceOf(input.program, tests, { language });
      expect(renderInline(trace, input.program, { language }).text.trimEnd()).toBe(input.trace);

      const answer = analyseJsAnswer(exemplar.answer, { program: input.program });
      const noTrace = analyseJsAnswer(exemplar.answerNoTrace, { program: input.program });
      if (!answer.candidate || !noTrace.candidate) throw new Error(`${exemplar.id}: an answer does not parse`);
      expect(noTrace.candidate.code).toBe(answer.candidate.code);
      expect(answer.candidate.code).not.toBe(input.program);
      // The no-trace answer cannot cite steps it never saw.
      expect(exemplar.answerNoTrace).not.toMatch(/\bsteps? \d/);
      expect(exemplar.answer).toMatch(/\bsteps? \d/);

      const run = await runTests(language, { buggy: input.program, fixed: answer.candidate.code }, tests);
      expect(run.failures('buggy')).toEqual(input.failures);
      expect(input.failures.length).toBeGreaterThan(0);
      expect(run.statuses('fixed').every((s) => s === 'passed')).toBe(true);
      expect(run.statuses('fixed').length).toBeGreaterThanOrEqual(2);
    });
  }
});

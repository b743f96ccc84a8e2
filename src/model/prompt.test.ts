import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAnswer } from './parse.ts';
import { PROMPT_VERSION, buildMessages, divergenceNote, loadPrompt, renderAnswer, renderPromptText, renderTemplate, trainingMessages } from './prompt.ts';
import type { PromptInput } from './types.ts';
import { promptsReadme } from '../../tests/model/render-prompts-readme.ts';

const prompt = loadPrompt();

const python = spawnSync('python3', ['--version']).status === 0;
if (!python) console.warn('[skip] src/model/prompt.test.ts: running the exemplars needs python3, which is not on this machine');

/**
 * Runs each program against each test line with the machine's python3, in one process, and returns
 * for every program the indices of the test lines that fail.
 */
function failingTests(programs: string[], tests: string[]): number[][] {
  const dir = mkdtempSync(join(tmpdir(), 'tracefix-exemplar-'));
  try {
    const file = join(dir, 'check.py');
    writeFileSync(
      file,
      [
        'import json, sys',
        'data = json.load(sys.stdin)',
        'out = []',
        'for program in data["programs"]:',
        '    failed = []',
        '    for index, test in enumerate(data["tests"]):',
        '        scope = {}',
        '        try:',
        '            exec(program, scope)',
        '            exec(test, scope)',
        '        except Exception:',
        '            failed.append(index)',
        '    out.append(failed)',
        'print(json.dumps(out))',
      ].join('\n'),
    );
    const run = spawnSync('python3', [file], { input: JSON.stringify({ programs, tests }), timeout: 20_000, encoding: 'utf8' });
    return JSON.parse(run.stdout) as number[][];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('loadPrompt', () => {
  it('reads repair-v1 from prompts/, once', () => {
    expect(PROMPT_VERSION).toBe('repair-v1');
    expect(prompt.id).toBe('repair-v1');
    expect(prompt.dir).toMatch(/prompts\/repair\/v1\/$/);
    expect(loadPrompt('repair-v1')).toBe(prompt);
  });

  it('rejects unknown versions', () => {
    expect(() => loadPrompt('repair-v999')).toThrow();
    expect(() => loadPrompt('../../etc')).toThrow(/Unknown prompt version/);
  });
});

describe('the exemplars', () => {
  it('are three, with different bugs', () => {
    expect(prompt.exemplars.map((e) => e.bug)).toEqual([
      'off-by-one in a loop bound',
      'wrong variable returned',
      'missing guard for an empty input',
    ]);
  });

  it('carry NExT traces: arguments at (0), one step list per line, __return__ or __exception__', () => {
    for (const exemplar of prompt.exemplars) {
      const trace = exemplar.input.trace ?? '';
      const traceLines = trace.split('\n');
      expect(traceLines[0]).toMatch(/^def \w+\(.*\): {2}# \(0\) \w+=/);
      expect(trace).toMatch(/__(return|exception)__=/);
      // The trace is the program with comments added, line for line.
      const stripped = traceLines.map((line) => line.replace(/ {2}# \(\d+\).*$/, ''));
      expect(stripped.join('\n')).toBe(exemplar.input.program);
      // Steps rise down the rendering of every line.
      for (const line of traceLines) {
        const steps = Array.from(line.matchAll(/\((\d+)\)/g), (m) => Number(m[1]));
        expect([...steps].sort((a, b) => a - b)).toEqual(steps);
      }
    }
    expect(prompt.exemplars.some((e) => e.input.trace?.includes('...;'))).toBe(true);
  });

  it('answer in the required format: rationale citing the trace, then one python block that parses', () => {
    for (const exemplar of prompt.exemplars) {
      for (const [answer, citesSteps] of [
        [exemplar.answer, true],
        [exemplar.answerNoTrace, false],
      ] as const) {
        expect(answer.match(/```python\n/g)).toHaveLength(1);
        expect(answer.trimEnd().endsWith('```')).toBe(true);
        const candidate = parseAnswer(answer, { program: exemplar.input.program });
        expect(candidate).not.toBeNull();
        expect(candidate?.code).not.toBe(exemplar.input.program);
        expect(/step \d+/.test(candidate?.rationale ?? '')).toBe(citesSteps);
      }
    }
  });

  it.runIf(python)('really are bugs, the failures are listed right, and the fixes pass (python3)', () => {
    for (const exemplar of prompt.exemplars) {
      const tests = (exemplar.input.tests ?? '').split('\n').filter((line) => line.trim() !== '');
      const fixes = [exemplar.answer, exemplar.answerNoTrace].map((answer) => parseAnswer(answer, { program: exemplar.input.program })?.code ?? '');
      const [buggy, ...fixed] = failingTests([exemplar.input.program, ...fixes], tests);
      expect(buggy?.map((index) => tests[index]), exemplar.id).toEqual(exemplar.input.failures.map((f) => /^(assert .*?): (expected|\w+Error)/.exec(f)?.[1]));
      expect(fixed, exemplar.id).toEqual([[], []]);
    }
  });
});

describe('prompts/README.md', () => {
  it('is up to date with the prompt files (npx tsx tests/model/render-prompts-readme.ts)', () => {
    const readme = readFileSync(join(prompt.dir, '..', '..', 'README.md'), 'utf8');
    expect(readme).toBe(promptsReadme(prompt));
  });
});

const INPUT: PromptInput = {
  description: 'Add up 1..n.',
  program: 'def f(n):\n    return sum(range(n))\n',
  tests: 'assert f(3) == 6',
  failures: ['assert f(3) == 6: expected 6, got 3'],
  trace: 'def f(n):  # (0) n=3\n    return sum(range(n))  # (2) __return__=3',
};

describe('buildMessages', () => {
  it('system, three exemplar turns, then the request with every section', () => {
    const messages = buildMessages(INPUT, prompt);
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant', 'user', 'assistant', 'user']);
    const request = messages.at(-1)?.content ?? '';
    for (const part of ['## Task\n\nAdd up 1..n.', INPUT.program.trim(), 'assert f(3) == 6', '- assert f(3) == 6: expected 6, got 3', INPUT.trace ?? '']) {
      expect(request).toContain(part);
    }
    expect(request.indexOf('## Program')).toBeLessThan(request.indexOf('## Tests'));
    expect(request.indexOf('## Failing tests')).toBeLessThan(request.indexOf('## Execution trace'));
    expect(request).not.toContain('{{');
    expect(messages[0]?.content).toContain('NExT format');
    expect(messages[2]?.content).toBe(prompt.exemplars[0]?.answer);
  });

  it('leaves out sections that have no content', () => {
    const request = buildMessages({ program: 'x = 1', failures: ['boom'] }, prompt, { exemplars: false }).at(-1)?.content ?? '';
    expect(request).not.toContain('## Task');
    expect(request).not.toContain('## Tests');
    expect(request).not.toMatch(/\n{3,}/);
  });

  it('--no-trace: no trace anywhere, exemplars included, and no-trace exemplar answers', () => {
    const { trace: _trace, ...withoutTrace } = INPUT;
    const messages = buildMessages(withoutTrace, prompt);
    const all = renderPromptText(messages);
    expect(all).not.toMatch(/# \(\d+\)/);
    expect(all).not.toContain('__return__');
    expect(all).not.toMatch(/\btrace\b/i);
    expect(messages[2]?.content).toBe(prompt.exemplars[0]?.answerNoTrace);
    // Same prompt otherwise: the request differs from the traced one only by the trace section.
    const traced = buildMessages(INPUT, prompt).at(-1)?.content ?? '';
    expect(traced.replace(/## Execution trace[\s\S]*?```\n\n/, '').replace(/ by walking through the trace/, '')).toBe(messages.at(-1)?.content);
  });

  it('second round: the earlier attempt, its failures and its trace', () => {
    const previousAttempt = { program: 'def f(n):\n    return sum(range(n + 2))', failures: ['assert f(3) == 6: expected 6, got 10'], trace: 'TRACE-OF-ATTEMPT' };
    const request = buildMessages({ ...INPUT, previousAttempt }, prompt).at(-1)?.content ?? '';
    expect(request).toContain('## An earlier fix that still fails');
    expect(request).toContain('return sum(range(n + 2))');
    expect(request).toContain('- assert f(3) == 6: expected 6, got 10');
    expect(request).toContain('TRACE-OF-ATTEMPT');
    const { trace: _t, ...noTrace } = previousAttempt;
    expect(buildMessages({ ...INPUT, previousAttempt: noTrace }, prompt).at(-1)?.content).not.toContain('Its execution trace');
  });

  it('never expands placeholders that appear in user text', () => {
    const request = buildMessages({ ...INPUT, program: 'print("{{trace}} {{#has_trace}}")' }, prompt).at(-1)?.content ?? '';
    expect(request).toContain('print("{{trace}} {{#has_trace}}")');
  });

  it('normalises CRLF in user code', () => {
    const request = buildMessages({ ...INPUT, program: 'a = 1\r\nb = 2\r\n' }, prompt).at(-1)?.content ?? '';
    expect(request).toContain('a = 1\nb = 2\n```');
  });

  it('can leave the exemplars out (fine-tuning records)', () => {
    expect(buildMessages(INPUT, prompt, { exemplars: false }).map((m) => m.role)).toEqual(['system', 'user']);
  });
});

describe('renderPromptText and renderAnswer', () => {
  it('marks each role and is deterministic', () => {
    const text = renderPromptText(buildMessages(INPUT, prompt));
    expect(text.startsWith('<|system|>\nYou are tracefix')).toBe(true);
    expect(text.match(/^<\|(system|user|assistant)\|>$/gm)).toHaveLength(8);
    expect(renderPromptText(buildMessages(INPUT, prompt))).toBe(text);
  });

  it('renders a candidate in the answer format, round-tripping through the parser', () => {
    const candidate = { rationale: 'Because.', code: 'def f(n):\n    return "```" * n\n' };
    const answer = renderAnswer(candidate);
    expect(answer.startsWith('Because.\n\n````python\n')).toBe(true);
    expect(parseAnswer(answer, { program: INPUT.program })).toEqual(candidate);
  });

  it('trainingMessages: the request without exemplars, then the answer', () => {
    const messages = trainingMessages(INPUT, 'Because.\r\n```python\nx\n```\r\n');
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant']);
    expect(messages[1]?.content).toBe(buildMessages(INPUT, prompt).at(-1)?.content);
    expect(messages[2]?.content).toBe('Because.\n```python\nx\n```');
    expect(trainingMessages(INPUT, { rationale: 'R', code: 'x = 1\n' })[2]?.content).toBe('R\n\n```python\nx = 1\n```');
  });

  it('renderTemplate rejects unknown names', () => {
    expect(() => renderTemplate('{{nope}}', {})).toThrow(/unknown value/);
    expect(() => renderTemplate('{{#nope}}x{{/nope}}', {})).toThrow(/unknown flag/);
  });
});

describe('divergenceNote', () => {
  it('puts where the earlier attempt parted from the original into the second round\'s prompt', () => {
    const note = divergenceNote({
      testName: 'assert f([1, -2]) == [1]',
      step: 6,
      original: { line: 2, vars: { x: '4' } },
      fixed: { line: 2, vars: { x: '-3', y: 'x'.repeat(100) } },
    });
    expect(note).toBe(
      `On \`assert f([1, -2]) == [1]\` the attempt's trace departs from the original's at step (6): the original ran line 2 (x=4), the attempt ran line 2 (x=-3, y=${'x'.repeat(59)}…).`,
    );
    const input: PromptInput = {
      program: 'def f(xs):\n    return xs\n',
      failures: ['t0: failed'],
      previousAttempt: { program: 'def f(xs):\n    return xs[:1]\n', failures: ['t0: failed', note] },
    };
    const user = buildMessages(input, prompt).at(-1)!.content;
    expect(user).toContain(`- ${note}`);
  });
});

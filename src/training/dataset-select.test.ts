/**
 * The pure parts of the dataset: which interaction becomes an example, what the example holds, how
 * duplicates are recognised, and the files and summary a build produces. (dataset.test.ts runs the
 * whole build against a real store.)
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sampleInteraction, sampleResult } from '../../tests/fixtures/store-contract.ts';
import type { FeedbackEvent, Interaction } from '../feedback/types.ts';
import { buildMessages, renderAnswer, renderPromptText } from '../model/prompt.ts';
import {
  exampleKey,
  fixPassedAllTests,
  heldOutJsonl,
  isHeldOut,
  netUpvotes,
  normaliseCode,
  parsePromptText,
  promptInputOf,
  selectExample,
  summariseBuild,
  trainingJsonl,
  writeDataset,
  type DatasetBuild,
  type DatasetExample,
} from './dataset.ts';

const vote = (user: string, v: FeedbackEvent['vote']): FeedbackEvent => ({ user, vote: v, at: 1, source: 'reaction' });

function interaction(overrides: Partial<Interaction> = {}): Interaction {
  return { ...sampleInteraction('i1'), createdAt: 5, feedback: [vote('A', 'up')], ...overrides };
}

function example(selected: ReturnType<typeof selectExample>): Omit<DatasetExample, 'heldOut'> {
  if (!('example' in selected)) throw new Error(`dropped: ${selected.reason}`);
  return selected.example;
}

describe('netUpvotes', () => {
  it('counts up as +1, down as -1 and a withdrawn vote as 0', () => {
    expect(netUpvotes(interaction({ feedback: [] }))).toBe(0);
    expect(netUpvotes(interaction({ feedback: [vote('A', 'up'), vote('B', 'up'), vote('C', 'down')] }))).toBe(1);
    expect(netUpvotes(interaction({ feedback: [vote('A', 'down'), vote('B', 'down')] }))).toBe(-2);
    expect(netUpvotes(interaction({ feedback: [vote('A', null), vote('B', 'up')] }))).toBe(1);
    expect(netUpvotes(interaction({ feedback: [vote('A', null)] }))).toBe(0);
  });
});

describe('fixPassedAllTests', () => {
  const rows = (...after: ('passed' | 'failed' | 'error')[]) => after.map((a, i) => ({ id: `t${i}`, name: `t${i}`, before: 'failed' as const, after: a }));

  it('needs a fixed status, a fix, at least one test, and every test passing after', () => {
    expect(fixPassedAllTests(interaction({ result: sampleResult({ tests: rows('passed', 'passed') }) }))).toBe(true);
    expect(fixPassedAllTests(interaction({ result: sampleResult({ status: 'partly_fixed', tests: rows('passed') }) }))).toBe(false);
    expect(fixPassedAllTests(interaction({ result: { ...sampleResult({ tests: rows('passed') }), fixedCode: undefined } as never }))).toBe(false);
    expect(fixPassedAllTests(interaction({ result: sampleResult({ tests: [] }) }))).toBe(false);
    expect(fixPassedAllTests(interaction({ result: sampleResult({ tests: rows('passed', 'failed') }) }))).toBe(false);
    expect(fixPassedAllTests(interaction({ result: sampleResult({ tests: rows('failed', 'passed') }) }))).toBe(false);
  });
});

describe('normaliseCode and exampleKey', () => {
  it('drops comments, blank lines, trailing blanks and CR, and measures indentation with tabs as four spaces', () => {
    expect(normaliseCode('def f(x):  # the function\r\n\r\n\treturn  x +  1   \r\n')).toBe('0:def f(x):\n4:return x + 1');
    expect(normaliseCode('a = 1\rb = 2')).toBe('0:a = 1\n0:b = 2');
    expect(normaliseCode('# only a comment\n   \n')).toBe('');
    expect(normaliseCode('    x = 1\n')).toBe('4:x = 1');
  });

  it('keeps a # inside a string, and the text around it', () => {
    expect(normaliseCode('s = "#not a comment"  # but this is')).toBe('0:s = "#not a comment"');
    expect(normaliseCode("print('a # b')")).toBe("0:print('a # b')");
    expect(normaliseCode('x = 1# glued')).toBe('0:x = 1# glued');
  });

  it('gives the same key to the same code and fix written differently, and a different one otherwise', () => {
    const key = exampleKey('def f():\n    return 1\n', 'def f():\n    return 2\n');
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(exampleKey('def f():  # c\n\n    return 1', 'def f():\n    return 2  # fixed\n')).toBe(key);
    expect(exampleKey('def f():\n    return 2\n', 'def f():\n    return 1\n')).not.toBe(key);
    // Code and fix are kept apart: moving a line from one to the other is another example.
    expect(exampleKey('a = 1\nb = 2', 'c = 3')).not.toBe(exampleKey('a = 1', 'b = 2\nc = 3'));
  });
});

describe('isHeldOut', () => {
  it('compares the key’s first 32 bits, as a fraction of 2^32, strictly below the fraction', () => {
    expect(isHeldOut('00000000ffff', 0)).toBe(false);
    expect(isHeldOut('00000000ffff', 0.000001)).toBe(true);
    expect(isHeldOut('80000000', 0.5)).toBe(false);
    expect(isHeldOut('7fffffff', 0.5)).toBe(true);
    expect(isHeldOut('ffffffff', 1)).toBe(true);
    expect(isHeldOut('ffffffff', 0.99)).toBe(false);
  });
});

describe('parsePromptText', () => {
  it('reads back what renderPromptText wrote, ending on the user turn', () => {
    const messages = buildMessages({ program: 'def f():\n    return 1\n', failures: ['f() == 2: 1 != 2'] });
    expect(parsePromptText(renderPromptText(messages))).toEqual(messages);
    expect(parsePromptText('<|system|>\nBe brief.\n\n<|user|>\nFix it.')).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Fix it.' },
    ]);
    expect(parsePromptText('<|user|>\nonly\n\nturn\n')).toEqual([{ role: 'user', content: 'only\n\nturn\n' }]);
  });

  it('refuses text that is not in that format', () => {
    expect(parsePromptText('plain prompt')).toBeUndefined();
    expect(parsePromptText('preamble\n<|user|>\nFix it.')).toBeUndefined();
    expect(parsePromptText('   \n<|user|>\nFix it.')).toEqual([{ role: 'user', content: 'Fix it.' }]);
    // A role marker must start a line.
    expect(parsePromptText('x <|user|>\nFix it.')).toBeUndefined();
    // The last turn must be the user's: an answer is not a prompt.
    expect(parsePromptText('<|user|>\nFix it.\n\n<|assistant|>\nDone.')).toBeUndefined();
  });
});

describe('promptInputOf', () => {
  it('rebuilds the engine’s prompt inputs: the program, the failing tests with their detail, tests, description, trace', () => {
    const input = promptInputOf(
      interaction({
        request: { code: 'CODE', tests: 'TESTS', description: 'DESC' },
        result: sampleResult({
          tests: [
            { id: 'a', name: 'test_a', before: 'failed', after: 'passed', detail: 'expected 3, got -1' },
            { id: 'b', name: 'test_b', before: 'passed', after: 'passed' },
            { id: 'c', name: 'test_c', before: 'error', after: 'passed' },
          ],
          trace: { testName: 'test_a', rendered: 'TRACE', excerpt: '', truncated: false },
        }),
      }),
    );
    expect(input).toEqual({ program: 'CODE', failures: ['test_a: expected 3, got -1', 'test_c: failed'], tests: 'TESTS', description: 'DESC', trace: 'TRACE' });
  });

  it('leaves out what the interaction does not have', () => {
    const input = promptInputOf(interaction({ request: { code: 'CODE' }, result: sampleResult({ tests: [] }) }));
    expect(input).toEqual({ program: 'CODE', failures: [] });
    expect(Object.keys(input)).toEqual(['program', 'failures']);
  });
});

describe('selectExample', () => {
  it('drops answers without net 👍, without a fix, or whose fix failed, in that order', () => {
    expect(selectExample(interaction({ feedback: [] }))).toEqual({ reason: 'not_upvoted' });
    expect(selectExample(interaction({ feedback: [vote('A', 'up'), vote('B', 'down')] }))).toEqual({ reason: 'not_upvoted' });
    expect(selectExample(interaction({ feedback: [], result: sampleResult({ fixedCode: '' }) }))).toEqual({ reason: 'not_upvoted' });
    expect(selectExample(interaction({ result: sampleResult({ fixedCode: '  \n' }) }))).toEqual({ reason: 'no_fix' });
    expect(selectExample(interaction({ result: { ...sampleResult(), fixedCode: undefined } as never }))).toEqual({ reason: 'no_fix' });
    expect(selectExample(interaction({ result: sampleResult({ status: 'not_fixed' }) }))).toEqual({ reason: 'fix_failed_tests' });
  });

  it('keeps the stored prompt turn by turn, then the answer (rationale and fix)', () => {
    const prompt = '<|system|>\nS\n\n<|user|>\nU';
    const kept = example(selectExample(interaction({ prompt, result: sampleResult({ rationale: 'Because.', fixedCode: 'def f():\n    return 2\n' }) })));
    expect(kept.messages).toEqual([
      { role: 'system', content: 'S' },
      { role: 'user', content: 'U' },
      { role: 'assistant', content: renderAnswer({ rationale: 'Because.', code: 'def f():\n    return 2\n' }) },
    ]);
  });

  it('keeps a prompt in another format verbatim as one user turn, and uses the summary when there is no rationale', () => {
    const kept = example(selectExample(interaction({ prompt: 'free text', result: { ...sampleResult({ summary: 'Fixed it.' }), rationale: undefined } as never })));
    expect(kept.messages.slice(0, -1)).toEqual([{ role: 'user', content: 'free text' }]);
    expect(kept.messages.at(-1)?.content).toMatch(/^Fixed it\.\n\n```python\n/);
  });

  it('rebuilds the prompt from the request when no model wrote the fix', () => {
    const { prompt: _, ...withoutPrompt } = interaction();
    const kept = example(selectExample(withoutPrompt));
    expect(kept.messages.slice(0, -1)).toEqual(buildMessages(promptInputOf(withoutPrompt as Interaction)));
  });

  it('describes the held-out task: id from the key, the buggy code, tests, entry point, description, language', () => {
    const base = interaction({ request: { code: 'def f():\n    return 1\n', tests: 'assert f() == 2', entryPoint: 'f', description: 'return 2', language: 'python' } });
    const kept = example(selectExample(base));
    expect(kept.key).toBe(exampleKey('def f():\n    return 1\n', base.result.fixedCode ?? ''));
    expect(kept.interactionId).toBe('i1');
    expect(kept.createdAt).toBe(5);
    expect(kept.task).toEqual({
      task_id: kept.key.slice(0, 16),
      buggy_solution: 'def f():\n    return 1\n',
      test: 'assert f() == 2',
      entry_point: 'f',
      description: 'return 2',
      reference_fix: base.result.fixedCode,
      language: 'python',
    });
    const bare = example(selectExample(interaction({ request: { code: 'x = 1' } })));
    expect(bare.task).toEqual({ task_id: bare.key.slice(0, 16), buggy_solution: 'x = 1', test: '', reference_fix: bare.task.reference_fix });
  });
});

describe('the files and the summary of a build', () => {
  const kept = (id: string, heldOut: boolean): DatasetExample => ({
    ...example(selectExample(interaction({ id, request: { code: `x = ${id}` } }))),
    heldOut,
  });

  it('writes one JSON object per line: messages for training, messages and task for the held-out slice', () => {
    const a = kept('1', false);
    const b = kept('2', true);
    expect(trainingJsonl([])).toBe('');
    expect(heldOutJsonl([])).toBe('');
    expect(trainingJsonl([a, a])).toBe(`${JSON.stringify({ messages: a.messages })}\n${JSON.stringify({ messages: a.messages })}\n`);
    expect(heldOutJsonl([b])).toBe(`${JSON.stringify({ messages: b.messages, task: b.task })}\n`);
  });

  it('writes the held-out file next to the training file, private to the owner, in a folder it makes', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tracefix-dataset-files-'));
    try {
      const build: DatasetBuild = { considered: 2, train: [kept('1', false)], heldOut: [kept('2', true)], dropped: {}, scrubbed: {}, cursor: undefined };
      const written = await writeDataset(build, path.join(dir, 'new', 'train.jsonl'));
      expect(written).toEqual({ trainPath: path.join(dir, 'new', 'train.jsonl'), heldOutPath: path.join(dir, 'new', 'train.heldout.jsonl') });
      expect(await readFile(written.trainPath, 'utf8')).toBe(trainingJsonl(build.train));
      expect(await readFile(written.heldOutPath, 'utf8')).toBe(heldOutJsonl(build.heldOut));
      expect((await stat(written.trainPath)).mode & 0o777).toBe(0o600);
      expect((await stat(written.heldOutPath)).mode & 0o777).toBe(0o600);
      const bare = await writeDataset(build, path.join(dir, 'data'));
      expect(bare.heldOutPath).toBe(path.join(dir, 'data.heldout.jsonl'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('summarises counts, drop reasons (most frequent first) and scrubbed kinds', () => {
    const build: DatasetBuild = {
      considered: 9,
      train: [kept('1', false), kept('2', false)],
      heldOut: [kept('3', true)],
      dropped: { duplicate: 1, not_upvoted: 4, before_since: 2, no_fix: 1 },
      scrubbed: { api_key: 2, email: 1 } as never,
      cursor: undefined,
    };
    expect(summariseBuild(build)).toBe(
      [
        'Considered 9 interaction(s); kept 3 (2 training, 1 held out).',
        'Dropped:',
        '      4  no net 👍',
        '      2  older than --since',
        '      1  near-duplicate of a kept example',
        '      1  no fix in the answer',
        'Scrubbed from kept examples:',
        '      2  api key',
        '      1  email',
      ].join('\n'),
    );
    expect(summariseBuild({ ...build, dropped: { fix_failed_tests: 1 }, scrubbed: {} })).toBe(
      'Considered 9 interaction(s); kept 3 (2 training, 1 held out).\nDropped:\n      1  fix did not pass all tests',
    );
    expect(summariseBuild({ ...build, dropped: {}, scrubbed: {} })).toBe('Considered 9 interaction(s); kept 3 (2 training, 1 held out).');
  });
});

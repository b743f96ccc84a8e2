import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMessages, renderPromptText } from '../model/prompt.ts';
import { sampleInteraction, sampleResult } from '../../tests/fixtures/store-contract.ts';
import { createFeedbackStore, type KeyvFeedbackStore } from '../feedback/store.ts';
import type { Interaction } from '../feedback/types.ts';
import { buildDataset, exampleKey, isHeldOut, parsePromptText, selectExample, summariseBuild, writeDataset } from './dataset.ts';
import { taskFromHeldOut } from './tasks.ts';

let dir: string;
let store: KeyvFeedbackStore;

const SECRET_CODE = 'API = "sk-proj-abcdefghijklmnop1234"\ndef add(a, b):\n    return a - b  # contact: jane.doe@example.com\n';
const FIX = 'API = "sk-proj-abcdefghijklmnop1234"\ndef add(a, b):\n    return a + b\n';

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tracefix-dataset-'));
  store = await createFeedbackStore({ url: `sqlite://${dir}/f.sqlite`, retentionDays: 30, dataDir: dir });
  const promptText = renderPromptText(buildMessages({ program: SECRET_CODE, tests: 'assert add(1, 2) == 3', failures: ['assert add(1, 2) == 3: -1 != 3'] }));
  const up = async (id: string, users: string[], vote: 'up' | 'down' = 'up') => {
    for (const [i, user] of users.entries()) await store.vote(id, { user, vote, at: 1000 + i, source: 'reaction' });
  };
  // kept: passing fix, net 👍, model prompt stored (with a secret inside)
  await store.record({ ...sampleInteraction('keep'), request: { code: SECRET_CODE, tests: 'assert add(1, 2) == 3' }, result: sampleResult({ fixedCode: FIX, rationale: 'At (1) a - b gives -1; jane.doe@example.com' }), prompt: promptText });
  await up('keep', ['A', 'B']);
  // dropped: 👍 but the fix failed a test
  await store.record({ ...sampleInteraction('failing'), result: sampleResult({ status: 'partly_fixed', tests: [{ id: 't1', name: 't1', before: 'failed', after: 'failed' }] }) });
  await up('failing', ['A']);
  // dropped: no votes
  await store.record(sampleInteraction('silent'));
  // dropped: one up, one down
  await store.record(sampleInteraction('split'));
  await up('split', ['A']);
  await up('split', ['B'], 'down');
  // dropped: the same code and fix as "keep", comments aside
  await store.record({ ...sampleInteraction('dup'), request: { code: SECRET_CODE.replace('# contact', '# note'), tests: 'x' }, result: sampleResult({ fixedCode: FIX + '\n# done\n' }), prompt: promptText });
  await up('dup', ['C']);
  // kept: a search fix (no model prompt): the prompt is rebuilt from request + trace
  await store.record({
    ...sampleInteraction('search'),
    prompt: undefined as never,
    result: sampleResult({ trace: { testName: 't1', rendered: 'def f(xs):  # (0) xs=[1, 2]\n    return sum(xs[1:])  # (1) __return__=2', excerpt: '', truncated: false } }),
  });
  await up('search', ['A']);
});

afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('buildDataset', () => {
  it('keeps only net-👍 answers whose fix passed every test, and says why the rest were dropped', async () => {
    const build = await buildDataset(store, { heldOutFraction: 0 });
    expect(build.considered).toBe(6);
    expect(build.train.map((e) => e.interactionId).sort()).toEqual(['keep', 'search']);
    expect(build.dropped).toEqual({ fix_failed_tests: 1, not_upvoted: 2, duplicate: 1 });
    const summary = summariseBuild(build);
    expect(summary).toContain('kept 2');
    expect(summary).toMatch(/2\s+no net 👍/);
  });

  it('writes the prompt exactly as the model saw it and the answer, with secrets and emails scrubbed', async () => {
    const build = await buildDataset(store, { heldOutFraction: 0 });
    const keep = build.train.find((e) => e.interactionId === 'keep');
    const stored = await store.get('keep');
    const expected = parsePromptText(stored?.prompt ?? '');
    expect(keep?.messages.slice(0, -1).map((m) => m.role)).toEqual(expected?.map((m) => m.role));
    expect(keep?.messages.at(-1)?.role).toBe('assistant');
    expect(keep?.messages.at(-1)?.content).toContain('```python\nAPI = "[REDACTED_API_KEY]"');
    const out = path.join(dir, 'out', 'train.jsonl');
    const written = await writeDataset(build, out);
    const text = await readFile(written.trainPath, 'utf8');
    expect(text).not.toContain('sk-proj-abcdefghijklmnop1234');
    expect(text).not.toContain('jane.doe@example.com');
    expect(build.scrubbed.openai_key).toBeGreaterThan(0);
    for (const line of text.trim().split('\n')) expect(Object.keys(JSON.parse(line) as object)).toEqual(['messages']);
    const search = build.train.find((e) => e.interactionId === 'search');
    expect(search?.messages.at(-2)?.content).toContain('__return__=2');
  });

  it('holds out everything at fraction 1, with the task the gate needs, and continues from a cursor', async () => {
    const all = await buildDataset(store, { heldOutFraction: 1 });
    expect(all.train).toEqual([]);
    expect(all.heldOut).toHaveLength(2);
    expect(all.heldOut[0]?.task.test).toBeTruthy();
    const later = await buildDataset(store, { cursor: all.cursor });
    expect(later.considered).toBe(0);
  });

  it('drops what was recorded before --since, and counts it', async () => {
    const all = await buildDataset(store, { heldOutFraction: 0 });
    const times = (await store.listSince(undefined, 100)).items.map((i) => i.createdAt).sort((a, b) => a - b);
    const none = await buildDataset(store, { since: (times.at(-1) ?? 0) + 1 });
    expect(none.dropped).toEqual({ before_since: 6 });
    expect([...none.train, ...none.heldOut]).toEqual([]);
    const from = await buildDataset(store, { since: times[0] ?? 0, heldOutFraction: 0 });
    expect(from.train.map((e) => e.key)).toEqual(all.train.map((e) => e.key));
    expect(from.dropped.before_since).toBeUndefined();
  });

  it('reads every page of a long listing', async () => {
    const many = await createFeedbackStore({ url: `sqlite://${dir}/many.sqlite`, retentionDays: 30, dataDir: dir });
    try {
      for (let i = 0; i < 205; i++) {
        await many.record({ ...sampleInteraction(`p${i}`), request: { code: `x = ${i}`, tests: 'assert x' }, result: sampleResult({ fixedCode: `x = ${i + 1}` }) });
        await many.vote(`p${i}`, { user: 'A', vote: 'up', at: 1, source: 'reaction' });
      }
      const build = await buildDataset(many, { heldOutFraction: 0 });
      expect(build.considered).toBe(205);
      expect(build.train).toHaveLength(205);
      expect((await buildDataset(many, { cursor: build.cursor })).considered).toBe(0);
    } finally {
      await many.close();
    }
  });

  it('splits the same way in every build: train and held-out are disjoint and cover every kept example', async () => {
    const sides = async (fraction: number) => {
      const build = await buildDataset(store, { heldOutFraction: fraction });
      return { train: build.train.map((e) => e.key), heldOut: build.heldOut.map((e) => e.key) };
    };
    for (const fraction of [0, 0.3, 0.5, 0.7, 1]) {
      const first = await sides(fraction);
      expect(await sides(fraction)).toEqual(first);
      expect(first.train.filter((k) => first.heldOut.includes(k))).toEqual([]);
      expect([...first.train, ...first.heldOut].sort()).toHaveLength(2);
      for (const key of first.heldOut) expect(isHeldOut(key, fraction)).toBe(true);
      for (const key of first.train) expect(isHeldOut(key, fraction)).toBe(false);
    }
  });

  it('keeps the language of a JavaScript answer, so the gate runs its held-out task in the JS runner', () => {
    const voted = (interaction: Omit<Interaction, 'createdAt' | 'feedback'>): Interaction => ({
      ...interaction,
      createdAt: 1,
      feedback: [{ user: 'A', vote: 'up', at: 1, source: 'reaction' }],
    });
    const js = voted({
      ...sampleInteraction('js'),
      request: { code: 'function add(a, b) {\n  return a - b;\n}\n', tests: 'console.assert(add(1, 2) === 3);', language: 'javascript' },
      result: sampleResult({ fixedCode: 'function add(a, b) {\n  return a + b;\n}\n' }),
    });
    const selected = selectExample(js);
    if (!('example' in selected)) throw new Error(`dropped: ${selected.reason}`);
    expect(selected.example.task.language).toBe('javascript');
    expect(taskFromHeldOut(selected.example.task).language).toBe('javascript');
    // Python answers carry no language: absent means Python everywhere.
    const py = selectExample(voted({ ...sampleInteraction('py'), result: sampleResult({ fixedCode: FIX }) }));
    if (!('example' in py)) throw new Error(`dropped: ${py.reason}`);
    expect(py.example.task).not.toHaveProperty('language');
  });

  it('reads back the prompt text format', () => {
    const messages = buildMessages({ program: 'x = 1\n\n\ny = 2', failures: [] });
    expect(parsePromptText(renderPromptText(messages))).toEqual(messages);
  });
});

describe('isHeldOut', () => {
  // 20,000 distinct examples, keyed as buildDataset keys them.
  const keys = Array.from({ length: 20_000 }, (_, i) => exampleKey(`def f(x):\n    return x - ${i}\n`, `def f(x):\n    return x + ${i}\n`));

  it('holds out the configured fraction', () => {
    for (const fraction of [0.05, 0.1, 0.25, 0.5]) {
      const share = keys.filter((key) => isHeldOut(key, fraction)).length / keys.length;
      // binomial standard deviation at n = 20,000 is at most 0.0036: 4 of them
      expect(Math.abs(share - fraction)).toBeLessThan(0.015);
    }
    expect(keys.some((key) => isHeldOut(key, 0))).toBe(false);
    expect(keys.every((key) => isHeldOut(key, 1))).toBe(true);
  });

  it('is deterministic and nested: raising the fraction only moves examples from training to held-out', () => {
    const at = (fraction: number) => new Set(keys.filter((key) => isHeldOut(key, fraction)));
    expect(at(0.1)).toEqual(at(0.1));
    const small = at(0.1);
    const large = at(0.2);
    for (const key of small) expect(large.has(key)).toBe(true);
    // the same example text gives the same key, so the same side, in any later build
    expect(exampleKey('def f(x):\n    return x - 7\n', 'def f(x):\n    return x + 7\n')).toBe(keys[7]);
  });
});

/**
 * The JavaScript/TypeScript bug set (tests/repair/js-bugs/js-bugs.jsonl, written by build.py) holds
 * what the shared data sets promise: every canonical solution passes its hidden tests, every buggy
 * one fails them. Run through the JS runner in this process (user code still only inside QuickJS).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/eval/dataset.ts';
import { runnerMessages } from '../contract/js-fixtures.ts';

const PATH = fileURLToPath(new URL('./js-bugs/js-bugs.jsonl', import.meta.url));

async function statuses(source: string, tests: string, language: string): Promise<string[]> {
  const messages = await runnerMessages({ mode: 'test', language, programs: [{ id: 'p', source }], tests });
  return messages.flatMap((m) => (m.type === 'result' ? [m.result.status] : []));
}

describe('js-bugs data set', async () => {
  const tasks = await loadDataset(PATH);

  it('has at least 40 varied tasks in both languages', () => {
    expect(tasks.length).toBeGreaterThanOrEqual(40);
    expect(new Set(tasks.map((t) => t.language))).toEqual(new Set(['javascript', 'typescript']));
    expect(new Set(tasks.map((t) => t.bug_type)).size).toBeGreaterThanOrEqual(10);
  });

  for (const task of tasks) {
    it(`${task.task_id}: canonical passes the hidden tests, buggy fails them`, async () => {
      const canonical = String(task['canonical_solution']);
      const good = await statuses(canonical, task.test, task.language ?? 'javascript');
      expect(good.length).toBeGreaterThan(0);
      expect(good.every((s) => s === 'passed')).toBe(true);
      const bad = await statuses(task.buggy_solution, task.test, task.language ?? 'javascript');
      expect(bad.some((s) => s !== 'passed')).toBe(true);
    });
  }
});

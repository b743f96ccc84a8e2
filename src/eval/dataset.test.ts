import { describe, expect, it } from 'vitest';
import { judgedProgram, requestFor, type Task } from './dataset.ts';

describe('requestFor', () => {
  it('freezes the prompt of a body-only task and shows its test', () => {
    const task: Task = { task_id: 'Python/0', prompt: 'def f(x):\n    """doc"""\n', buggy_solution: '    return x\n', test: 'check(f)\n', entry_point: 'f' };
    const request = requestFor(task, 'r1');
    expect(request).toMatchObject({ id: 'r1', code: '    return x\n', frozenPrefix: task.prompt, tests: 'check(f)\n', entryPoint: 'f', origin: { platform: 'eval' } });
    expect(judgedProgram(task, request, '    return x + 1\n')).toBe(task.prompt + '    return x + 1\n');
  });

  it('pastes a whole-function task as is and shows only its given tests', () => {
    const task: Task = { task_id: 'MBPP/1', prompt: 'def g(x):\n    """doc"""\n', buggy_solution: 'def g(x):\n    return x\n', test: 'hidden\n', given_tests: ['assert g(1) == 2', 'assert g(2) == 3'] };
    const request = requestFor(task, 'r2');
    expect(request.frozenPrefix).toBeUndefined();
    expect(request.code).toBe(task.buggy_solution);
    expect(request.tests).toBe('assert g(1) == 2\nassert g(2) == 3\n');
    expect(judgedProgram(task, request, 'def g(x):\n    return x + 1\n')).toBe('def g(x):\n    return x + 1\n');
  });
});

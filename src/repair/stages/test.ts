/** Stage "test": the user's tests on the original, as written, and what that alone settles. */
import type { TestCase } from '../../../sandbox/protocol.ts';
import type { RepairResult } from '../types.ts';
import { byTest, type RunContext } from './context.ts';
import { finish, missingModuleOf } from './report.ts';

function functionName(code: string): string | undefined {
  return /^\s*def\s+([A-Za-z_]\w*)\s*\(/m.exec(code)?.[1] ?? /^\s*(?:export\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)/m.exec(code)?.[1];
}

/**
 * Runs the tests. Returns a finished result when the run settles the request (a missing module, no
 * test to work from), or the first failing test (undefined when every test passes).
 */
export async function runTests(ctx: RunContext): Promise<{ done: RepairResult } | { failingCase: TestCase | undefined; allPass: boolean }> {
  ctx.progress({ stage: 'tests', message: 'Running your tests' });
  const tt = performance.now();
  const first = await ctx.exec({ mode: 'test', programs: [{ id: 'original', source: ctx.program }], ...ctx.common });
  ctx.timings.testsMs = Math.round(performance.now() - tt);
  ctx.cases = first.tests;
  ctx.baseline = first.programs[0]?.results ?? [];
  const compileError = first.programs[0]?.compileError;
  if (compileError) ctx.compileError = compileError;
  const missing = missingModuleOf(ctx.baseline);
  if (missing) {
    ctx.missingModule = missing;
    // No edit of the user's code brings a module into this sandbox: searching would only waste their time.
    return {
      done: finish(
        ctx,
        'cannot_run',
        `Your code imports \`${missing}\`, which this sandbox does not have, so it cannot run here. Run tracefix with the \`process\` sandbox and a Python that has ${missing} installed, or with E2B.`,
      ),
    };
  }
  const { cases, baseline } = ctx;
  const noExamples = !ctx.tests && cases.every((c) => c.kind === 'script');
  const allPass = cases.length > 0 && baseline.length === cases.length && baseline.every((r) => r.status === 'passed');
  if (cases.length === 0 || (noExamples && allPass)) {
    const name = ctx.request.entryPoint ?? functionName(ctx.request.code) ?? 'your_function';
    return {
      done: finish(
        ctx,
        'needs_tests',
        `I need a failing example to work from: add a test such as \`assert ${name}(<an input>) == <the output you expect>\` — an input where the code gives the wrong answer, and the answer you expected.`,
      ),
    };
  }
  const results = byTest(baseline);
  return { failingCase: cases.find((c) => results.get(c.id)?.status !== 'passed'), allPass };
}

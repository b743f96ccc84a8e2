/**
 * `tracefix trace FILE [--tests FILE] [--sandbox …] [--json]`: runs the tests, then traces the first
 * failing one and prints the program annotated the NExT way (each executed line gets its states).
 */
import { limitsFromConfig } from '../../compose.ts';
import { TracefixError } from '../../errors.ts';
import { renderInline } from '../../trace/index.ts';
import { EXIT, type CliCommand } from '../context.ts';
import { checkHasTests, compileFailure, describeResult, openSandbox, parseCliInput, runTests, translateSandboxError } from './run.ts';

/** Enough for a long function's trace in a terminal; the chat front ends use config's smaller budget. */
const CLI_TOKEN_BUDGET = 6_000;

export const command: CliCommand = {
  summary: 'Trace the first failing test and print the program with every executed line annotated (NExT format).',
  usage: 'tracefix trace FILE [--tests FILE] [--sandbox pyodide|process|e2b] [--json]',
  async run(argv, context) {
    const input = await parseCliInput(argv, context.config);
    const sandbox = await openSandbox(input.sandbox, context);
    const tested = await runTests(sandbox, input, context.config);
    // A file that does not compile ran no test: "All 0 tests pass" and exit 0 would be a lie.
    const failure = compileFailure(input, tested);
    if (failure) {
      if (input.json) context.out.write(JSON.stringify({ file: input.file, compileError: tested.programs[0]?.compileError, tests: tested.tests.length }, null, 2) + '\n');
      else context.out.write(failure);
      return EXIT.failing;
    }
    checkHasTests(input, tested.tests);
    const results = tested.programs[0]?.results ?? [];
    const failing = results.find((r) => r.status !== 'passed');
    if (!failing) {
      if (input.json) context.out.write(JSON.stringify({ file: input.file, allPassed: true, tests: results.length }) + '\n');
      else context.out.write(`All ${results.length} tests pass: nothing to trace.\n`);
      return EXIT.ok;
    }
    let traced;
    try {
      traced = await sandbox.execute({
        mode: 'trace',
        program: { id: 'main', source: input.source },
        testId: failing.test,
        tests: input.tests,
        limits: limitsFromConfig(context.config),
        language: input.language,
      });
    } catch (error) {
      throw translateSandboxError(error);
    }
    const trace = traced.trace;
    if (!trace) throw new TracefixError('runner_protocol', 'The sandbox ran the test but returned no trace.');
    const rendered = renderInline(trace, input.source, { tokenBudget: CLI_TOKEN_BUDGET, language: input.language });
    const test = tested.tests.find((t) => t.id === failing.test);
    if (input.json) {
      context.out.write(
        JSON.stringify({ file: input.file, test, result: trace.result, rendered: rendered.text, truncated: rendered.truncated, tokens: rendered.tokens, trace }, null, 2) + '\n',
      );
    } else {
      const detail = describeResult(trace.result);
      context.out.write(`# ${trace.result.status.toUpperCase()}: ${test?.name ?? failing.test}${detail ? ` — ${detail}` : ''}\n`);
      context.out.write(rendered.text.endsWith('\n') ? rendered.text : `${rendered.text}\n`);
    }
    return EXIT.failing;
  },
};

/**
 * `tracefix run FILE [--tests FILE] [--sandbox pyodide|process|e2b] [--json]`: runs the file's tests
 * (or its docstring examples) in a sandbox and prints one line per test.
 *
 * The CLI runs the operator's own code, so an unisolated backend is allowed here, with a one-line
 * warning; the bots refuse one (assertIsolated).
 */
import { readFile, stat } from 'node:fs/promises';
import { languageOf, type Language } from '../../request/language.ts';
import { parseArgs } from 'node:util';
import { isSandboxError, type RunnerResponse, type Sandbox, type SandboxName, type TestCase, type TestResult } from '../../../sandbox/index.ts';
import { limitsFromConfig } from '../../compose.ts';
import { TracefixError, type ErrorCode } from '../../errors.ts';
import type { Config } from '../../config/index.ts';
import { splitPastedSource } from '../../request/index.ts';
import { EXIT, type CliCommand, type CliContext } from '../context.ts';

/** A CLI file may be bigger than a chat paste, but not unbounded. */
const MAX_FILE_BYTES = 5 * 1024 * 1024;
const SANDBOXES: readonly SandboxName[] = ['pyodide', 'process', 'e2b'];

export interface CliInput {
  file: string;
  source: string;
  testsFile?: string;
  tests: string | null;
  sandbox: SandboxName;
  json: boolean;
  /** From the file name (.js, .ts, ...), else the text. */
  language: Language;
}

/** Reads a source file with a clear message for each way it can be unusable. */
export async function readSourceFile(path: string, what: string): Promise<string> {
  let bytes: Buffer;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new TracefixError('bad_input', `${what} ${path} is a folder, not a file.`);
    if (info.size > MAX_FILE_BYTES) {
      throw new TracefixError('too_large', `${what} ${path} is ${(info.size / 1024 / 1024).toFixed(1)} MB; the limit is ${MAX_FILE_BYTES / 1024 / 1024} MB.`);
    }
    bytes = await readFile(path);
  } catch (error) {
    if (error instanceof TracefixError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read (permission denied)' : 'cannot be read';
    throw new TracefixError('bad_input', `${what} ${path} ${why}.`, { cause: error });
  }
  if (bytes.includes(0)) throw new TracefixError('binary_input', `${what} ${path} looks like a binary file, not Python source.`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new TracefixError('binary_input', `${what} ${path} is not UTF-8 text; save it as UTF-8 and try again.`, { cause: error });
  }
  if (text.trim() === '') throw new TracefixError('empty_input', `${what} ${path} is empty: there is nothing to run.`);
  return text.replace(/^\uFEFF/, '');
}

const sandboxErrorCodes: Record<string, ErrorCode> = {
  bad_tests: 'bad_input',
  bad_request: 'bad_input',
  sandbox_unavailable: 'sandbox_unavailable',
  runner_failed: 'runner_protocol',
  runner_protocol: 'runner_protocol',
  not_isolated: 'not_isolated',
  cancelled: 'cancelled',
};

/** SandboxError → TracefixError, so main prints the sandbox's own sentence. */
export function translateSandboxError(error: unknown): unknown {
  if (!isSandboxError(error)) return error;
  return new TracefixError(sandboxErrorCodes[error.code] ?? 'internal', error.userMessage, { cause: error, retryable: error.retryable });
}

export async function parseCliInput(argv: string[], config: Config): Promise<CliInput> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        tests: { type: 'string', short: 't' },
        sandbox: { type: 'string', short: 's' },
        json: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    // node's parseArgs appends advice about `--` that does not apply to a file name; the usage helps more.
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new TracefixError('bad_input', `${message.replace(/\.$/, '')}. Usage: ${USAGE}`, { cause: error });
  }
  const [file, ...extra] = parsed.positionals;
  if (!file) throw new TracefixError('bad_input', 'Name the Python file to run, e.g. `tracefix run buggy.py --tests test_buggy.py`.');
  if (extra.length > 0) throw new TracefixError('bad_input', `One file at a time (got also: ${extra.join(', ')}). Pass tests with --tests FILE.`);
  const sandbox = parsed.values.sandbox ?? config.sandbox.backend;
  if (!SANDBOXES.includes(sandbox as SandboxName)) {
    throw new TracefixError('bad_input', `Unknown sandbox "${sandbox}": use one of ${SANDBOXES.join(', ')}.`);
  }
  const whole = await readSourceFile(file, 'The file');
  const testsFile = parsed.values.tests;
  const language = languageOf(whole, { file });
  const base = { file, sandbox: sandbox as SandboxName, json: parsed.values.json, language };
  if (testsFile === undefined) {
    // Asserts under the code are its tests, one verdict each, split as the web chat splits its code box.
    const split = language === 'python' ? splitPastedSource(whole) : { code: whole, tests: undefined };
    if (split.tests !== undefined) return { ...base, source: split.code, tests: split.tests };
    return { ...base, source: whole, tests: null };
  }
  const tests = await readSourceFile(testsFile, 'The tests file');
  return { ...base, source: whole, testsFile, tests };
}

/** The command's sandbox, from the services (main closes it after the command). */
export async function openSandbox(name: SandboxName, context: CliContext): Promise<Sandbox> {
  let sandbox: Sandbox;
  try {
    sandbox = await context.services({ sandbox: name }).sandbox();
  } catch (error) {
    throw translateSandboxError(error);
  }
  if (!sandbox.isolation.isolated) context.err.write(`tracefix: warning: running unisolated — ${sandbox.isolation.how}\n`);
  return sandbox;
}

/**
 * The file does not compile: no test ran. Said first and on its own, so neither "0 tests: 0 passed" nor
 * "no tests found" (a file that does not parse has no docstring examples either) hides the real problem.
 */
export function compileFailure(input: CliInput, response: RunnerResponse): string | undefined {
  const e = response.programs[0]?.compileError;
  if (!e) return undefined;
  const where = e.where === 'test' ? (input.testsFile ?? input.file) : input.file;
  const lines = [`${where}${e.line ? `:${e.line}` : ''}: ${e.type}: ${oneLine(e.message)}`];
  // Python's own caret under the offending line, without the "File …" header and the repeated message.
  const shown = (e.traceback ?? '').split('\n').filter((line) => line.trim() !== '' && !/^\s*File "/.test(line) && !line.startsWith(`${e.type}:`));
  if (shown.length > 0 && shown.length <= 6) lines.push(...shown);
  const count = response.tests.length;
  const ran = count === 1 ? 'the test did not run' : count === 0 ? 'nothing ran' : `none of the ${count} tests ran`;
  lines.push(`Python could not compile ${where}, so ${ran}.`);
  return lines.join('\n') + '\n';
}

/** No tests and no docstring examples: the runner would just run the file top to bottom. */
export function checkHasTests(input: CliInput, tests: TestCase[]): void {
  const onlyScript = tests.length === 0 || tests.every((t) => t.kind === 'script');
  const definesFunctions = /^\s*(async\s+)?def\s+\w+/m.test(input.source) || (input.language !== 'python' && /^\s*(?:export\s+)?(?:async\s+)?function\s/m.test(input.source));
  if (input.tests === null && onlyScript && definesFunctions) {
    throw new TracefixError(
      'no_tests',
      `No tests found in ${input.file} and no docstring examples (>>> lines). Pass a tests file with --tests FILE, or add asserts / test_* functions / docstring examples.`,
    );
  }
  if (tests.length === 0) throw new TracefixError('no_tests', 'No tests found: the tests file has no asserts, test_* functions or check(candidate).');
}

export async function runTests(sandbox: Sandbox, input: CliInput, config: Config): Promise<RunnerResponse> {
  try {
    return await sandbox.execute({
      mode: 'test',
      programs: [{ id: 'main', source: input.source }],
      tests: input.tests,
      limits: limitsFromConfig(config),
      language: input.language,
    });
  } catch (error) {
    throw translateSandboxError(error);
  }
}

function oneLine(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function describeResult(result: TestResult): string {
  switch (result.status) {
    case 'passed':
      return '';
    case 'failed':
      if (result.expected !== undefined || result.actual !== undefined) {
        return `expected ${oneLine(result.expected ?? '?', 120)}, got ${oneLine(result.actual ?? '?', 120)}`;
      }
      return oneLine(result.error?.message ?? 'assertion failed');
    case 'error':
    case 'timeout': {
      const e = result.error;
      if (!e) return result.status === 'timeout' ? 'time limit' : 'error';
      const where = e.line !== undefined && e.where === 'program' ? ` (line ${e.line})` : '';
      return `${e.type}: ${oneLine(e.message, 160)}${where}`;
    }
  }
}

export function summarize(results: TestResult[]): { passed: number; failed: number; error: number; timeout: number; total: number } {
  const count = (s: TestResult['status']): number => results.filter((r) => r.status === s).length;
  return { passed: count('passed'), failed: count('failed'), error: count('error'), timeout: count('timeout'), total: results.length };
}

function report(input: CliInput, sandbox: Sandbox, response: RunnerResponse, out: NodeJS.WritableStream): void {
  const program = response.programs[0];
  const results = program?.results ?? [];
  const names = new Map(response.tests.map((t) => [t.id, t.name]));
  const failure = compileFailure(input, response);
  if (failure) {
    out.write(failure);
    return;
  }
  const lines: string[] = [];
  for (const r of results) {
    const label = { passed: 'PASS', failed: 'FAIL', error: 'ERROR', timeout: 'TIMEOUT' }[r.status];
    const detail = describeResult(r);
    lines.push(`${label.padEnd(7)} ${oneLine(names.get(r.test) ?? r.test, 100)}${detail ? `  — ${detail}` : ''}`);
    if (r.status !== 'passed' && r.stdout) lines.push(`        stdout: ${oneLine(r.stdout, 160)}`);
  }
  const s = summarize(results);
  const parts = [`${s.passed} passed`, s.failed && `${s.failed} failed`, s.error && `${s.error} errors`, s.timeout && `${s.timeout} timed out`].filter(Boolean);
  lines.push('', `${s.total} test${s.total === 1 ? '' : 's'}: ${parts.join(', ')} (${input.language === 'python' ? 'Python ' : ''}${response.python}, ${sandbox.name} sandbox, ${response.durationMs} ms)`);
  out.write(lines.join('\n') + '\n');
}

export function exitFor(response: RunnerResponse): number {
  const results = response.programs[0]?.results ?? [];
  return results.length > 0 && results.every((r) => r.status === 'passed') ? EXIT.ok : EXIT.failing;
}

const USAGE = 'tracefix run|trace FILE [--tests FILE] [--sandbox pyodide|process|e2b] [--json]';

export const command: CliCommand = {
  summary: 'Run a Python file against its tests in a sandbox and print one line per test.',
  usage: 'tracefix run FILE [--tests FILE] [--sandbox pyodide|process|e2b] [--json]',
  async run(argv, context) {
    const input = await parseCliInput(argv, context.config);
    const sandbox = await openSandbox(input.sandbox, context);
    const response = await runTests(sandbox, input, context.config);
    if (!response.programs[0]?.compileError) checkHasTests(input, response.tests);
    if (input.json) {
      const results = response.programs[0]?.results ?? [];
      context.out.write(
        JSON.stringify(
          {
            file: input.file,
            sandbox: sandbox.name,
            isolated: sandbox.isolation.isolated,
            python: response.python,
            compileError: response.programs[0]?.compileError ?? null,
            tests: response.tests,
            results,
            summary: summarize(results),
            durationMs: response.durationMs,
          },
          null,
          2,
        ) + '\n',
      );
    } else {
      report(input, sandbox, response, context.out);
    }
    return exitFor(response);
  },
};

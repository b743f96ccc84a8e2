/**
 * `tracefix fix FILE [--tests FILE] [--description TEXT] [--sandbox ...] [--json] [--write]`: the repair
 * loop on a file: the rationale, the diff and the per-test table. Asserts under the code in FILE are its
 * tests when no --tests is given (split as the web chat splits its code box). `--write` puts a verified
 * fix into FILE, keeping the original as a backup. Exit 0 fixed or nothing to fix, 1 not (or only
 * partly) fixed, 3 the tests pass with fixes that disagree (not pinned: see the printed inputs), 2 bad
 * input or our fault. With no model configured the program search works alone. An assert the user copied
 * from the offered answers keeps its `# tracefix: picked` comment: it is a confirmed test, as a button
 * pick is on Slack, Discord and the web page, so one pick settles a fix that rests on few tests.
 */
import { access, rename, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { SandboxName } from '../../../sandbox/index.ts';
import { TracefixError } from '../../errors.ts';
import type { Progress, RepairResult, RepairStatus } from '../../repair/types.ts';
import { splitPastedSource } from '../../request/index.ts';
import { EXIT, type CliCommand, type CliContext } from '../context.ts';
import { readSourceFile } from './run.ts';
import { languageOf } from '../../request/language.ts';

const SANDBOXES: readonly SandboxName[] = ['pyodide', 'process', 'e2b'];

/** Tests pass, but with fixes that disagree: the user must say which is right (distinct from fixed and from not fixed). */
export const EXIT_NOT_PINNED = 3;

export function exitCodeFor(status: RepairStatus): number {
  switch (status) {
    case 'fixed':
    case 'nothing_to_fix':
      return EXIT.ok;
    case 'not_pinned':
      return EXIT_NOT_PINNED;
    case 'needs_tests':
    case 'cannot_run':
      return EXIT.error;
    case 'partly_fixed':
    case 'not_fixed':
      return EXIT.failing;
  }
}

/**
 * A bar on a terminal; elsewhere (a pipe, CI) one line per stage, so a log shows where the time went
 * without a carriage-return animation in it.
 */
export function progressPrinter(context: CliContext): (p: Progress) => void {
  if (!context.interactive) {
    let last: string | undefined;
    return (p) => {
      if (p.stage === last) return;
      last = p.stage;
      context.err.write(`tracefix: ${p.message}\n`);
    };
  }
  return (p) => {
    const bar =
      p.total && p.done !== undefined ? ` [${'#'.repeat(Math.round((p.done / p.total) * 20)).padEnd(20, '.')}] ${p.done}/${p.total}` : '';
    context.err.write(`\r\x1b[2K${p.message.slice(0, 70)}${bar}${p.stage === 'done' ? '\n' : ''}`);
  };
}

/** Printed after each offered answer's assert; a test line that carries it is one the user picked. */
export const PICKED_MARK = '# tracefix: picked';

/** The tests (their text without the mark) the user picked from offered answers: lines marked `# tracefix: picked`. */
export function pickedTests(tests: string | undefined): string[] {
  return (tests ?? '').split('\n').flatMap((line) => {
    const m = /^(.*\S)\s*#\s*tracefix:\s*picked\s*$/.exec(line);
    return m ? [m[1]!.trim()] : [];
  });
}

const MARK: Record<string, string> = { passed: 'pass', failed: 'FAIL', error: 'ERROR', timeout: 'TIMEOUT' };

export function formatResult(result: RepairResult): string {
  const lines: string[] = [result.summary, ''];
  if (result.rationale) lines.push('Why:', result.rationale, '');
  if (result.diff) lines.push(result.diff.trimEnd(), '');
  if (result.tests.length) {
    const width = Math.min(60, Math.max(...result.tests.map((t) => t.name.length), 4));
    lines.push(`${'test'.padEnd(width)}  before   after`);
    for (const t of result.tests) {
      const name = t.name.length > width ? t.name.slice(0, width - 1) + '…' : t.name.padEnd(width);
      lines.push(`${name}  ${(MARK[t.before] ?? t.before).padEnd(7)}  ${t.after ? (MARK[t.after] ?? t.after) : ''}`.trimEnd());
    }
    lines.push('');
  }
  if (result.status === 'not_pinned' && result.choice) {
    const choice = result.choice;
    lines.push(
      choice.options.length === 1
        ? `A fix passes your tests, but they do not settle ${choice.call}; is its answer right?`
        : `Your tests pass with ${choice.options.length} different fixes; they disagree on ${choice.call}:`,
    );
    if (choice.original !== undefined) lines.push(`  your code as it is: ${choice.original}`);
    choice.options.forEach((option, index) => {
      const letter = String.fromCharCode(65 + index);
      // The mark goes on the first line (a test that expects an exception is a small function).
      const picked = option.test.replace(/\n|$/, `  ${PICKED_MARK}$&`);
      lines.push(`  ${letter}. ${option.output}${index === 0 ? '  (shown above)' : ''} — ${option.edit}`, `     to pick it, add: ${picked}`);
    });
    lines.push(
      `Add the assert that is right${choice.options.length === 1 ? ' (or one with the right answer)' : ''} to your tests and run tracefix fix again;`,
      `its "${PICKED_MARK}" comment tells tracefix you chose it, which settles the question.`,
      '',
    );
  }
  if (result.trace && (result.status === 'nothing_to_fix' || !result.diff)) {
    lines.push(`Trace of ${result.trace.testName}:`, result.trace.excerpt || result.trace.rendered, '');
  }
  lines.push(`${result.candidates.tried} candidate${result.candidates.tried === 1 ? '' : 's'} tried, ${result.candidates.passed} passed all tests; ${result.model.id}; ${(result.timings.totalMs / 1000).toFixed(1)} s`);
  return lines.join('\n') + '\n';
}

export const command: CliCommand = {
  summary: 'Find a fix for a failing Python file, verified against its tests',
  usage: 'tracefix fix FILE [--tests FILE] [--description TEXT] [--entry NAME] [--sandbox pyodide|process|e2b] [--json] [--write]',
  async run(argv, context) {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
          tests: { type: 'string' },
          description: { type: 'string' },
          entry: { type: 'string' },
          sandbox: { type: 'string' },
          json: { type: 'boolean', default: false },
          write: { type: 'boolean', default: false },
        },
      });
    } catch (error) {
      throw new TracefixError('bad_input', `${(error as Error).message}. Usage: ${command.usage}`);
    }
    const { values, positionals } = parsed;
    if (positionals.length !== 1) throw new TracefixError('bad_input', `Usage: ${command.usage}`);
    const backend = (values.sandbox ?? context.config.sandbox.backend) as SandboxName;
    if (!SANDBOXES.includes(backend)) throw new TracefixError('bad_input', `--sandbox must be one of ${SANDBOXES.join(', ')}.`);
    const file = positionals[0]!;
    const source = await readSourceFile(file, 'The file');
    // Asserts pasted under the code are its tests, split exactly as the web chat splits its code box.
    const language = languageOf(source, { file });
    const split = values.tests || language !== 'python' ? { code: source } : splitPastedSource(source);
    const code = split.code;
    const tests = values.tests ? await readSourceFile(values.tests, 'The tests file') : split.tests;
    const entry = values.entry ?? split.entryPoint;
    const confirmedTests = pickedTests(tests);

    // The engine the bots run (same budget, the promoted model), on the sandbox this command chose.
    const engine = await context.services({ sandbox: backend }).engine();
    const result = await engine.run(
      {
        id: `cli-${Date.now().toString(36)}`,
        code,
        ...(tests ? { tests } : {}),
        ...(values.description ? { description: values.description } : {}),
        ...(entry ? { entryPoint: entry } : {}),
        ...(confirmedTests.length ? { confirmedTests } : {}),
        language,
        origin: { platform: 'cli' },
      },
      { onProgress: progressPrinter(context), deadline: Date.now() + context.config.repair.deadlineMs },
    );
    context.out.write(values.json ? JSON.stringify(result, null, 2) + '\n' : formatResult(result));
    if (values.write) {
      const note = await writeFix(file, source, code, result);
      context.err.write(`tracefix: ${note}\n`);
    }
    return exitCodeFor(result.status);
  },
};

/** `name.bak`, or `name.bak.N` when earlier backups are there: a backup never overwrites another. */
async function freeBackupName(file: string): Promise<string> {
  for (let n = 0; ; n += 1) {
    const name = n === 0 ? `${file}.bak` : `${file}.bak.${n}`;
    try {
      await access(name);
    } catch {
      return name;
    }
  }
}

/**
 * Applies a verified fix to FILE: the original moves to a backup, the fixed program (and the tests that
 * were under it, unchanged) is written in its place. Only a `fixed` result is written: anything less
 * (not pinned, partly fixed) is not what the user asked for. Returns the sentence to print.
 */
export async function writeFix(file: string, source: string, code: string, result: RepairResult): Promise<string> {
  if (result.status !== 'fixed' || result.fixedCode === undefined) {
    const why = result.status === 'not_pinned' ? 'your tests do not pin the fix down (see above)' : 'there is no verified fix';
    return `--write: ${file} left as it was: ${why}.`;
  }
  // The tests that followed the code in the file stay where they were.
  const tail = source.slice(code.length);
  const fixed = tail === '' ? result.fixedCode : result.fixedCode.replace(/\n*$/, '') + (tail.startsWith('\n') ? '' : '\n') + tail;
  const backup = await freeBackupName(file);
  const temp = `${file}.tracefix-${process.pid}.tmp`;
  await writeFile(temp, fixed, 'utf8');
  await rename(file, backup);
  await rename(temp, file);
  return `wrote the fix to ${file} (the original is in ${backup}).`;
}

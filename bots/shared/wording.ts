/**
 * The words every chat front end uses, in one place so Slack, Discord and the web chat say the same
 * thing. Plain text with emoji and `backticks` for code (the one markup Slack, Discord and the web page
 * all render): each renderer adds the rest of its markup and its escaping. Sentences are made from the
 * result's facts (src/repair/types.ts RepairFacts, FixChoice), not guessed from the shape of test rows.
 */
import { userMessageOf } from '../../src/errors.ts';
import type { Divergence, FixChoice, Progress, RepairFacts, RepairResult, TestRow } from '../../src/repair/types.ts';
import type { RateDecision } from './rate-limit.ts';

type TestStatus = TestRow['before'];

const MARK: Record<TestStatus, string> = { passed: '✓ pass', failed: '✗ fail', error: '‼ error', timeout: '⏱ timeout' };

export function statusMark(status: TestStatus | undefined): string {
  return status === undefined ? '–' : MARK[status];
}

/** What the status message says while the repair runs. */
export function progressLine(progress: Progress): string {
  const count =
    progress.total !== undefined && progress.done !== undefined && !progress.message.includes(`${progress.total}`)
      ? ` (${progress.done}/${progress.total})`
      : '';
  return `⏳ ${progress.message}${count}`;
}

export const ACCEPTED_LINE = '⏳ Got it — running your code in a sandbox…';

function passing(rows: readonly TestRow[], key: 'before' | 'after'): number {
  return rows.filter((row) => (key === 'before' ? row.before : (row.after ?? row.before)) === 'passed').length;
}

/** The detail `presentable` gives those rows (and which keeps `codeDidNotLoad` true on its output). */
const NOT_RUN_DETAIL = 'did not run: the code did not load';

/**
 * The runner reports no result for a test when the program itself could not be loaded (it does not
 * compile); the engine then lists the test as an error with no detail and tries no candidate. Any other
 * error (an exception, an import that fails, the memory limit) comes with its detail.
 */
export function codeDidNotLoad(result: RepairResult): boolean {
  if (result.facts?.compileError !== undefined) return result.status !== 'fixed';
  // Results of an engine that does not report facts yet: the test rows are all there is to go on.
  return (
    result.facts === undefined &&
    result.status !== 'fixed' &&
    result.tests.length > 0 &&
    result.tests.every((row) => row.before === 'error' && (row.detail === undefined || row.detail === NOT_RUN_DETAIL))
  );
}

export const DID_NOT_LOAD = 'Python could not load your code (a syntax or indentation error?), so none of the tests ran';

/**
 * The result as a user should read it, the same on every front end:
 * - code that did not load has no run to show: the engine's "none of 0 candidate fixes" summary, the
 *   empty detail cells and an unannotated "trace" would hide what went wrong;
 * - with no tests the runner runs the file as a script, so a file that only defines functions "passes";
 *   a "1/1 pass" row named "script" contradicts "I need a failing example", so it is not shown.
 */
export function presentable(result: RepairResult): RepairResult {
  if (codeDidNotLoad(result)) {
    const { trace: _unrun, ...rest } = result;
    // The engine names the error and its line when it has them ("Your code does not load: SyntaxError at
    // line 1: …"); only its generic "No fix found: none of 0 candidate fixes…" is replaced by a hint.
    const generic = /^No fix found\b/.test(result.summary);
    return {
      ...rest,
      summary: generic ? 'Look for a missing colon, bracket or quote, or a line indented wrongly, then try again.' : result.summary,
      tests: result.tests.map((row) => ({ ...row, detail: NOT_RUN_DETAIL })),
    };
  }
  if (result.status === 'needs_tests') return { ...result, tests: [] };
  return result;
}

/** One line saying how it ended; the header of every answer. */
export function headline(result: RepairResult): string {
  const total = result.tests.length;
  const before = passing(result.tests, 'before');
  const after = passing(result.tests, 'after');
  if (codeDidNotLoad(result)) {
    const error = result.facts?.compileError;
    if (error === undefined) return `❌ ${DID_NOT_LOAD}.`;
    return `❌ Python cannot compile your code: ${error.type}${error.line === undefined ? '' : ` at line ${error.line}`} — none of the tests ran`;
  }
  switch (result.status) {
    case 'fixed':
      // "all 1 test pass" reads wrong; a single test gets its own sentence.
      return total === 1 ? '✅ Fixed — the test passes now (it failed before)' : `✅ Fixed — all ${total} tests pass (${before} passed before)`;
    case 'partly_fixed': {
      // The search ranks by how many pass, so a candidate may trade a passing test for two failing ones;
      // the user must not have to spot that in the table.
      const broken = result.tests.filter((row) => row.before === 'passed' && row.after !== undefined && row.after !== 'passed').length;
      const warning = broken === 0 ? '' : ` — but ${broken === 1 ? '1 test that passed before fails' : `${broken} tests that passed before fail`} with this change`;
      return `🟡 Partly fixed — ${after} of ${total} tests pass (${before} before)${warning}`;
    }
    case 'not_fixed':
      return `❌ No verified fix found — tried ${result.candidates.tried} candidate${result.candidates.tried === 1 ? '' : 's'}`;
    case 'nothing_to_fix':
      return total === 1 ? '✅ Nothing to fix — the test already passes' : `✅ Nothing to fix — all ${total} tests already pass`;
    case 'needs_tests':
      return '❓ I need a failing example to work from';
    case 'not_pinned':
      return result.choice?.options.length === 1
        ? '🤔 A fix passes your tests, but they do not pin it down: is its answer right?'
        : `🤔 Your tests pass with ${result.choice?.options.length ?? 'several'} different fixes — they do not pin the fix down: which is right?`;
    case 'cannot_run':
      return `⚠️ Your code needs ${result.facts?.missingModule ? `the module ${inlineCode(result.facts.missingModule)}` : 'something'}, which this sandbox does not have`;
  }
}

/** A monospaced before/after table, for a code block. */
export function testTable(rows: readonly TestRow[]): string {
  if (rows.length === 0) return '(no tests ran)';
  const nameWidth = Math.min(40, Math.max(4, ...rows.map((row) => row.name.length)));
  const pad = (text: string, width: number): string =>
    text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width, ' ');
  const lines = [`${pad('test', nameWidth)}  ${pad('before', 9)}  after`];
  for (const row of rows) {
    lines.push(`${pad(row.name, nameWidth)}  ${pad(statusMark(row.before), 9)}  ${statusMark(row.after)}`);
  }
  return lines.join('\n');
}

/** How a later answer tells the user what to do when no test was given. */
export const NEEDS_TESTS_HINT =
  'Paste the code and a failing example in separate code blocks, e.g. ```assert add(2, 2) == 4```, or a test_ function.';

export function rateLimitMessage(decision: Extract<RateDecision, { allowed: false }>): string {
  const minutes = Math.max(1, Math.ceil(decision.retryAfterMs / 60_000));
  const who = decision.scope === 'user' ? 'You have' : 'This channel has';
  return `🙏 ${who} reached the limit of ${decision.limit} fixes per hour — please try again in about ${minutes} minute${minutes === 1 ? '' : 's'}.`;
}

/** One sentence and a reference id (the request id) that finds the full story in the log. */
export function errorMessage(error: unknown, requestId: string): string {
  const sentence = userMessageOf(error).replace(/\s+$/, '');
  const ends = /[.!?]$/.test(sentence) ? '' : '.';
  return `⚠️ ${sentence}${ends} (reference: ${requestId})`;
}

export const NOT_ALLOWED_MESSAGE = 'tracefix is not enabled in this workspace or channel.';

/** Help text for `/fix help` and for a mention with nothing in it. */
export const USAGE =
  'Paste the failing Python in a code block, and your tests in a second one (asserts or test_ functions). ' +
  'I run them in a sandbox, trace the failing test, and reply with a fix that passes them.';

/**
 * What of an error goes into a log line: name, message, code, HTTP status, stack, and the same for its
 * cause. Vendor errors carry the request they failed on (discord.js `requestBody`, Slack `data`), which
 * holds user code and sometimes tokens; those fields are left out on purpose.
 */
export function errorFields(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const fields: Record<string, unknown> = { type: error.name, message: error.message };
  const extra = error as Error & { code?: unknown; status?: unknown; retryable?: unknown };
  if (typeof extra.code === 'string' || typeof extra.code === 'number') fields.code = extra.code;
  if (typeof extra.status === 'number') fields.status = extra.status;
  if (error.stack !== undefined) fields.stack = error.stack;
  if (error.cause !== undefined && depth < 3) fields.cause = errorFields(error.cause, depth + 1);
  return fields;
}

/**
 * Inline code that no backtick inside can end early: a test named with ``` stays one span and cannot
 * open a fence that unbalances the rest of the message (U+02CB looks like a backtick and is inert).
 */
export function inlineCode(text: string): string {
  return '`' + text.replace(/`/g, 'ˋ').replace(/\s*\n\s*/g, ' ') + '`';
}

/** A repr cut for a sentence: values in chat answers stay one short line. */
function value(text: string, limit = 80): string {
  const flat = text.replace(/\s*\n\s*/g, ' ');
  return inlineCode(flat.length > limit ? `${flat.slice(0, limit - 1)}…` : flat);
}

function at(line: number | undefined): string {
  return line === undefined ? '' : ` at line ${line}`;
}

function vars(values: Record<string, string>): string {
  const entries = Object.entries(values).slice(0, 4);
  return entries.length === 0 ? '' : ` with ${entries.map(([name, repr]) => value(`${name}=${repr}`, 60)).join(', ')}`;
}

/** Where the original and the fix part ways, in one sentence. */
export function divergenceSentence(divergence: Divergence): string {
  const call = divergence.call === undefined ? '' : `Called as ${value(divergence.call, 120)}, `;
  const lead = call === '' ? 'The' : 'the';
  return (
    `${call}${lead} original and the fix part ways at step ${divergence.step} of ${inlineCode(divergence.testName)}: ` +
    `the fix is at line ${divergence.fixed.line}${vars(divergence.fixed.vars)}, ` +
    `the original at line ${divergence.original.line}${vars(divergence.original.vars)}.`
  );
}

/** The failing check of the original, in one sentence. */
export function failingSentence(failing: NonNullable<RepairFacts['failing']>, fixedSince = false): string {
  const name = `${fixedSince ? 'Before the fix, ' : ''}${inlineCode(failing.name)}`;
  if (failing.status === 'timeout') return `${name} ran out of time${at(failing.line)}.`;
  if (failing.error !== undefined && failing.expected === undefined) return `${name} raised ${value(failing.error, 160)}${at(failing.line)}.`;
  if (failing.expected !== undefined || failing.actual !== undefined) {
    return `${name} failed: expected ${value(failing.expected ?? '?')}, got ${value(failing.actual ?? '?')}${at(failing.line)}.`;
  }
  return `${name} failed${at(failing.line)}.`;
}

/**
 * The facts behind an answer as sentences, for every front end: what does not compile or is missing,
 * which check failed and how, what the fix changes, and where the two runs part ways.
 */
export function factLines(result: RepairResult): string[] {
  const facts = result.facts;
  if (facts === undefined) return [];
  const lines: string[] = [];
  if (facts.compileError !== undefined) {
    const error = facts.compileError;
    lines.push(`Python cannot compile your code: ${error.type}${at(error.line)}: ${value(error.message, 160)}.`);
  }
  if (facts.missingModule !== undefined) {
    lines.push(
      `Your code imports ${inlineCode(facts.missingModule)}, which this sandbox does not have, so I did not look for a fix. ` +
        'Run tracefix with the `process` sandbox and a Python that has it installed, or with E2B.',
    );
  }
  if (facts.failing !== undefined && result.status !== 'nothing_to_fix') {
    const fixedSince = result.tests.some((row) => row.id === facts.failing?.testId && row.after === 'passed');
    lines.push(failingSentence(facts.failing, fixedSince));
  }
  for (const edit of (facts.edits ?? []).slice(0, 3)) {
    const change = edit.after === undefined ? value(edit.before) : `${value(edit.before)} → ${value(edit.after)}`;
    lines.push(`The fix, line ${edit.line}: ${edit.description} (${change}).`);
  }
  if (facts.divergence !== undefined) lines.push(divergenceSentence(facts.divergence));
  return lines;
}

export interface ChoiceWording {
  /** Why we ask, and the question. */
  question: string;
  /** What the user's own code does on the distinguishing call. */
  original?: string;
  options: { id: string; letter: string; output: string; line: string; test: string }[];
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** The not-pinned question: the distinguishing call, what each plausible fix returns for it, which is right. */
export function choiceWording(choice: FixChoice): ChoiceWording {
  const wording: ChoiceWording = {
    question:
      choice.options.length === 1
        ? `A fix passes your tests, but they do not settle ${value(choice.call, 120)}. Is this answer right? If not, add an assert with the right one.`
        : `Your tests pass with each of these fixes, but they disagree on ${value(choice.call, 120)}. Which result is right?`,
    options: choice.options.map((option, index) => {
      const letter = LETTERS[index] ?? String(index + 1);
      const best = index === 0 ? ' (my best guess, shown below)' : '';
      return { id: option.id, letter, output: option.output, test: option.test, line: `${letter}. ${value(option.output)}${best} — ${option.edit}` };
    }),
  };
  if (choice.original !== undefined) wording.original = `Your code as it is gives ${value(choice.original)}.`;
  return wording;
}

/** The label of an option's button; `limit` is the platform's (Slack 75, Discord 80). */
export function choiceLabel(option: ChoiceWording['options'][number], limit: number): string {
  return truncateText(`${option.letter}: ${option.output.replace(/\s+/g, ' ')}`, limit);
}

/** What the thread hears when a choice or a follow-up test re-runs the repair. */
export function addedTestLine(test: string): string {
  return `🔁 Checking again with ${value(test, 160)} added to your tests…`;
}

/** The answer to "why?": where the runs part ways, then the whole trace (attached by each front end). */
export function whyLines(result: RepairResult): string[] {
  const lines = factLines(result).filter((line) => !line.startsWith('The fix, line'));
  if (lines.length === 0 && result.rationale !== undefined) lines.push(result.rationale.trim());
  if (result.trace === undefined) lines.push('No trace was recorded for this answer.');
  else lines.push(`The full NExT trace of ${inlineCode(result.trace.testName)} is attached: every executed line, with the values it produced.`);
  return lines;
}

function truncateText(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

export const FOLLOW_UP_HINT = 'Reply in this thread with another `assert` to try again with it, or with “why?” for the whole trace.';

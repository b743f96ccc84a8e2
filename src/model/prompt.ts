import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Candidate, PromptInput } from './types.ts';

/**
 * The NExT repair prompt, kept as data under prompts/<task>/<version>/ so that a prompt change is a
 * reviewed file change with a new id, and every stored answer can name the prompt that produced it.
 */

/** The prompt version used when none is asked for. Every candidate and training record names it. */
export const PROMPT_VERSION = 'repair-v1';
/** The prompt for JavaScript and TypeScript requests: the same NExT format, `//` traces, JS exemplars. */
export const JS_PROMPT_VERSION = 'repair-js-v1';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface Exemplar {
  id: string;
  /** The kind of bug, for humans (README, dataset reports). */
  bug: string;
  input: PromptInput;
  /** The model's answer when the trace is shown. */
  answer: string;
  /** The same answer for the --no-trace ablation: it cannot cite step numbers it never saw. */
  answerNoTrace: string;
}

export interface Prompt {
  /** e.g. "repair-v1" */
  id: string;
  system: string;
  user: string;
  exemplars: Exemplar[];
  /** Folder the files were read from. */
  dir: string;
  /** The language the prompt's exemplars and instructions are written for. */
  language: 'python' | 'javascript';
}

export interface BuildOptions {
  /**
   * Few-shot exemplars as earlier chat turns (default true). Fine-tuning records leave them out:
   * a tuned model has learnt the format, and the exemplars would only cost tokens.
   */
  exemplars?: boolean;
}

const VERSION = /^([a-z]+(?:-[a-z]+)*)-(v\d+)$/;

const metaSchema = z.object({
  id: z.string().regex(VERSION),
  task: z.string(),
  language: z.enum(['python', 'javascript']).optional(),
  files: z.object({ system: z.string(), user: z.string(), exemplars: z.string() }),
});

const promptInputSchema = z.object({
  language: z.enum(['python', 'javascript', 'typescript']).optional(),
  description: z.string().optional(),
  program: z.string(),
  tests: z.string().optional(),
  trace: z.string().optional(),
  failures: z.array(z.string()),
  previousAttempt: z
    .object({ program: z.string(), trace: z.string().optional(), failures: z.array(z.string()) })
    .optional(),
});

const exemplarSchema = z.object({
  id: z.string(),
  bug: z.string(),
  input: promptInputSchema,
  answer: z.string().min(1),
  answerNoTrace: z.string().min(1),
});

// Resolved from this module, not the working directory: the CLI, the bots and the tests start from
// different folders.
const PROMPTS_ROOT = fileURLToPath(new URL('../../prompts/', import.meta.url));

const cache = new Map<string, Prompt>();

/** Drops optional keys whose value is undefined (exactOptionalPropertyTypes). */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Reads a prompt version ("repair-v1", default PROMPT_VERSION) from prompts/repair/v1/. Cached: the
 * files are read once per process. Throws on a missing or malformed file: that is a bug in the
 * repository, found by the tests, not a runtime condition.
 */
export function loadPrompt(version: string = PROMPT_VERSION): Prompt {
  const cached = cache.get(version);
  if (cached) return cached;
  const match = VERSION.exec(version);
  if (!match) throw new Error(`Unknown prompt version "${version}" (expected e.g. "${PROMPT_VERSION}")`);
  const [, task, v] = match as unknown as [string, string, string];
  const dir = `${PROMPTS_ROOT}${task}/${v}/`;
  const meta = metaSchema.parse(JSON.parse(readFileSync(`${dir}meta.json`, 'utf8')));
  if (meta.id !== version) throw new Error(`${dir}meta.json names version "${meta.id}", expected "${version}"`);
  const exemplars = readFileSync(`${dir}${meta.files.exemplars}`, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      const parsed = exemplarSchema.parse(JSON.parse(line));
      if (!parsed.id) throw new Error(`exemplar ${index} has no id`);
      const input = compact(parsed.input) as PromptInput;
      if (input.previousAttempt) input.previousAttempt = compact(input.previousAttempt);
      return { ...parsed, input };
    });
  const prompt: Prompt = {
    id: meta.id,
    system: readFileSync(`${dir}${meta.files.system}`, 'utf8'),
    user: readFileSync(`${dir}${meta.files.user}`, 'utf8'),
    exemplars,
    dir,
    language: meta.language ?? 'python',
  };
  cache.set(version, prompt);
  return prompt;
}

/**
 * The prompt for a request in `language`: the JavaScript one (which also serves TypeScript) for JS
 * and TS, else the Python one (`pythonVersion`, default PROMPT_VERSION). A model asked to fix
 * JavaScript sees JavaScript exemplars; a Python paste keeps the Python ones.
 */
export function promptFor(language?: PromptInput['language'], pythonVersion: string = PROMPT_VERSION): Prompt {
  return language === 'javascript' || language === 'typescript' ? loadPrompt(JS_PROMPT_VERSION) : loadPrompt(pythonVersion);
}

/** The fence label of code in a request's language (`python`, `js`, `ts`). */
export function codeFence(language?: PromptInput['language']): string {
  return language === 'typescript' ? 'ts' : language === 'javascript' ? 'js' : 'python';
}

type Values = Record<string, string | boolean>;

/**
 * A small mustache subset: `{{#flag}}…{{/flag}}` keeps its body when the flag is true,
 * `{{^flag}}…{{/flag}}` when false, `{{name}}` inserts a value. Sections are resolved on the template
 * first and the values inserted in one pass afterwards, so user text that happens to contain
 * `{{trace}}` is never expanded.
 */
export function renderTemplate(template: string, values: Values): string {
  let text = template;
  const section = /\{\{([#^])(\w+)\}\}([\s\S]*?)\{\{\/\2\}\}/;
  for (let guard = 0; guard < 1000; guard++) {
    const found = section.exec(text);
    if (!found) break;
    const [whole, kind, name, body] = found as unknown as [string, string, string, string];
    if (!(name in values)) throw new Error(`Prompt template uses unknown flag "${name}"`);
    const keep = kind === '#' ? Boolean(values[name]) : !values[name];
    const start = found.index;
    let end = start + whole.length;
    // A section tag alone on its line takes its line break with it, so removed sections leave no gap.
    if ((start === 0 || text[start - 1] === '\n') && text[end] === '\n') end += 1;
    let inner = body;
    if (inner.startsWith('\n') && (start === 0 || text[start - 1] === '\n')) inner = inner.slice(1);
    text = text.slice(0, start) + (keep ? inner : '') + text.slice(end);
  }
  // Template hygiene only (user text is not inserted yet): at most one blank line in a row.
  text = text.replace(/\n{3,}/g, '\n\n');
  return text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (typeof value !== 'string') throw new Error(`Prompt template uses unknown value "${name}"`);
    return value;
  });
}

function bullets(lines: string[]): string {
  return lines.length === 0 ? '- (no details)' : lines.map((line) => `- ${line.replace(/\r?\n/g, ' ')}`).join('\n');
}

function trimCode(code: string): string {
  return code.replace(/\r\n?/g, '\n').replace(/^\n+/, '').trimEnd();
}

function valuesFor(input: PromptInput): Values {
  const hasTrace = input.trace !== undefined && input.trace.trim() !== '';
  const previous = input.previousAttempt;
  const hasPreviousTrace = previous?.trace !== undefined && previous.trace.trim() !== '';
  return {
    code_lang: codeFence(input.language),
    has_description: input.description !== undefined && input.description.trim() !== '',
    description: input.description?.trim() ?? '',
    program: trimCode(input.program),
    has_tests: input.tests !== undefined && input.tests.trim() !== '',
    tests: trimCode(input.tests ?? ''),
    failures: bullets(input.failures),
    has_trace: hasTrace,
    trace: hasTrace ? trimCode(input.trace ?? '') : '',
    has_previous: previous !== undefined,
    previous_program: previous ? trimCode(previous.program) : '',
    previous_failures: bullets(previous?.failures ?? []),
    has_previous_trace: hasPreviousTrace,
    previous_trace: hasPreviousTrace ? trimCode(previous?.trace ?? '') : '',
  };
}

function renderUser(input: PromptInput, prompt: Prompt): string {
  return renderTemplate(prompt.user, valuesFor(input)).trim();
}

/**
 * The chat messages for one request: the system prompt, the exemplars as earlier turns, then the
 * request. Without `input.trace` this is the --no-trace ablation: the trace section disappears from
 * the system prompt, the exemplars and the request alike, so the two variants differ only in the
 * trace. With `input.previousAttempt` it is the second round.
 */
export function buildMessages(input: PromptInput, prompt: Prompt = promptFor(input.language), options: BuildOptions = {}): ChatMessage[] {
  const withTrace = input.trace !== undefined && input.trace.trim() !== '';
  const messages: ChatMessage[] = [
    { role: 'system', content: renderTemplate(prompt.system, { has_trace: withTrace }).trim() },
  ];
  if (options.exemplars ?? true) {
    for (const exemplar of prompt.exemplars) {
      const shown: PromptInput = { ...exemplar.input };
      if (!withTrace) delete shown.trace;
      messages.push({ role: 'user', content: renderUser(shown, prompt) });
      messages.push({ role: 'assistant', content: withTrace ? exemplar.answer : exemplar.answerNoTrace });
    }
  }
  messages.push({ role: 'user', content: renderUser(input, prompt) });
  return messages;
}

/**
 * The exact text the model saw, for the feedback store and the fine-tuning dataset. Roles are marked
 * with `<|role|>` lines, which do not occur in Python code or in our templates.
 */
export function renderPromptText(messages: ChatMessage[]): string {
  return messages.map((message) => `<|${message.role}|>\n${message.content}`).join('\n\n');
}

/** An answer in the prompt's own format (rationale, then one fenced block): fine-tuning targets. */
export function renderAnswer(candidate: Candidate, language?: PromptInput['language']): string {
  const longest = Math.max(2, ...Array.from(candidate.code.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${candidate.rationale.trim()}\n\n${fence}${codeFence(language)}\n${trimCode(candidate.code)}\n${fence}`;
}

/**
 * One fine-tuning example in chat form: the request as buildMessages renders it, by default without exemplars
 * (the tuned model learns the format instead), then the answer. Pass the model's raw answer when
 * there is one; a Candidate is rendered in the answer format.
 */
export function trainingMessages(
  input: PromptInput,
  answer: string | Candidate,
  prompt: Prompt = promptFor(input.language),
  options: { exemplars?: boolean } = {},
): ChatMessage[] {
  const content = typeof answer === 'string' ? answer.replace(/\r\n?/g, '\n').trim() : renderAnswer(answer, input.language);
  return [...buildMessages(input, prompt, { exemplars: options.exemplars ?? false }), { role: 'assistant', content }];
}

/** Where two traces of one test part ways (src/repair's Divergence, structurally). */
export interface TraceDivergence {
  testName: string;
  step: number;
  original: { line: number; vars: Record<string, string> };
  fixed: { line: number; vars: Record<string, string> };
}

/**
 * One failure line for the second round: where the earlier attempt's trace departs from the original's
 * on the same test. The model then sees what its edit changed in the execution, not only that it failed.
 */
export function divergenceNote(d: TraceDivergence): string {
  const values = (vars: Record<string, string>) =>
    Object.entries(vars)
      .slice(0, 3)
      .map(([k, v]) => `${k}=${v.length > 60 ? `${v.slice(0, 59)}…` : v}`)
      .join(', ') || 'no change';
  return `On \`${d.testName}\` the attempt's trace departs from the original's at step (${d.step}): the original ran line ${d.original.line} (${values(d.original.vars)}), the attempt ran line ${d.fixed.line} (${values(d.fixed.vars)}).`;
}

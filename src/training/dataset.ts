import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildMessages, renderAnswer, type ChatMessage } from '../model/prompt.ts';
import type { PromptInput } from '../model/types.ts';
import type { FeedbackStore, Interaction } from '../feedback/types.ts';
import { scrubDeep, type ScrubCounts } from './scrub.ts';

/**
 * Production examples for self-training: answers users upvoted AND whose fix passed all their tests
 * (NExT keeps only rationales whose fix is verified; a 👍 alone is not evidence of a correct fix, and a
 * passing fix nobody liked may have an unhelpful rationale). Written as chat-format JSONL, the shape
 * the OpenAI fine-tuning API and most open trainers accept: the prompt exactly as the model saw it,
 * then the answer (rationale + fixed program).
 */

export type DropReason = 'not_upvoted' | 'fix_failed_tests' | 'no_fix' | 'duplicate' | 'before_since';

export interface HeldOutTask {
  /** Stable id of the example (hash of its normalised code and fix). */
  task_id: string;
  buggy_solution: string;
  /** The user's tests: shown and judged (production has no hidden tests). */
  test: string;
  entry_point?: string;
  description?: string;
  reference_fix: string;
  /** Absent: Python. */
  language?: 'python' | 'javascript' | 'typescript';
}

export interface DatasetExample {
  key: string;
  interactionId: string;
  createdAt: number;
  heldOut: boolean;
  messages: ChatMessage[];
  task: HeldOutTask;
}

export interface DatasetBuild {
  considered: number;
  train: DatasetExample[];
  heldOut: DatasetExample[];
  dropped: Partial<Record<DropReason, number>>;
  scrubbed: ScrubCounts;
  /** Listing cursor after the last interaction considered (the scheduler's "since last run"). */
  cursor: string | undefined;
}

export interface BuildDatasetOptions {
  /** Listing cursor: only interactions recorded after it. */
  cursor?: string | undefined;
  /** Only interactions created at or after this time (epoch ms). */
  since?: number;
  /** Share of examples held out for the evaluation gate, by hash (default 0.1). */
  heldOutFraction?: number;
}

/** Net 👍: more up than down votes among the current votes (one per user). */
export function netUpvotes(interaction: Interaction): number {
  return interaction.feedback.reduce((sum, e) => sum + (e.vote === 'up' ? 1 : e.vote === 'down' ? -1 : 0), 0);
}

export function fixPassedAllTests(interaction: Interaction): boolean {
  const result = interaction.result;
  return (
    result.status === 'fixed' &&
    result.fixedCode !== undefined &&
    result.tests.length > 0 &&
    result.tests.every((row) => row.after === 'passed')
  );
}

/** Comments, blank lines, trailing spaces and indentation width do not make an example new. */
export function normaliseCode(code: string): string {
  return code
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/(^|\s)#(?![^'"]*['"][^'"]*$).*$/, '').replace(/\s+$/, ''))
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const indent = /^\s*/.exec(line)?.[0].replace(/\t/g, '    ').length ?? 0;
      return `${indent}:${line.trim().replace(/\s+/g, ' ')}`;
    })
    .join('\n');
}

export function exampleKey(code: string, fix: string): string {
  return createHash('sha256').update(normaliseCode(code)).update('\u0000').update(normaliseCode(fix)).digest('hex');
}

/** Deterministic: the same example lands on the same side in every build. */
export function isHeldOut(key: string, fraction: number): boolean {
  return Number.parseInt(key.slice(0, 8), 16) / 0x1_0000_0000 < fraction;
}

/** Inverse of renderPromptText (src/model/prompt.ts): `<|role|>` lines start each message. */
export function parsePromptText(text: string): ChatMessage[] | undefined {
  const parts = text.split(/^<\|(system|user|assistant)\|>\n/m);
  if (parts.length < 3 || parts[0]?.trim() !== '') return undefined;
  const messages: ChatMessage[] = [];
  for (let i = 1; i + 1 < parts.length; i += 2) {
    const role = parts[i] as ChatMessage['role'];
    // renderPromptText joins messages with one blank line.
    const content = (parts[i + 1] ?? '').replace(/\n\n$/, '');
    messages.push({ role, content });
  }
  return messages.at(-1)?.role === 'user' ? messages : undefined;
}

/** The prompt inputs as the engine would have given them, for fixes the model did not write. */
export function promptInputOf(interaction: Interaction): PromptInput {
  const { request, result } = interaction;
  const input: PromptInput = {
    ...(request.language ? { language: request.language } : {}),
    program: request.code,
    failures: result.tests
      .filter((row) => row.before !== 'passed')
      .map((row) => `${row.name}: ${row.detail ?? 'failed'}`),
  };
  if (request.description !== undefined) input.description = request.description;
  if (request.tests !== undefined) input.tests = request.tests;
  if (result.trace?.rendered) input.trace = result.trace.rendered;
  return input;
}

export type Selection = { example: Omit<DatasetExample, 'heldOut'> } | { reason: DropReason };

export function selectExample(interaction: Interaction): Selection {
  if (netUpvotes(interaction) <= 0) return { reason: 'not_upvoted' };
  const { fixedCode, rationale } = interaction.result;
  if (fixedCode === undefined || fixedCode.trim() === '') return { reason: 'no_fix' };
  if (!fixPassedAllTests(interaction)) return { reason: 'fix_failed_tests' };
  let prompt: ChatMessage[] | undefined;
  if (interaction.prompt !== undefined) {
    // Stored by a front end in renderPromptText's format; anything else is kept verbatim as one
    // user turn — still exactly the text the model saw.
    prompt = parsePromptText(interaction.prompt) ?? [{ role: 'user', content: interaction.prompt }];
  } else {
    prompt = buildMessages(promptInputOf(interaction));
  }
  const answer = renderAnswer({ rationale: rationale ?? interaction.result.summary, code: fixedCode }, interaction.request.language);
  const key = exampleKey(interaction.request.code, fixedCode);
  const task: HeldOutTask = {
    task_id: key.slice(0, 16),
    buggy_solution: interaction.request.code,
    test: interaction.request.tests ?? '',
    reference_fix: fixedCode,
  };
  if (interaction.request.entryPoint !== undefined) task.entry_point = interaction.request.entryPoint;
  if (interaction.request.description !== undefined) task.description = interaction.request.description;
  if (interaction.request.language !== undefined) task.language = interaction.request.language;
  return {
    example: {
      key,
      interactionId: interaction.id,
      createdAt: interaction.createdAt,
      messages: [...prompt, { role: 'assistant', content: answer }],
      task,
    },
  };
}

export async function buildDataset(store: FeedbackStore, options: BuildDatasetOptions = {}): Promise<DatasetBuild> {
  const fraction = options.heldOutFraction ?? 0.1;
  const build: DatasetBuild = { considered: 0, train: [], heldOut: [], dropped: {}, scrubbed: {}, cursor: options.cursor };
  const seen = new Set<string>();
  const drop = (reason: DropReason) => (build.dropped[reason] = (build.dropped[reason] ?? 0) + 1);
  let cursor = options.cursor;
  for (;;) {
    const page = await store.listSince(cursor, 200);
    for (const interaction of page.items) {
      build.considered++;
      if (options.since !== undefined && interaction.createdAt < options.since) {
        drop('before_since');
        continue;
      }
      const selected = selectExample(interaction);
      if ('reason' in selected) {
        drop(selected.reason);
        continue;
      }
      if (seen.has(selected.example.key)) {
        drop('duplicate');
        continue;
      }
      seen.add(selected.example.key);
      const example: DatasetExample = {
        ...selected.example,
        messages: scrubDeep(selected.example.messages, build.scrubbed),
        task: scrubDeep(selected.example.task, build.scrubbed),
        heldOut: isHeldOut(selected.example.key, fraction),
      };
      (example.heldOut ? build.heldOut : build.train).push(example);
    }
    if (page.items.length === 0 || page.cursor === cursor) break;
    cursor = page.cursor;
  }
  build.cursor = cursor;
  return build;
}

/** One line per example: `{"messages": [...]}` — nothing else, as fine-tuning APIs expect. */
export function trainingJsonl(examples: DatasetExample[]): string {
  return examples.map((e) => JSON.stringify({ messages: e.messages })).join('\n') + (examples.length ? '\n' : '');
}

/** Held-out lines also carry the task, so the evaluation gate can run models on it. */
export function heldOutJsonl(examples: DatasetExample[]): string {
  return examples.map((e) => JSON.stringify({ messages: e.messages, task: e.task })).join('\n') + (examples.length ? '\n' : '');
}

export interface WrittenDataset {
  trainPath: string;
  heldOutPath: string;
}

/** Writes FILE and its held-out slice next to it (`FILE` → `FILE.heldout.jsonl`). */
export async function writeDataset(build: DatasetBuild, trainPath: string): Promise<WrittenDataset> {
  await mkdir(path.dirname(path.resolve(trainPath)), { recursive: true });
  const heldOutPath = trainPath.replace(/(\.jsonl)?$/, '.heldout.jsonl');
  await writeFile(trainPath, trainingJsonl(build.train), { mode: 0o600 });
  await writeFile(heldOutPath, heldOutJsonl(build.heldOut), { mode: 0o600 });
  return { trainPath, heldOutPath };
}

const REASON_TEXT: Record<DropReason, string> = {
  not_upvoted: 'no net 👍',
  fix_failed_tests: 'fix did not pass all tests',
  no_fix: 'no fix in the answer',
  duplicate: 'near-duplicate of a kept example',
  before_since: 'older than --since',
};

export function summariseBuild(build: DatasetBuild): string {
  const lines = [
    `Considered ${build.considered} interaction(s); kept ${build.train.length + build.heldOut.length} (${build.train.length} training, ${build.heldOut.length} held out).`,
  ];
  const dropped = Object.entries(build.dropped) as [DropReason, number][];
  if (dropped.length) {
    lines.push('Dropped:');
    for (const [reason, count] of dropped.sort((a, b) => b[1] - a[1])) lines.push(`  ${String(count).padStart(5)}  ${REASON_TEXT[reason]}`);
  }
  const scrubbed = Object.entries(build.scrubbed);
  if (scrubbed.length) {
    lines.push('Scrubbed from kept examples:');
    for (const [kind, count] of scrubbed) lines.push(`  ${String(count).padStart(5)}  ${kind.replace(/_/g, ' ')}`);
  }
  return lines.join('\n');
}

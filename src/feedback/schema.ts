import { z } from 'zod';

/**
 * Stored records are read back through these schemas: rows written by an older or newer version, or
 * edited by hand, are a trust boundary. Objects are loose so that fields other engineers add to
 * RepairResult survive a round trip.
 */
const platform = z.enum(['slack', 'discord', 'web', 'cli', 'eval']);
const testStatus = z.enum(['passed', 'failed', 'error', 'timeout']);

export const OriginSchema = z.looseObject({
  platform,
  workspace: z.string().optional(),
  channel: z.string().optional(),
  thread: z.string().optional(),
  user: z.string().optional(),
  message: z.string().optional(),
});

export const RepairResultSchema = z.looseObject({
  requestId: z.string(),
  status: z.enum(['fixed', 'not_pinned', 'partly_fixed', 'not_fixed', 'nothing_to_fix', 'needs_tests', 'cannot_run']),
  summary: z.string(),
  rationale: z.string().optional(),
  fixedCode: z.string().optional(),
  diff: z.string().optional(),
  tests: z.array(
    z.looseObject({
      id: z.string(),
      name: z.string(),
      before: testStatus,
      after: testStatus.optional(),
      detail: z.string().optional(),
    }),
  ),
  trace: z
    .looseObject({ testName: z.string(), rendered: z.string(), excerpt: z.string(), truncated: z.boolean() })
    .optional(),
  candidates: z.looseObject({ tried: z.number(), passed: z.number(), fromModel: z.number(), fromSearch: z.number() }),
  model: z.looseObject({ id: z.string(), promptVersion: z.string().optional() }),
  timings: z.looseObject({ totalMs: z.number() }),
});

export const StoredInteractionSchema = z.looseObject({
  id: z.string().min(1),
  createdAt: z.number(),
  origin: OriginSchema,
  request: z.looseObject({
    code: z.string(),
    tests: z.string().optional(),
    description: z.string().optional(),
    entryPoint: z.string().optional(),
    language: z.enum(['python', 'javascript', 'typescript']).optional(),
    confirmedTests: z.array(z.string()).optional(),
  }),
  result: RepairResultSchema,
  prompt: z.string().optional(),
  answerMessage: z.string().optional(),
});

export const FeedbackEventSchema = z.object({
  user: z.string(),
  vote: z.enum(['up', 'down']).nullable(),
  at: z.number(),
  source: z.enum(['reaction', 'button']),
});

/** One entry of the append-only interaction log. `deleted` tombstones keep the log free of holes. */
export const LogEntrySchema = z.object({
  id: z.string(),
  at: z.number(),
  deleted: z.literal(true).optional(),
});
export type LogEntry = z.infer<typeof LogEntrySchema>;

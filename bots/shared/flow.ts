/**
 * The part of answering a chat request that is the same on every platform: run the repair with a
 * deadline and throttled status updates, record the interaction for feedback, and build the request
 * from a parsed paste. Transport (where the status message lives, how the answer is posted) stays in
 * each bot.
 */
import type { Logger } from '../../src/log.ts';
import type { FeedbackStore, Interaction } from '../../src/feedback/types.ts';
import type { Origin, RepairRequest, RepairResult, RepairService } from '../../src/repair/types.ts';
import { appendTests } from '../../src/request/index.ts';
import { throttle } from './throttle.ts';
import { errorFields, progressLine } from './wording.ts';

export interface FlowDeps {
  service: RepairService;
  store: FeedbackStore;
  logger: Logger;
  /** Per-request budget; the engine gets `Date.now() + deadlineMs` as its deadline. */
  deadlineMs: number;
  /** Minimum time between two edits of the status message. */
  statusIntervalMs: number;
  /** Aborted when the bot stops. */
  signal: AbortSignal;
}

export interface ParsedPaste {
  code: string;
  tests?: string | undefined;
  description?: string | undefined;
  entryPoint?: string | undefined;
  /** Absent: Python. */
  language?: 'python' | 'javascript' | 'typescript' | undefined;
  /** Tests the user added by picking an offered answer (see RepairRequest.confirmedTests). */
  confirmedTests?: string[] | undefined;
}

/** A RepairRequest without undefined-valued optional keys (exactOptionalPropertyTypes). */
export function toRepairRequest(id: string, paste: ParsedPaste, origin: Origin): RepairRequest {
  const request: RepairRequest = { id, code: paste.code, origin };
  if (paste.tests !== undefined) request.tests = paste.tests;
  if (paste.description !== undefined) request.description = paste.description;
  if (paste.entryPoint !== undefined) request.entryPoint = paste.entryPoint;
  if (paste.language !== undefined && paste.language !== 'python') request.language = paste.language;
  if (paste.confirmedTests?.length) request.confirmedTests = paste.confirmedTests;
  return request;
}

/**
 * The stored paste run again with `test` appended to its tests. A test the user picked from the answers
 * the bot offered (`picked`) is also recorded as confirmed; an assert typed in a reply is only a test.
 */
export function withAddedTest(paste: ParsedPaste, test: string, picked: boolean): ParsedPaste {
  const again: ParsedPaste = { ...paste, tests: appendTests(paste.tests, test) };
  if (picked) again.confirmedTests = [...(paste.confirmedTests ?? []), test.trim()];
  return again;
}

/**
 * Runs the repair, pushing progress lines to `setStatus` (throttled, failures only logged), and
 * records the interaction. Resolves with the result; rejects with what the service rejected with.
 * The interaction id is the request id, so buttons and reactions can name it before the store answers.
 */
export async function runAndRecord(
  deps: FlowDeps,
  request: RepairRequest,
  setStatus: (line: string) => Promise<void>,
): Promise<{ result: RepairResult; recorded: boolean }> {
  const log = deps.logger.child({ requestId: request.id, platform: request.origin.platform });
  const status = throttle(setStatus, {
    intervalMs: deps.statusIntervalMs,
    onError: (error: unknown) => log.warn({ err: errorFields(error) }, 'status update failed'),
  });
  const started = Date.now();
  let result: RepairResult;
  try {
    result = await deps.service.run(request, {
      onProgress: (progress) => status.push(progressLine(progress)),
      signal: deps.signal,
      deadline: started + deps.deadlineMs,
    });
  } finally {
    // Progress that has not been shown yet is stale once the repair is over.
    await status.close();
  }
  log.info({ status: result.status, ms: Date.now() - started, tried: result.candidates.tried }, 'repair finished');
  let recorded = false;
  try {
    const interaction = {
      id: request.id,
      origin: request.origin,
      request: pickRequest(request),
      result,
      ...(result.prompt === undefined ? {} : { prompt: result.prompt }),
    };
    await deps.store.record(interaction);
    recorded = true;
  } catch (error) {
    // The answer is still worth sending; only feedback on it will be lost.
    log.warn({ err: errorFields(error) }, 'could not record the interaction');
  }
  return { result, recorded };
}

function pickRequest(request: RepairRequest): Interaction['request'] {
  const picked: Interaction['request'] = { code: request.code };
  if (request.tests !== undefined) picked.tests = request.tests;
  if (request.description !== undefined) picked.description = request.description;
  if (request.entryPoint !== undefined) picked.entryPoint = request.entryPoint;
  // A retry, a follow-up and the training set must run it in the language it was written in.
  if (request.language !== undefined) picked.language = request.language;
  // A later follow-up in the thread keeps what the user already confirmed.
  if (request.confirmedTests !== undefined) picked.confirmedTests = request.confirmedTests;
  return picked;
}

/** A thumbs-up or thumbs-down from a reaction name (Slack: `+1`, `+1::skin-tone-3`; Discord: 👍). */
export function voteOfReaction(name: string): 'up' | 'down' | undefined {
  const base = name.split('::')[0] ?? name;
  if (['+1', 'thumbsup', '👍'].includes(base) || base.startsWith('👍')) return 'up';
  if (['-1', 'thumbsdown', '👎'].includes(base) || base.startsWith('👎')) return 'down';
  return undefined;
}

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { TracefixError, isTracefixError } from '../../src/errors.ts';
import type { FeedbackStore } from '../../src/feedback/types.ts';
import { sendJson, type Route, type RouteContext } from '../../src/http/index.ts';
import type { Logger } from '../../src/log.ts';
import type { RepairRequest, RepairResult, RepairService } from '../../src/repair/types.ts';
import { runAndRecord, toRepairRequest } from '../shared/flow.ts';
import { createRateLimiter, type RateLimiter } from '../shared/rate-limit.ts';
import { choiceWording, errorMessage, factLines, headline, presentable, rateLimitMessage, type ChoiceWording } from '../shared/wording.ts';
import { hostAllowed, sameOriginPost, type OriginPolicy } from './guard.ts';
import { checkPaste } from './paste.ts';

export interface WebChatOptions {
  /** The engine or, usually, the JobQueue in front of it (already instrumented for metrics). */
  service: RepairService;
  store: FeedbackStore;
  limits: { maxPasteBytes: number; userPerHour: number };
  logger: Logger;
  /** Per-request budget (config.repair.deadlineMs). */
  deadlineMs?: number;
  /** Host names the page answers to; see OriginPolicy for the default. */
  allowedHosts?: readonly string[] | undefined;
  /**
   * The per-client limiter: shared with the other processes on Redis (openCounters with REDIS_URL), or
   * by default one per chat, in memory.
   */
  rateLimiter?: RateLimiter;
}

export interface WebChat {
  /** Mount these on the shared HTTP server. */
  routes: Route[];
  /** Cancels running repairs (their streams end with a message); call before closing the server. */
  close(): Promise<void>;
}

const PUBLIC = fileURLToPath(new URL('./public/', import.meta.url));

/**
 * Strict: our own script and stylesheet only, no inline code, no framing, no form posts, fetches to
 * ourselves only. User code reaches the page as JSON and is put into the DOM as text, never as HTML.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const STATIC: Record<string, { file: string; type: string }> = {
  '/': { file: PUBLIC + 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: PUBLIC + 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: PUBLIC + 'style.css', type: 'text/css; charset=utf-8' },
  '/favicon.svg': { file: PUBLIC + 'favicon.svg', type: 'image/svg+xml' },
  // The page has no bundler: the SSE parser's ES module build is self-contained, so it is served as it is.
  '/vendor/eventsource-parser.js': { file: fileURLToPath(import.meta.resolve('eventsource-parser')), type: 'text/javascript; charset=utf-8' },
};

const fixBody = z.object({
  code: z.string(),
  tests: z.string().optional(),
  description: z.string().optional(),
  entryPoint: z.string().max(200).optional(),
  confirmedTests: z.array(z.string().max(4000)).max(50).optional(),
});

const voteBody = z.object({
  id: z.string().min(1).max(200),
  vote: z.enum(['up', 'down']).nullable(),
  token: z.string().min(1).max(200),
});

class BodyTooLarge extends Error {}

const SHUTTING_DOWN = new TracefixError('cancelled', 'The service is restarting; please try again in a moment.', { retryable: true });

async function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new BodyTooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Web clients have no platform user id; the address stands in (the store pseudonymises it). */
function clientOf(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

/** One SSE frame. JSON data never contains a raw newline, so one `data:` line suffices. */
function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function createWebChat(options: WebChatOptions): WebChat {
  const { service, store, limits, logger } = options;
  const deadlineMs = options.deadlineMs ?? 120_000;
  const policy: OriginPolicy = { allowedHosts: options.allowedHosts };
  const limiter = options.rateLimiter ?? createRateLimiter({ userPerHour: limits.userPerHour, channelPerHour: Number.MAX_SAFE_INTEGER });
  // Votes carry a MAC of the interaction id, so only the page that got the answer can rate it.
  const voteSecret = randomBytes(32);
  const shutdown = new AbortController();
  const running = new Set<Promise<unknown>>();
  const files = new Map<string, { body: Buffer; type: string }>();
  for (const [path, { file, type }] of Object.entries(STATIC)) {
    files.set(path, { body: readFileSync(file), type });
  }
  // Three fields of up to maxPasteBytes each, plus JSON escaping; the paste check gives the precise message.
  const maxBody = limits.maxPasteBytes * 4 + 4096;

  const voteToken = (id: string): string => createHmac('sha256', voteSecret).update(id).digest('base64url');

  const serveStatic = (req: IncomingMessage, res: ServerResponse, context: RouteContext): void => {
    const file = files.get(context.url.pathname);
    if (!file || !hostAllowed(req, policy)) {
      sendJson(res, file ? 421 : 404, { error: file ? 'Unknown host name.' : 'Not found.' });
      return;
    }
    res.writeHead(200, {
      'content-type': file.type,
      'content-length': file.body.length,
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'cache-control': 'no-cache',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  };

  /** Shared front matter of both POSTs: origin checks and a bounded JSON body. */
  const readJson = async (req: IncomingMessage, res: ServerResponse, context: RouteContext): Promise<unknown> => {
    const refused = sameOriginPost(req, policy);
    if (refused) {
      context.logger.warn({ reason: refused }, 'web chat: refused a cross-site or malformed POST');
      sendJson(res, 403, { error: 'This request did not come from the tracefix page.' });
      return undefined;
    }
    try {
      return JSON.parse(await readBody(req, maxBody)) as unknown;
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        sendJson(res, 413, { code: 'too_large', error: `That paste is too large; the limit is ${limits.maxPasteBytes} bytes.` });
      } else {
        sendJson(res, 400, { code: 'bad_input', error: 'The request body is not valid JSON.' });
      }
      return undefined;
    }
  };

  const fix = async (req: IncomingMessage, res: ServerResponse, context: RouteContext): Promise<void> => {
    const json = await readJson(req, res, context);
    if (json === undefined) return;
    const parsed = fixBody.safeParse(json);
    if (!parsed.success) {
      sendJson(res, 400, { code: 'bad_input', error: 'The request is missing the code field.' });
      return;
    }
    let request: RepairRequest;
    try {
      const paste = checkPaste(parsed.data, limits.maxPasteBytes);
      request = toRepairRequest(context.requestId, paste, { platform: 'web', user: clientOf(req) });
    } catch (error) {
      const code = isTracefixError(error) ? error.code : 'bad_input';
      sendJson(res, code === 'too_large' ? 413 : 400, { code, error: errorMessage(error, context.requestId) });
      return;
    }
    const decision = await limiter.take(`web:${clientOf(req)}`, undefined);
    if (!decision.allowed) {
      sendJson(res, 429, { code: 'rate_limited', error: rateLimitMessage(decision) }, {
        'retry-after': String(Math.ceil(decision.retryAfterMs / 1000)),
      });
      return;
    }

    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    // After the page has gone, writes would only raise stream errors: drop them.
    const emit = (text: string): void => {
      if (!res.destroyed && !res.writableEnded) res.write(text);
    };
    emit(frame('accepted', { requestId: request.id }));
    // The page closing its stream means nobody will read the answer: stop the repair.
    const gone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) gone.abort();
    });
    const heartbeat = setInterval(() => emit(': keep-alive\n\n'), 15_000);
    const log = context.logger;
    const work = (async () => {
      try {
        const { result, recorded } = await runAndRecord(
          {
            service,
            store,
            logger,
            deadlineMs,
            statusIntervalMs: 150,
            signal: AbortSignal.any([gone.signal, shutdown.signal]),
          },
          request,
          (line) => {
            emit(frame('progress', { line }));
            return Promise.resolve();
          },
        );
        emit(frame('result', answer(result, recorded ? voteToken(request.id) : undefined)));
      } catch (error) {
        if (gone.signal.aborted) {
          log.info('web chat: client went away; repair cancelled');
        } else if (shutdown.signal.aborted) {
          // The engine reports its own "cancelled"; the page should know why, and that retrying will work.
          emit(frame('failure', { code: 'cancelled', error: errorMessage(SHUTTING_DOWN, request.id) }));
        } else {
          if (!isTracefixError(error) || error.code === 'internal') log.error({ err: error }, 'web chat: repair failed');
          else log.info({ errorCode: error.code }, 'web chat: repair answered with an error'); // `code` is redacted in logs (it names user code)
          emit(frame('failure', { code: isTracefixError(error) ? error.code : 'internal', error: errorMessage(error, request.id) }));
        }
      } finally {
        clearInterval(heartbeat);
        if (!res.destroyed) res.end();
      }
    })();
    running.add(work);
    try {
      await work;
    } finally {
      running.delete(work);
    }
  };

  const vote = async (req: IncomingMessage, res: ServerResponse, context: RouteContext): Promise<void> => {
    const json = await readJson(req, res, context);
    if (json === undefined) return;
    const parsed = voteBody.safeParse(json);
    if (!parsed.success) {
      sendJson(res, 400, { code: 'bad_input', error: 'A vote needs an answer id, up or down, and its token.' });
      return;
    }
    const { id, token } = parsed.data;
    const expected = Buffer.from(voteToken(id));
    const given = Buffer.from(token);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      sendJson(res, 403, { code: 'not_found', error: 'This answer can no longer be rated (the server restarted).' });
      return;
    }
    try {
      const updated = await store.vote(id, { vote: parsed.data.vote, at: Date.now(), source: 'button', user: clientOf(req) });
      if (!updated) {
        sendJson(res, 404, { code: 'not_found', error: 'This answer is no longer stored, so it cannot be rated.' });
        return;
      }
      context.logger.info({ interaction: id, vote: parsed.data.vote }, 'web chat: vote recorded');
      sendJson(res, 200, { ok: true, vote: parsed.data.vote });
    } catch (error) {
      context.logger.warn({ err: error, interaction: id }, 'web chat: vote not recorded');
      sendJson(res, 503, { code: 'store_unavailable', error: 'Your vote could not be saved right now; please try again.' });
    }
  };

  const routes: Route[] = [
    ...Object.keys(STATIC).map((path): Route => ({ method: 'GET', path, handler: serveStatic })),
    { method: 'POST', path: '/api/fix', handler: fix },
    { method: 'POST', path: '/api/feedback', handler: vote },
  ];

  return {
    routes,
    async close() {
      shutdown.abort(SHUTTING_DOWN);
      await Promise.allSettled([...running]);
    },
  };
}

/** What the page renders. Text only: the page puts every field into the DOM with textContent. */
export interface WebAnswer {
  requestId: string;
  status: RepairResult['status'];
  headline: string;
  passing: { before: number; after: number; total: number };
  summary: string;
  rationale?: string;
  diff?: string;
  fixedCode?: string;
  tests: RepairResult['tests'];
  trace?: { testName: string; rendered: string; truncated: boolean };
  /** The facts of the result as sentences (`backticks` mark code; the page renders them as code). */
  facts: string[];
  /** Present with status not_pinned: the question, and each option with the test that pins it. */
  choice?: ChoiceWording;
  /** What the program printed in the first failing test. */
  stdout?: string;
  candidates: RepairResult['candidates'];
  totalMs: number;
  /** Present when the interaction was stored: the page may offer 👍/👎. */
  voteToken?: string;
}

export function answer(raw: RepairResult, token: string | undefined): WebAnswer {
  const result = presentable(raw);
  const total = result.tests.length;
  const before = result.tests.filter((row) => row.before === 'passed').length;
  const after = result.tests.filter((row) => (row.after ?? row.before) === 'passed').length;
  const out: WebAnswer = {
    requestId: result.requestId,
    status: result.status,
    headline: headline(result),
    passing: { before, after, total },
    summary: result.summary,
    tests: result.tests,
    facts: factLines(result),
    candidates: result.candidates,
    totalMs: result.timings.totalMs,
  };
  if (result.choice !== undefined) out.choice = choiceWording(result.choice);
  const failing = result.facts?.failing?.testId;
  const stdout = result.stdout ?? result.tests.find((row) => row.id === failing)?.stdout ?? result.tests.find((row) => row.before !== 'passed' && row.stdout)?.stdout;
  if (stdout !== undefined && stdout !== '') out.stdout = stdout;
  if (result.rationale !== undefined) out.rationale = result.rationale;
  if (result.diff !== undefined) out.diff = result.diff;
  if (result.fixedCode !== undefined) out.fixedCode = result.fixedCode;
  if (result.trace) out.trace = { testName: result.trace.testName, rendered: result.trace.rendered, truncated: result.trace.truncated };
  if (token !== undefined) out.voteToken = token;
  return out;
}

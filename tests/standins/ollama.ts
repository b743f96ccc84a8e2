/**
 * A stand-in for Ollama's chat API on 127.0.0.1, for tests that run the REAL client (ChatOllama /
 * the ollama package) against it.
 *
 *   const server = await startOllamaStandIn({ replies: ['answer'], models: ['qwen2.5-coder'] });
 *   // OLLAMA_BASE_URL = server.url   (http://127.0.0.1:PORT)
 *   server.requests[0].prompt / .model / .temperature
 *   await server.close();
 *
 * Replies (queue, or `respond(request)`): `'text'`; `{ content: 'text', delayMs }`;
 * `{ status: 500, message: '...' }` answered as Ollama does, `{"error": "..."}`. `models` makes other
 * model names answer 404 "model 'x' not found". POST /api/chat streams NDJSON unless `stream: false`;
 * GET /api/tags lists the models. An empty queue answers 500.
 */
import type { ServerResponse } from 'node:http';
import { ScriptedReplies, delayed, isErrorReply, messagesOf, pieces, sendErrorReply, sendJson, serveModelStandIn, tokens } from './http-standin.ts';
import type { ModelServer, ModelStandInOptions, RecordedModelRequest } from './http-standin.ts';

export type OllamaReply =
  | string
  | { content: string; delayMs?: number }
  | { status: number; message?: string; headers?: Record<string, string>; delayMs?: number };

/** `temperature` is read from `options.temperature`; `stream` is true unless the body says false. */
export type RecordedOllamaRequest = RecordedModelRequest;

export type OllamaStandInOptions = ModelStandInOptions<RecordedOllamaRequest, OllamaReply>;

export interface OllamaStandIn extends ModelServer<RecordedOllamaRequest, OllamaReply> {
  /** `http://127.0.0.1:PORT`, for OLLAMA_BASE_URL. */
  readonly url: string;
}

/** Ollama's server (gin) sends JSON with a charset; so does the stand-in. */
const JSON_UTF8 = { 'content-type': 'application/json; charset=utf-8' };

const sendOllamaJson = (res: ServerResponse, status: number, body: unknown): void => sendJson(res, status, body, JSON_UTF8);

export async function startOllamaStandIn(options: OllamaStandInOptions = {}): Promise<OllamaStandIn> {
  const replies = new ScriptedReplies(options.replies, options.respond);

  return serveModelStandIn({
    name: 'ollama',
    replies,
    record(base, data) {
      // Ollama takes plain-string content only.
      const messages = messagesOf(data, (content) => (typeof content === 'string' ? content : ''));
      const opts = (data.options ?? {}) as Record<string, unknown>;
      return {
        ...base,
        messages,
        stream: data.stream !== false,
        temperature: typeof opts.temperature === 'number' ? opts.temperature : undefined,
        prompt: messages.map((m) => m.content).join('\n\n'),
      };
    },
    failure: (res, message) => sendOllamaJson(res, 500, { error: message }),
    async handle(request, _req, res) {
      if (request.method === 'GET' && request.path === '/api/tags') {
        sendOllamaJson(res, 200, { models: (options.models ?? []).map((name) => ({ name, model: name, size: 1 })) });
        return;
      }
      if (request.method !== 'POST' || request.path !== '/api/chat') {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('404 page not found');
        return;
      }
      if (options.models && (!request.model || !options.models.includes(request.model))) {
        sendOllamaJson(res, 404, { error: `model '${request.model}' not found` });
        return;
      }
      const reply = await replies.next(request);
      if (isErrorReply(reply)) {
        await sendErrorReply(res, reply, { error: reply.message ?? `stand-in error ${reply.status}` }, JSON_UTF8);
        return;
      }
      const text = typeof reply === 'string' ? reply : reply.content;
      if (!(await delayed(res, typeof reply === 'string' ? 0 : reply.delayMs))) return;
      const final = {
        model: request.model ?? 'stand-in',
        created_at: new Date().toISOString(),
        done: true,
        done_reason: 'stop',
        total_duration: 1,
        load_duration: 1,
        prompt_eval_count: tokens(request.prompt),
        prompt_eval_duration: 1,
        eval_count: tokens(text),
        eval_duration: 1,
      };
      if (!request.stream) {
        sendOllamaJson(res, 200, { ...final, message: { role: 'assistant', content: text } });
        return;
      }
      // NDJSON: a line a piece, then the final line with the counts and an empty message.
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      for (const piece of pieces(text)) {
        const chunk = { model: final.model, created_at: new Date().toISOString(), message: { role: 'assistant', content: piece }, done: false };
        res.write(`${JSON.stringify(chunk)}\n`);
      }
      res.write(`${JSON.stringify({ ...final, message: { role: 'assistant', content: '' } })}\n`);
      res.end();
    },
  });
}

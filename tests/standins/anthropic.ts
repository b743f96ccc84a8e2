/**
 * A stand-in for Anthropic's Messages API on 127.0.0.1, for tests that run the REAL client
 * (ChatAnthropic / @anthropic-ai/sdk) against it.
 *
 *   const server = await startAnthropicStandIn({ replies: ['answer'], apiKey: 'sk-ant-test' });
 *   // ANTHROPIC_BASE_URL = server.url   (http://127.0.0.1:PORT, the SDK adds /v1/messages)
 *   server.requests[0].system / .prompt / .model
 *   await server.close();
 *
 * Replies (queue, or `respond(request)`): `'text'`; `{ content: 'text', delayMs }`;
 * `{ status: 429, headers: { 'retry-after': '0' } }` and other errors in Anthropic's JSON shape.
 * The Messages API has no `n`: one reply per request. An empty queue answers 500. Streaming
 * (`stream: true`) is answered with the Messages SSE events.
 */
import type { ServerResponse } from 'node:http';
import { ScriptedReplies, delayed, eventStream, isErrorReply, messagesOf, pieces, sendErrorReply, sendJson, serveModelStandIn, textOf, tokens } from './http-standin.ts';
import type { ModelServer, ModelStandInOptions, RecordedModelRequest } from './http-standin.ts';

export type AnthropicReply =
  | string
  | { content: string; delayMs?: number }
  | { status: number; message?: string; type?: string; headers?: Record<string, string>; delayMs?: number };

export interface RecordedAnthropicRequest extends RecordedModelRequest {
  system: string;
  maxTokens: number | undefined;
  /** System prompt and every message's text, joined with blank lines. */
  prompt: string;
}

export interface AnthropicStandInOptions extends ModelStandInOptions<RecordedAnthropicRequest, AnthropicReply> {
  apiKey?: string;
}

export interface AnthropicStandIn extends ModelServer<RecordedAnthropicRequest, AnthropicReply> {
  /** Base URL without /v1, as the Anthropic SDK expects. */
  readonly url: string;
}

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  sendJson(res, status, { type: 'error', error: { type, message } });
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

export async function startAnthropicStandIn(options: AnthropicStandInOptions = {}): Promise<AnthropicStandIn> {
  const replies = new ScriptedReplies(options.replies, options.respond);
  let counter = 0;

  return serveModelStandIn({
    name: 'anthropic',
    replies,
    record(base, data) {
      const messages = messagesOf(data);
      const system = textOf(data.system);
      return {
        ...base,
        system,
        messages,
        stream: data.stream === true,
        temperature: typeof data.temperature === 'number' ? data.temperature : undefined,
        maxTokens: typeof data.max_tokens === 'number' ? data.max_tokens : undefined,
        prompt: [system, ...messages.map((m) => m.content)].filter(Boolean).join('\n\n'),
      };
    },
    failure: (res, message) => sendError(res, 500, 'api_error', message),
    async handle(request, req, res) {
      if (options.apiKey !== undefined && req.headers['x-api-key'] !== options.apiKey) {
        sendError(res, 401, 'authentication_error', 'invalid x-api-key');
        return;
      }
      if (request.method !== 'POST' || request.path !== '/v1/messages') {
        sendError(res, 404, 'not_found_error', `No route ${req.method} ${request.path}`);
        return;
      }
      if (options.models && (!request.model || !options.models.includes(request.model))) {
        sendError(res, 404, 'not_found_error', `model: ${request.model}`);
        return;
      }
      const reply = await replies.next(request);
      if (isErrorReply(reply)) {
        const type = ('type' in reply ? reply.type : undefined) ?? ERROR_TYPES[reply.status] ?? 'api_error';
        await sendErrorReply(res, reply, { type: 'error', error: { type, message: reply.message ?? `stand-in error ${reply.status}` } });
        return;
      }
      const text = typeof reply === 'string' ? reply : reply.content;
      if (!(await delayed(res, typeof reply === 'string' ? 0 : reply.delayMs))) return;
      counter += 1;
      const id = `msg_standin_${counter}`;
      const model = request.model ?? 'stand-in';
      const usage = { input_tokens: tokens(request.prompt), output_tokens: tokens(text) };
      if (!request.stream) {
        sendJson(res, 200, {
          id,
          type: 'message',
          role: 'assistant',
          model,
          content: [{ type: 'text', text }],
          stop_reason: 'end_turn',
          stop_sequence: null,
          usage,
        });
        return;
      }
      const send = eventStream(res);
      send(
        {
          type: 'message_start',
          message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 0 } },
        },
        'message_start',
      );
      send({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, 'content_block_start');
      for (const piece of pieces(text)) {
        send({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } }, 'content_block_delta');
      }
      send({ type: 'content_block_stop', index: 0 }, 'content_block_stop');
      send({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: usage.output_tokens } }, 'message_delta');
      send({ type: 'message_stop' }, 'message_stop');
      res.end();
    },
  });
}

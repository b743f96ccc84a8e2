/**
 * Shared pieces of the self-training end-to-end tests: a scripted chat model whose answers depend on
 * which model id is asked and which program is in the prompt (deterministic), and small repair tasks.
 */
import type { OpenAIChatReply, RecordedChatRequest } from '../standins/openai-chat.ts';

export interface ScriptedTask {
  /** Function name: how the script recognises the task in a prompt. */
  name: string;
  code: string;
  tests: string;
  fix: string;
  wrong: string;
}

export function answer(rationale: string, code: string): string {
  return `${rationale}\n\n\`\`\`python\n${code.trimEnd()}\n\`\`\``;
}

/** The program under repair is in the last user message; the exemplars' programs come earlier. */
export function lastUserMessage(request: RecordedChatRequest): string {
  return [...request.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
}

/**
 * `good(request)` decides, per choice index, whether that sample is right. Returns `n` choices so
 * both n-sampling and one-by-one sampling get the same answers.
 */
export function scriptedReply(
  tasks: ScriptedTask[],
  good: (request: RecordedChatRequest, task: ScriptedTask, choice: number) => boolean,
): (request: RecordedChatRequest) => OpenAIChatReply {
  return (request) => {
    const prompt = lastUserMessage(request);
    const task = tasks.find((t) => new RegExp(`def ${t.name}\\(`).test(prompt));
    if (!task) return { content: Array.from({ length: request.n }, () => 'I cannot tell which program this is.') };
    return {
      content: Array.from({ length: request.n }, (_, i) =>
        good(request, task, i)
          ? answer(`The trace shows ${task.name} computing the wrong value; the fix corrects it.`, task.fix)
          : answer(`Maybe this helps ${task.name}.`, task.wrong),
      ),
    };
  };
}

/**
 * One base URL in front of two stand-ins, as api.openai.com serves both chat and fine-tuning: paths
 * under /v1/files and /v1/fine_tuning go to `fineTuning`, everything else to `chat`. Lets a test
 * configure the product exactly as production (one OPENAI_BASE_URL).
 */
export async function startOpenAIRouter(chat: string, fineTuning: string): Promise<{ url: string; close(): Promise<void> }> {
  const { createServer, request } = await import('node:http');
  const server = createServer((req, res) => {
    const target = new URL(/^\/v1\/(files|fine_tuning)/.test(req.url ?? '') ? fineTuning : chat);
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/v1`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A clock whose timers fire when the test advances it; sleep (job polling) passes at once. */
export function manualClock(start = Date.parse('2026-11-21T10:00:00Z')) {
  let t = start;
  let timers: { at: number; callback: () => void }[] = [];
  return {
    now: () => t,
    sleep: (ms: number) => {
      t += ms;
      return Promise.resolve();
    },
    setTimer(callback: () => void, ms: number) {
      const timer = { at: t + ms, callback };
      timers.push(timer);
      return { cancel: () => void (timers = timers.filter((x) => x !== timer)) };
    },
    advance(ms: number) {
      t += ms;
      const due = timers.filter((x) => x.at <= t);
      timers = timers.filter((x) => x.at > t);
      for (const timer of due) timer.callback();
    },
  };
}

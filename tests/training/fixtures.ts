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

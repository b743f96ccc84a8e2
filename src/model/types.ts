/** The NExT prompt's inputs; prompts/ turns them into messages. */
export interface PromptInput {
  /** The program's language; absent means Python. Picks the prompt (and its exemplars) and the code fences. */
  language?: 'python' | 'javascript' | 'typescript';
  description?: string;
  program: string;
  tests?: string;
  /** The NExT-annotated program of the failing test; absent in the --no-trace ablation. */
  trace?: string;
  /** The failing test and what went wrong, one line each. */
  failures: string[];
  /** Second round: an earlier candidate that still failed, with its trace. */
  previousAttempt?: { program: string; trace?: string; failures: string[] };
}

export interface Candidate {
  rationale: string;
  code: string;
  /** The exact prompt text the model answered (kept with the answer as fine-tuning input). */
  promptText?: string;
}

/** A source of candidate fixes. LangChain chat models implement it; so does a scripted stand-in. */
export interface RepairModel {
  /** Model id recorded with every answer (a promoted fine-tune changes it at run time). */
  readonly id: string;
  readonly promptVersion: string;
  /** The prompt version a request in `language` is answered with, when it differs by language. */
  promptVersionFor?(language?: PromptInput['language']): string;
  /** k samples; malformed answers are dropped, never thrown. Rejects with TracefixError on auth/rate/network faults. */
  propose(input: PromptInput, k: number, options?: { signal?: AbortSignal; entryPoint?: string }): Promise<Candidate[]>;
}

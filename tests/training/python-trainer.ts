/**
 * The Python side of the local-trainer tests: is there an interpreter with torch, transformers, peft
 * and tokenizers (.ci/run makes .venv-trainer from the machine's wheel index), a tiny base model built
 * from nothing, and the OpenAI-compatible test server over transformers.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { defaultTrainerPython, SERVER_SCRIPT } from '../../src/training/providers/index.ts';

export const TRAINER_PYTHON = process.env.TRAINER_PYTHON ?? defaultTrainerPython();
const TINY_MODEL_SCRIPT = fileURLToPath(new URL('./tiny-model.py', import.meta.url));

/** undefined when the packages import; otherwise why the tests skip (printed once). */
export function trainerUnavailable(): string | undefined {
  const probe = spawnSync(TRAINER_PYTHON, ['-c', 'import torch, transformers, peft, tokenizers, safetensors'], { encoding: 'utf8', timeout: 180_000 });
  if (probe.status === 0) return undefined;
  const why = (probe.error?.message ?? probe.stderr.trim().split('\n').at(-1) ?? 'unknown').slice(0, 200);
  return `${TRAINER_PYTHON} cannot import torch/transformers/peft/tokenizers (${why}); run .ci/run or set TRAINER_PYTHON`;
}

/** A 2-layer Llama with random weights and a BPE tokenizer trained on `corpusFile`, saved to `out`. */
export function buildTinyModel(corpusFile: string, out: string): void {
  const run = spawnSync(TRAINER_PYTHON, [TINY_MODEL_SCRIPT, '--text', corpusFile, '--out', out], { encoding: 'utf8', timeout: 300_000 });
  if (run.status !== 0) throw new Error(`tiny-model.py failed: ${run.stderr.slice(-2000)}`);
}

export interface ModelServer {
  url: string;
  close(): Promise<void>;
}

/** serve.py on an ephemeral port; resolves once it prints its address. */
export async function startModelServer(args: string[]): Promise<ModelServer> {
  const child: ChildProcess = spawn(TRAINER_PYTHON, [SERVER_SCRIPT, '--port', '0', '--threads', '1', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      try {
        const event = JSON.parse(line) as { event?: string; url?: string };
        if (event.event === 'listening' && event.url) resolve(event.url);
      } catch {
        // not the address line
      }
    });
    child.once('exit', (code) => reject(new Error(`serve.py exited with ${code}: ${stderr}`)));
  });
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

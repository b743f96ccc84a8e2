import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { TracefixError } from '../../errors.ts';
import type { FineTuneJob, FineTuneProgress, FineTuneProvider, FineTuneStatus } from './types.ts';

/**
 * The operator's own trainer (for self-hosted models served by an OpenAI-compatible server), e.g.
 *   FINE_TUNE_COMMAND='python3 train.py --data {dataset} --out {output} --base {base_model}'
 * The line is split into words once, here, like a shell would split it (quotes, backslashes) but with
 * no expansion, and the placeholders are substituted inside words afterwards: a dataset path or model
 * name can never add arguments or run anything, because no shell ever sees them.
 *
 * The trainer reports the model id to serve by writing {output}/result.json ({"model_id": "..."}) or,
 * failing that, as the last line of its stdout. Exit code non-zero = failed.
 * Each job has a folder (status.json, stdout.log, stderr.log, output/) so status survives a restart.
 */

export interface CommandFineTuneOptions {
  /** A command line (split here, no shell) or the words already split. */
  command: string | string[];
  /** How jobs are labelled in the registry (the local provider runs through this one). */
  name?: Extract<FineTuneJob['provider'], 'command' | 'local'>;
  /** Every progress line the trainer prints, as it comes (the CLI shows them). */
  onProgress?: (job: string, progress: FineTuneProgress) => void;
  /** Parent folder of job folders (e.g. <dataDir>/training/jobs). */
  workDir: string;
  now?: () => number;
}

export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && (line[i + 1] === '"' || line[i + 1] === '\\')) word += line[++i];
      else word += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new TracefixError('bad_config', 'Invalid setting FINE_TUNE_COMMAND: unclosed quote');
  if (inWord) words.push(word);
  return words;
}

const StatusFileSchema = z.object({
  state: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
  modelId: z.string().optional(),
  error: z.string().optional(),
  pid: z.number().optional(),
});

const ProgressLineSchema = z.object({ event: z.literal('step'), step: z.number(), steps: z.number(), loss: z.number() });

/** A `{"event": "step", ...}` line, or undefined for any other output. */
export function progressOf(line: string): FineTuneProgress | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const parsed = ProgressLineSchema.safeParse(JSON.parse(line));
    return parsed.success ? { step: parsed.data.step, steps: parsed.data.steps, loss: parsed.data.loss } : undefined;
  } catch {
    return undefined;
  }
}

const ErrorLineSchema = z.object({ event: z.literal('error'), message: z.string() });

/** The message of the last `{"event": "error", ...}` line in the trainer's output, if any. */
function errorOf(stdoutTail: string): string | undefined {
  for (const line of stdoutTail.trimEnd().split('\n').reverse()) {
    if (!line.startsWith('{')) continue;
    try {
      const parsed = ErrorLineSchema.safeParse(JSON.parse(line));
      if (parsed.success) return parsed.data.message.slice(0, 300);
    } catch {
      // not ours
    }
  }
  return undefined;
}

const ResultFileSchema = z.looseObject({ model_id: z.string().optional(), modelId: z.string().optional(), model: z.string().optional() });

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function createCommandFineTuneProvider(options: CommandFineTuneOptions): FineTuneProvider {
  const template = typeof options.command === 'string' ? splitCommandLine(options.command) : options.command;
  if (template.length === 0) throw new TracefixError('bad_config', 'Invalid setting FINE_TUNE_COMMAND: empty');
  const now = options.now ?? Date.now;
  const running = new Map<string, ChildProcess>();
  const progress = new Map<string, FineTuneProgress>();
  const name = options.name ?? 'command';

  const statusFile = (dir: string) => path.join(dir, 'status.json');
  // Write-then-rename: a reader never sees a half-written status file.
  const writeStatus = async (dir: string, status: z.infer<typeof StatusFileSchema>) => {
    const temp = `${statusFile(dir)}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temp, JSON.stringify(status) + '\n');
    await rename(temp, statusFile(dir));
  };

  async function readStatus(dir: string): Promise<z.infer<typeof StatusFileSchema> | undefined> {
    try {
      return StatusFileSchema.parse(JSON.parse(await readFile(statusFile(dir), 'utf8')));
    } catch {
      return undefined;
    }
  }

  async function modelIdOf(output: string, stdoutTail: string): Promise<string | undefined> {
    try {
      const parsed = ResultFileSchema.parse(JSON.parse(await readFile(path.join(output, 'result.json'), 'utf8')));
      const id = parsed.model_id ?? parsed.modelId ?? parsed.model;
      if (id) return id;
    } catch {
      // no result file: fall back to stdout
    }
    const last = stdoutTail.trimEnd().split('\n').at(-1)?.trim();
    // A trainer speaking tracefix's JSON lines ends with {"event": "done", "model_id": ...}.
    if (last?.startsWith('{')) {
      try {
        return ResultFileSchema.parse(JSON.parse(last)).model_id;
      } catch {
        return undefined;
      }
    }
    return last ? last : undefined;
  }

  return {
    name,
    async submit(datasetPath, { baseModel, suffix }) {
      const id = `${name === 'local' ? 'local' : 'cmd'}-${now().toString(36)}-${randomBytes(3).toString('hex')}`;
      const dir = path.resolve(options.workDir, id);
      const output = path.join(dir, 'output');
      await mkdir(output, { recursive: true });
      const values: Record<string, string> = { dataset: path.resolve(datasetPath), output, base_model: baseModel, suffix };
      const argv = template.map((word) => word.replace(/\{(dataset|output|base_model|suffix)\}/g, (_, name: string) => values[name] ?? ''));
      const [file, ...args] = argv as [string, ...string[]];
      const stdoutLog = createWriteStream(path.join(dir, 'stdout.log'));
      const stderrLog = createWriteStream(path.join(dir, 'stderr.log'));
      let tail = '';
      let partial = '';
      const child = spawn(file, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], shell: false });
      const started = new Promise<void>((resolve, reject) => {
        child.once('spawn', () => resolve());
        child.once('error', reject);
      });
      child.stdout.on('data', (chunk: Buffer) => {
        stdoutLog.write(chunk);
        const text = chunk.toString('utf8');
        tail = (tail + text).slice(-4096);
        const lines = (partial + text).split('\n');
        partial = (lines.pop() ?? '').slice(-4096);
        for (const line of lines) {
          const step = progressOf(line.trim());
          if (!step) continue;
          progress.set(id, step);
          options.onProgress?.(id, step);
        }
      });
      child.stderr.pipe(stderrLog);
      try {
        await started;
      } catch (error) {
        throw new TracefixError('fine_tune_failed', `Could not start the trainer command "${file}".`, {
          cause: error,
          detail: `trainer spawn failed: ${(error as Error).message}`,
        });
      }
      running.set(id, child);
      const initial = writeStatus(dir, { state: 'running', ...(child.pid !== undefined ? { pid: child.pid } : {}) });
      child.once('close', (code, signal) => {
        stdoutLog.end();
        // A last progress line without its newline still counts.
        const last = progressOf(partial.trim());
        if (last) {
          progress.set(id, last);
          options.onProgress?.(id, last);
        }
        const finish = async () => {
          await initial.catch(() => undefined);
          const current = await readStatus(dir);
          if (current?.state === 'cancelled') return;
          if (code === 0) {
            const modelId = await modelIdOf(output, tail);
            await writeStatus(dir, modelId ? { state: 'succeeded', modelId } : { state: 'failed', error: 'trainer exited 0 without naming a model' });
          } else {
            const said = errorOf(tail);
            await writeStatus(dir, { state: 'failed', error: `trainer exited with ${signal ?? `code ${code}`}${said ? `: ${said}` : ''} (see ${path.join(dir, 'stderr.log')})` });
          }
        };
        void finish()
          .catch(() => undefined)
          .finally(() => running.delete(id));
      });
      await initial;
      return { id, provider: name, baseModel, submittedAt: now(), dir };
    },

    async status(job): Promise<FineTuneStatus> {
      const dir = job.dir;
      if (!dir) return { state: 'failed', error: 'job has no folder' };
      const stored = await readStatus(dir);
      const step = progress.get(job.id);
      if (!stored) return running.has(job.id) ? { state: 'running', ...(step ? { progress: step } : {}) } : { state: 'failed', error: 'trainer left no status' };
      if (stored.state === 'running' && !running.has(job.id) && !(stored.pid !== undefined && alive(stored.pid))) {
        // The close handler may be writing the final status right now: look once more.
        const again = await readStatus(dir);
        if (again && again.state !== 'running') {
          return { state: again.state, ...(again.modelId ? { modelId: again.modelId } : {}), ...(again.error ? { error: again.error } : {}), ...(step ? { progress: step } : {}) };
        }
        return { state: 'failed', error: 'trainer process ended without reporting (tracefix restarted?)' };
      }
      return {
        state: stored.state,
        ...(stored.modelId ? { modelId: stored.modelId } : {}),
        ...(stored.error ? { error: stored.error } : {}),
        ...(step ? { progress: step } : {}),
      };
    },

    async cancel(job) {
      if (!job.dir) return;
      const stored = await readStatus(job.dir);
      if (stored && stored.state !== 'running' && stored.state !== 'queued') return;
      await writeStatus(job.dir, { state: 'cancelled' });
      const child = running.get(job.id);
      if (child) child.kill('SIGTERM');
      else if (stored?.pid !== undefined && alive(stored.pid)) process.kill(stored.pid, 'SIGTERM');
    },
  };
}

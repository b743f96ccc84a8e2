/**
 * A stand-in for OpenAI's fine-tuning API on 127.0.0.1, for tests that run the REAL openai SDK (the
 * `openai` fine-tune provider) against it:
 *
 *   const api = await startFineTuningStandIn({ modelId: (job) => `ft:${job.model}:tracefix:1` });
 *   // FineTuneProvider openai with baseUrl = api.url  (http://127.0.0.1:PORT/v1)
 *   api.files[0].content                  // the uploaded JSONL, as received
 *   api.jobs[0].status                    // validating_files → queued → running → succeeded, one step per poll
 *   api.failNext('training loss diverged')   // the next job created ends "failed" with this message
 *   await api.waitForRequest((r) => r.path.endsWith('/cancel'));
 *   await api.close();
 *
 * Routes: POST /v1/files (multipart: purpose + file), GET /v1/files/:id, POST /v1/fine_tuning/jobs,
 * GET /v1/fine_tuning/jobs/:id (each GET advances the job one state), POST …/:id/cancel,
 * GET …/:id/events. Errors use OpenAI's JSON shape. `apiKey` makes every route answer 401 without
 * `Authorization: Bearer <apiKey>`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** JSON bodies parsed; multipart bodies as raw text. */
  body: unknown;
}

export interface StandInFile {
  id: string;
  filename: string;
  purpose: string;
  content: string;
  bytes: number;
}

export type JobStatus = 'validating_files' | 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface StandInJob {
  id: string;
  model: string;
  suffix: string | null;
  training_file: string;
  validation_file: string | null;
  status: JobStatus;
  fine_tuned_model: string | null;
  error: { code: string; message: string; param: null } | null;
  created_at: number;
  finished_at: number | null;
  polls: number;
  events: { id: string; created_at: number; level: string; message: string }[];
  /** Set by failNext: the job fails instead of succeeding. */
  failWith?: string;
}

export interface FineTuningStandInOptions {
  apiKey?: string;
  /** The fine-tuned model id a succeeded job reports. Default `ft:<model>:<suffix>:<job number>`. */
  modelId?: (job: StandInJob) => string;
  /** Polls spent in each state before the next (default 1: validating → queued → running → done). */
  pollsPerState?: number;
}

export interface FineTuningStandIn {
  readonly url: string;
  readonly requests: RecordedRequest[];
  readonly files: StandInFile[];
  readonly jobs: StandInJob[];
  failNext(message?: string): void;
  waitForRequest(predicate?: (r: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  close(): Promise<void>;
}

const ORDER: JobStatus[] = ['validating_files', 'queued', 'running', 'succeeded'];

function parseMultipart(body: Buffer, contentType: string): Record<string, { filename?: string; value: string }> {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const marker = boundary?.[1] ?? boundary?.[2];
  const fields: Record<string, { filename?: string; value: string }> = {};
  if (!marker) return fields;
  for (const part of body.toString('utf8').split(`--${marker}`)) {
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const head = part.slice(0, split);
    const name = /name="([^"]*)"/i.exec(head)?.[1];
    if (!name) continue;
    const filename = /filename="([^"]*)"/i.exec(head)?.[1];
    const value = part.slice(split + 4).replace(/\r\n$/, '');
    fields[name] = filename === undefined ? { value } : { filename, value };
  }
  return fields;
}

export async function startFineTuningStandIn(options: FineTuningStandInOptions = {}): Promise<FineTuningStandIn> {
  const requests: RecordedRequest[] = [];
  const files: StandInFile[] = [];
  const jobs: StandInJob[] = [];
  const waiters: { predicate: (r: RecordedRequest) => boolean; resolve: (r: RecordedRequest) => void }[] = [];
  let failMessage: string | undefined;
  const perState = options.pollsPerState ?? 1;
  const now = () => Math.floor(Date.now() / 1000);

  const send = (res: ServerResponse, status: number, payload: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(payload));
  };
  const error = (res: ServerResponse, status: number, message: string, code: string | null = null) =>
    send(res, status, { error: { message, type: status === 401 ? 'invalid_request_error' : 'invalid_request_error', param: null, code } });

  const event = (job: StandInJob, message: string, level = 'info') =>
    job.events.push({ id: `ftevent-${job.events.length + 1}`, created_at: now(), level, message });

  const view = (job: StandInJob) => {
    const { polls: _polls, events: _events, failWith: _failWith, ...rest } = job;
    return {
      object: 'fine_tuning.job',
      ...rest,
      organization_id: 'org-standin',
      result_files: [],
      trained_tokens: job.status === 'succeeded' ? 1000 : null,
      hyperparameters: { n_epochs: 'auto', batch_size: 'auto', learning_rate_multiplier: 'auto' },
      seed: 42,
      estimated_finish: null,
      integrations: [],
      method: { type: 'supervised' },
    };
  };

  const advance = (job: StandInJob) => {
    if (job.status === 'succeeded' || job.status === 'failed' || job.status === 'cancelled') return;
    job.polls++;
    if (job.polls < perState) return;
    job.polls = 0;
    const next = ORDER[ORDER.indexOf(job.status) + 1] ?? 'succeeded';
    if (next === 'succeeded' && job.failWith !== undefined) {
      job.status = 'failed';
      job.error = { code: 'training_failed', message: job.failWith, param: null };
      job.finished_at = now();
      event(job, `Job failed: ${job.failWith}`, 'error');
      return;
    }
    job.status = next;
    if (next === 'succeeded') {
      job.fine_tuned_model = options.modelId?.(job) ?? `ft:${job.model}:${job.suffix ?? 'standin'}:${jobs.indexOf(job) + 1}`;
      job.finished_at = now();
      event(job, `New fine-tuned model created: ${job.fine_tuned_model}`);
      event(job, 'The job has successfully completed');
    } else {
      event(job, next === 'queued' ? 'Files validated, moving job to queued state' : 'Fine-tuning job started');
    }
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://standin');
    const contentType = req.headers['content-type'] ?? '';
    let body: unknown = raw.length ? raw.toString('utf8') : undefined;
    if (contentType.includes('application/json') && raw.length) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return error(res, 400, 'invalid JSON body');
      }
    }
    const recorded: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, headers: req.headers, body };
    requests.push(recorded);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(recorded)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(recorded);
      }
    }
    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      return error(res, 401, 'Incorrect API key provided.', 'invalid_api_key');
    }
    const method = req.method ?? 'GET';
    const path = url.pathname;

    if (method === 'POST' && path === '/v1/files') {
      if (!contentType.startsWith('multipart/form-data')) return error(res, 400, 'expected multipart/form-data');
      const fields = parseMultipart(raw, contentType);
      const file = fields.file;
      const purpose = fields.purpose?.value;
      if (!file || file.filename === undefined) return error(res, 400, "Missing required parameter: 'file'");
      if (!purpose) return error(res, 400, "Missing required parameter: 'purpose'");
      if (purpose === 'fine-tune') {
        for (const [i, line] of file.value.split('\n').entries()) {
          if (line.trim() === '') continue;
          try {
            const parsed = JSON.parse(line) as { messages?: unknown };
            if (!Array.isArray(parsed.messages)) throw new Error('no messages');
          } catch {
            return error(res, 400, `Invalid file format: line ${i + 1} is not a chat example`, 'invalid_file_format');
          }
        }
      }
      const stored: StandInFile = { id: `file-${files.length + 1}`, filename: file.filename, purpose, content: file.value, bytes: Buffer.byteLength(file.value) };
      files.push(stored);
      return send(res, 200, { object: 'file', id: stored.id, bytes: stored.bytes, created_at: now(), filename: stored.filename, purpose, status: 'processed' });
    }
    const fileMatch = /^\/v1\/files\/([^/]+)$/.exec(path);
    if (method === 'GET' && fileMatch) {
      const file = files.find((f) => f.id === fileMatch[1]);
      if (!file) return error(res, 404, 'No such File object', 'file_not_found');
      return send(res, 200, { object: 'file', id: file.id, bytes: file.bytes, created_at: now(), filename: file.filename, purpose: file.purpose, status: 'processed' });
    }
    if (method === 'POST' && path === '/v1/fine_tuning/jobs') {
      const params = (body ?? {}) as { model?: unknown; training_file?: unknown; suffix?: unknown; validation_file?: unknown };
      if (typeof params.model !== 'string') return error(res, 400, "Missing required parameter: 'model'");
      if (typeof params.training_file !== 'string' || !files.some((f) => f.id === params.training_file)) {
        return error(res, 400, `invalid training_file: ${String(params.training_file)}`, 'invalid_training_file');
      }
      const job: StandInJob = {
        id: `ftjob-${jobs.length + 1}`,
        model: params.model,
        suffix: typeof params.suffix === 'string' ? params.suffix : null,
        training_file: params.training_file,
        validation_file: typeof params.validation_file === 'string' ? params.validation_file : null,
        status: 'validating_files',
        fine_tuned_model: null,
        error: null,
        created_at: now(),
        finished_at: null,
        polls: 0,
        events: [],
        ...(failMessage !== undefined ? { failWith: failMessage } : {}),
      };
      failMessage = undefined;
      event(job, `Created fine-tuning job: ${job.id}`);
      jobs.push(job);
      return send(res, 200, view(job));
    }
    const jobMatch = /^\/v1\/fine_tuning\/jobs\/([^/]+)(\/cancel|\/events)?$/.exec(path);
    if (jobMatch) {
      const job = jobs.find((j) => j.id === jobMatch[1]);
      if (!job) return error(res, 404, `Could not find fine-tune job: ${jobMatch[1]}`, 'fine_tune_job_not_found');
      if (method === 'GET' && !jobMatch[2]) {
        advance(job);
        return send(res, 200, view(job));
      }
      if (method === 'POST' && jobMatch[2] === '/cancel') {
        if (job.status === 'succeeded' || job.status === 'failed' || job.status === 'cancelled') {
          return error(res, 400, `Job has already completed: ${job.status}`);
        }
        job.status = 'cancelled';
        job.finished_at = now();
        event(job, 'Job cancelled');
        return send(res, 200, view(job));
      }
      if (method === 'GET' && jobMatch[2] === '/events') {
        const data = [...job.events].reverse().map((e) => ({ object: 'fine_tuning.job.event', type: 'message', data: {}, ...e }));
        return send(res, 200, { object: 'list', data, has_more: false });
      }
    }
    return error(res, 404, `Unknown route ${method} ${path}`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => error(res, 500, String(e)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    files,
    jobs,
    failNext(message = 'The job failed due to an internal error.') {
      failMessage = message;
    },
    waitForRequest(predicate = () => true, timeoutMs = 2000) {
      const found = requests.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = { predicate, resolve };
        waiters.push(waiter);
        setTimeout(() => {
          const at = waiters.indexOf(waiter);
          if (at >= 0) {
            waiters.splice(at, 1);
            reject(new Error(`fine-tuning stand-in: no matching request within ${timeoutMs} ms`));
          }
        }, timeoutMs).unref();
      });
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

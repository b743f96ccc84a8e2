/**
 * A stand-in for E2B's envd (the agent inside every E2B sandbox), so the REAL `e2b` SDK in debug mode
 * (it talks to http://localhost:49983) can drive the real `e2b` backend in CI. Three routes, as
 * TESTING.md records them: /health, /files (upload/download) and the Connect-protocol streaming call
 * /process.Process/Start, plus /process.Process/SendSignal for `CommandHandle.kill()`.
 *
 * Commands run with this machine's /bin/bash and python3 inside the same jail as the process backend
 * (rlimits, unprivileged uid, bubblewrap when it works), with the stand-in's file tree mounted at
 * /home/user, so the contract suite's hostile cases stay contained here too.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { z } from 'zod';
import { isRoot, killTree, probeBubblewrap, runnerUid, spawnJailed } from '../../sandbox/process/jail.ts';

export const ENVD_DEBUG_PORT = 49983;

export interface RecordedRequest {
  method: string;
  path: string;
  sandboxId: string | undefined;
}

const StartSchema = z.object({
  process: z.object({ cmd: z.string(), args: z.array(z.string()).optional(), cwd: z.string().optional() }),
});
const SignalSchema = z.object({ process: z.object({ pid: z.number() }), signal: z.string().optional() });

function envelope(flag: number, body: unknown): Buffer {
  const json = Buffer.from(JSON.stringify(body));
  const head = Buffer.alloc(5);
  head.writeUInt8(flag, 0);
  head.writeUInt32BE(json.length, 1);
  return Buffer.concat([head, json]);
}

async function readBody(req: IncomingMessage, limit = 64 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new Error('body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export class EnvdStandIn {
  readonly requests: RecordedRequest[] = [];
  /** Host folder standing for the sandbox's filesystem root. */
  readonly root = mkdtempSync(join(tmpdir(), 'tracefix-envd-'));
  readonly isolated = probeBubblewrap().ok;
  private readonly server: Server;
  private readonly processes = new Map<number, ChildProcessWithoutNullStreams>();

  constructor() {
    // The jailed command runs as an unprivileged uid: it must be able to reach (not write) the tree.
    chmodSync(this.root, 0o755);
    mkdirSync(join(this.root, 'home/user'), { recursive: true, mode: 0o755 });
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: error instanceof Error ? error.message : 'error' }));
      });
    });
  }

  /** Listens on the SDK's fixed debug port (both IPv4 and IPv6 loopback: `localhost` may mean either). */
  async start(port = ENVD_DEBUG_PORT): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ port, host: '::', ipv6Only: false }, () => resolve());
    });
  }

  async stop(): Promise<void> {
    for (const child of this.processes.values()) killTree(child);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.root, { recursive: true, force: true });
  }

  async waitFor(match: (r: RecordedRequest) => boolean, timeoutMs = 2_000): Promise<RecordedRequest> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const found = this.requests.find(match);
      if (found) return found;
      if (Date.now() > until) throw new Error('envd stand-in: expected request did not arrive');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private hostPath(sandboxPath: string): string {
    const clean = normalize(`/${sandboxPath}`);
    if (clean.includes('..')) throw new Error('bad path');
    return join(this.root, clean);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const sandboxId = req.headers['e2b-sandbox-id'];
    this.requests.push({ method: req.method ?? '', path: url.pathname, sandboxId: Array.isArray(sandboxId) ? sandboxId[0] : sandboxId });
    if (url.pathname === '/health') {
      res.writeHead(204).end();
    } else if (url.pathname === '/files' && req.method === 'POST') {
      await this.upload(req, res, url);
    } else if (url.pathname === '/files' && req.method === 'GET') {
      const path = url.searchParams.get('path') ?? '';
      try {
        const data = readFileSync(this.hostPath(path));
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(data);
      } catch {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 404, message: 'file not found' }));
      }
    } else if (url.pathname === '/process.Process/Start' && req.method === 'POST') {
      await this.startProcess(req, res);
    } else if (url.pathname === '/process.Process/SendSignal' && req.method === 'POST') {
      const body = SignalSchema.parse(JSON.parse((await readBody(req)).toString('utf8')));
      const child = this.processes.get(body.process.pid);
      if (child) killTree(child);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'not_found', message: 'no such route in the stand-in' }));
    }
  }

  private async upload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const body = await readBody(req);
    const queryPath = url.searchParams.get('path');
    const written: { name: string; type: 'file'; path: string }[] = [];
    const save = (path: string, data: Buffer): void => {
      const target = this.hostPath(path);
      mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
      writeFileSync(target, data, { mode: 0o644 });
      written.push({ name: path.split('/').pop() ?? path, type: 'file', path });
    };
    const type = req.headers['content-type'] ?? '';
    if (type.startsWith('multipart/form-data')) {
      // Node's own fetch implementation parses multipart bodies.
      const form = await new Response(body, { headers: { 'content-type': type } }).formData();
      for (const value of form.getAll('file')) {
        if (typeof value === 'string') continue;
        save(queryPath ?? value.name, Buffer.from(await value.arrayBuffer()));
      }
    } else if (queryPath) {
      save(queryPath, body);
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(written));
  }

  private async startProcess(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const length = raw.readUInt32BE(1);
    const start = StartSchema.parse(JSON.parse(raw.subarray(5, 5 + length).toString('utf8')));
    // In debug mode every sandbox has the same id, so the stand-in cannot keep one file tree per
    // sandbox. The tracefix backend runs one command per sandbox, so each command gets a private copy
    // of what was uploaded: what it writes dies with it, as it does with the real sandbox's kill.
    const home = mkdtempSync(join(this.root, 'command-'));
    chmodSync(home, 0o755);
    const shared = join(this.root, 'home/user');
    cpSync(shared, home, { recursive: true });
    const copied = (readdirSync(home, { recursive: true }) as string[]).filter((name) => !statSync(join(home, name)).isDirectory());
    // E2B's `user` owns /home/user: the command's uid owns its copy (it may write and delete there).
    const uid = runnerUid();
    if (isRoot()) for (const name of ['', ...(readdirSync(home, { recursive: true }) as string[])]) chownSync(join(home, name), uid, uid);
    let args = start.process.args ?? [];
    if (!this.isolated) {
      // Without bubblewrap there is no /home/user to mount: point the command at the stand-in's folder.
      args = args.map((a) => a.replaceAll('/home/user', home));
    }
    const child = spawnJailed(
      {
        command: [start.process.cmd, ...args.filter((a) => a !== '-l')],
        uid,
        // Writable, as the real sandbox's home is: the copy is this command's alone.
        mounts: [{ source: home, target: '/home/user', writable: true }],
        limits: { cpuSeconds: 120, fileSizeBytes: 16 * 1024 * 1024, openFiles: 256, processes: 256 },
        cwd: this.isolated ? '/home/user' : home,
        tmpBytes: 32 * 1024 * 1024,
        bubblewrap: this.isolated,
      },
      home,
    );
    const pid = child.pid ?? 0;
    this.processes.set(pid, child);
    res.writeHead(200, { 'content-type': 'application/connect+json' });
    res.write(envelope(0, { event: { start: { pid } } }));
    child.stdin.end();
    child.stdout.on('data', (chunk: Buffer) => res.write(envelope(0, { event: { data: { stdout: chunk.toString('base64') } } })));
    child.stderr.on('data', (chunk: Buffer) => res.write(envelope(0, { event: { data: { stderr: chunk.toString('base64') } } })));
    // The client went away (aborted or disconnected): the process must not outlive it.
    res.on('close', () => killTree(child));
    child.on('close', (code, signal) => {
      this.processes.delete(pid);
      // What the command deleted (the backend removes its request file) is gone from "its sandbox".
      for (const name of copied) if (!existsSync(join(home, name))) rmSync(join(shared, name), { force: true });
      rmSync(home, { recursive: true, force: true });
      const exitCode = code ?? (signal ? 128 + 9 : -1);
      res.write(envelope(0, { event: { end: { exitCode, exited: true, status: signal ? `signal: ${signal}` : `exit status ${exitCode}` } } }));
      res.end(envelope(2, {}));
    });
  }
}

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { isTracefixError } from '../errors.ts';
import type { RepairRequest, RepairResult, RepairService, RunOptions } from '../repair/types.ts';
import type { QueueDepth } from '../queue/types.ts';

/** What /metrics and /healthz read from the sandbox; `Sandbox` satisfies it. */
export interface SandboxProbe {
  readonly name: string;
  readonly isolation: { isolated: boolean; how: string };
  stats(): { warm: number; busy: number; executed: number; killed: number };
}

export interface QueueProbe {
  readonly kind: string;
  depth(): Promise<QueueDepth>;
}

export interface MetricsOptions {
  /** Absent in a producer-only process (the sandbox lives in the worker processes). */
  sandbox?: SandboxProbe;
  queue?: QueueProbe;
  /** Node's process metrics (CPU, memory, event loop lag); off in tests to keep the output small. */
  processMetrics?: boolean;
}

export interface Metrics {
  /** Our own registry, never prom-client's global one, so several servers (tests) can coexist. */
  readonly registry: Registry;
  /** Counts one HTTP request; `route` is the matched pattern, never the raw URL (bounded label values). */
  observeHttp(method: string, route: string, status: number): void;
  /** Counts a repair and its outcome: a RepairStatus, or `error:<code>` when the service rejected. */
  observeRepair(platform: string, outcome: string, seconds: number): void;
  /** Wraps a RepairService so every call, from any front end, is counted and timed. */
  instrument(service: RepairService): RepairService;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'tracefix_' });

  const http = new Counter({
    name: 'tracefix_http_requests_total',
    help: 'HTTP requests served, by method, matched route and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const repairs = new Counter({
    name: 'tracefix_repair_requests_total',
    help: 'Repair requests received, by platform.',
    labelNames: ['platform'] as const,
    registers: [registry],
  });
  const outcomes = new Counter({
    name: 'tracefix_repair_outcomes_total',
    help: 'Repair outcomes by platform: a result status, or error:<code> when no result came back.',
    labelNames: ['platform', 'outcome'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'tracefix_repair_duration_seconds',
    help: 'Time from request to answer, queue wait included.',
    labelNames: ['platform'] as const,
    buckets: [0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120],
    registers: [registry],
  });
  const queue = options.queue;
  new Gauge({
    name: 'tracefix_queue_depth',
    help: 'Repair jobs waiting for and running on a worker.',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      if (!queue) return;
      try {
        const depth = await queue.depth();
        this.set({ state: 'waiting' }, depth.waiting);
        this.set({ state: 'active' }, depth.active);
      } catch {
        // Redis away: leave the gauge out of this scrape rather than fail the whole scrape.
        this.reset();
      }
    },
  });
  const sandbox = options.sandbox;
  new Gauge({
    name: 'tracefix_sandbox_pool',
    help: 'Sandbox runners by state (warm = idle and ready, busy = running code).',
    labelNames: ['backend', 'state'] as const,
    registers: [registry],
    collect() {
      if (!sandbox) return;
      const stats = sandbox.stats();
      this.set({ backend: sandbox.name, state: 'warm' }, stats.warm);
      this.set({ backend: sandbox.name, state: 'busy' }, stats.busy);
    },
  });
  // The sandbox reports running totals; a gauge mirrors them (a Counter cannot be set from outside).
  new Gauge({
    name: 'tracefix_sandbox_executions',
    help: 'Runner requests executed since start, and runners killed (timeouts, memory, cancel).',
    labelNames: ['backend', 'kind'] as const,
    registers: [registry],
    collect() {
      if (!sandbox) return;
      const stats = sandbox.stats();
      this.set({ backend: sandbox.name, kind: 'executed' }, stats.executed);
      this.set({ backend: sandbox.name, kind: 'killed' }, stats.killed);
    },
  });

  const observeRepair = (platform: string, outcome: string, seconds: number): void => {
    outcomes.inc({ platform, outcome });
    latency.observe({ platform }, seconds);
  };

  return {
    registry,
    observeHttp(method, route, status) {
      http.inc({ method, route, status: String(status) });
    },
    observeRepair,
    instrument(service: RepairService): RepairService {
      return {
        async run(request: RepairRequest, runOptions?: RunOptions): Promise<RepairResult> {
          const platform = request.origin.platform;
          repairs.inc({ platform });
          const started = performance.now();
          try {
            const result = await service.run(request, runOptions);
            observeRepair(platform, result.status, (performance.now() - started) / 1000);
            return result;
          } catch (error) {
            const code = isTracefixError(error) ? error.code : 'internal';
            observeRepair(platform, `error:${code}`, (performance.now() - started) / 1000);
            throw error;
          }
        },
      };
    },
  };
}

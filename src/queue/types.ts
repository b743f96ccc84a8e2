import type { RepairService } from '../repair/types.ts';

export interface QueueDepth {
  /** Accepted, not started yet. */
  waiting: number;
  /** Running on an engine right now (in this process, or on any worker for BullMQ). */
  active: number;
}

/**
 * A RepairService in front of the engine: front ends call `run` exactly as they would call the engine,
 * and the queue decides when and where the work happens. Progress, cancel (signal) and deadline pass
 * through. `depth` feeds /metrics and /healthz; it is async because for BullMQ it asks Redis.
 */
export interface JobQueue extends RepairService {
  readonly kind: 'in-process' | 'bullmq';
  depth(): Promise<QueueDepth>;
  /** Stops taking work; waits for running jobs of this process to settle (workers) or be abandoned (producers). */
  close(): Promise<void>;
}

export type { JobQueue, QueueDepth } from './types.ts';
export { createInProcessQueue, type InProcessQueueOptions } from './in-process.ts';
export { createBullQueue, obliterateQueue, redisOptionsFromUrl, DEFAULT_QUEUE_NAME, DEFAULT_LOCK_MS, DEFAULT_STALLED_INTERVAL_MS, takeoverBoundMs, type BullJobQueue, type BullQueueOptions } from './bull.ts';

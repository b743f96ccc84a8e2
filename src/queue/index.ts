export type { JobQueue, QueueDepth } from './types.ts';
export { createInProcessQueue, type InProcessQueueOptions } from './in-process.ts';
export { createBullQueue, obliterateQueue, redisOptionsFromUrl, DEFAULT_QUEUE_NAME, type BullJobQueue, type BullQueueOptions } from './bull.ts';

import { z } from 'zod';
import type Keyv from 'keyv';
import type { FineTuneJob } from './providers/types.ts';

/**
 * Model versions produced by self-training, and which one is live. Kept in the feedback store's keyv
 * under `registry:` keys, with no expiry (it holds model ids and scores, no user data).
 *
 * Writes happen only inside a training run, and runs hold the training lock (scheduler.ts), so the
 * read-modify-write of the version list cannot interleave. `registry:live` is a single value: bots
 * read it on every request through resolveModelId (cached for a few seconds).
 */

export type VersionStatus = 'training' | 'failed' | 'cancelled' | 'exported' | 'evaluating' | 'promoted' | 'rejected' | 'retired';

export interface GateScores {
  /** Model the candidate was compared with (undefined = the configured base model). */
  liveModelId: string;
  candidate: number;
  live: number;
  tasks: number;
  samples: number;
}

export interface ModelVersion {
  /** Registry id (run id); the fine-tuned model id is `modelId` once known. */
  id: string;
  modelId?: string;
  baseModel: string;
  provider: FineTuneJob['provider'];
  job?: FineTuneJob;
  examples: number;
  heldOut: number;
  datasetPath?: string;
  /** Feedback listing cursor the dataset reached: becomes "since last run" once the job succeeds. */
  datasetCursor?: string;
  createdAt: number;
  status: VersionStatus;
  scores?: GateScores;
  decidedAt?: number;
  /** Why it was promoted, rejected or failed: one line for `tracefix models`. */
  reason?: string;
}

/** A submitted fine-tune job as stored (registry versions and self-train run manifests). */
export const FineTuneJobSchema = z.object({
  id: z.string(),
  provider: z.enum(['openai', 'command', 'export', 'local']),
  baseModel: z.string(),
  submittedAt: z.number(),
  fileId: z.string().optional(),
  dir: z.string().optional(),
});

const VersionSchema = z.object({
  id: z.string(),
  modelId: z.string().optional(),
  baseModel: z.string(),
  provider: z.enum(['openai', 'command', 'export', 'local']),
  job: FineTuneJobSchema.optional(),
  examples: z.number(),
  heldOut: z.number(),
  datasetPath: z.string().optional(),
  datasetCursor: z.string().optional(),
  createdAt: z.number(),
  status: z.enum(['training', 'failed', 'cancelled', 'exported', 'evaluating', 'promoted', 'rejected', 'retired']),
  scores: z
    .object({ liveModelId: z.string(), candidate: z.number(), live: z.number(), tasks: z.number(), samples: z.number() })
    .optional(),
  decidedAt: z.number().optional(),
  reason: z.string().optional(),
});

const StateSchema = z.object({
  /** Feedback-store listing cursor after the last interaction a run considered. */
  cursor: z.string().optional(),
  /** Examples seen since the last submitted job (carried over between runs below the minimum). */
  pendingSince: z.string().optional(),
  lastRunAt: z.number().optional(),
  lastOutcome: z.string().optional(),
});
export type TrainingState = z.infer<typeof StateSchema>;

export interface ModelRegistry {
  /** The promoted model id, or undefined when none was ever promoted (use the configured model). */
  liveModelId(): Promise<string | undefined>;
  /**
   * For createRepairModel's `resolveModelId`: the live id, else `fallback`. Cached for `cacheMs`
   * (default 5 s) so a busy bot does not read the store on every request; a promotion made through
   * this registry instance clears the cache at once.
   */
  resolver(fallback: string, cacheMs?: number): () => Promise<string>;
  history(): Promise<ModelVersion[]>;
  get(id: string): Promise<ModelVersion | undefined>;
  save(version: ModelVersion): Promise<void>;
  promote(id: string, scores: GateScores | undefined, reason: string, at: number): Promise<void>;
  state(): Promise<TrainingState>;
  setState(state: TrainingState): Promise<void>;
}

export function createModelRegistry(keyv: Keyv, options: { now?: () => number } = {}): ModelRegistry {
  const now = options.now ?? Date.now;
  let cached: { value: string | undefined; at: number } | undefined;

  async function history(): Promise<ModelVersion[]> {
    const raw: unknown = await keyv.get('registry:versions');
    if (!Array.isArray(raw)) return [];
    return raw.flatMap((v: unknown) => {
      const parsed = VersionSchema.safeParse(v);
      return parsed.success ? [parsed.data as ModelVersion] : [];
    });
  }

  async function liveModelId(): Promise<string | undefined> {
    const value: unknown = await keyv.get('registry:live');
    return typeof value === 'string' && value !== '' ? value : undefined;
  }

  const registry: ModelRegistry = {
    liveModelId,
    resolver(fallback, cacheMs = 5000) {
      return async () => {
        if (!cached || now() - cached.at >= cacheMs) cached = { value: await liveModelId(), at: now() };
        return cached.value ?? fallback;
      };
    },
    history,
    async get(id) {
      return (await history()).find((v) => v.id === id);
    },
    async save(version) {
      const all = await history();
      const at = all.findIndex((v) => v.id === version.id);
      if (at >= 0) all[at] = version;
      else all.push(version);
      await keyv.set('registry:versions', all);
    },
    async promote(id, scores, reason, at) {
      const all = await history();
      const target = all.find((v) => v.id === id);
      if (!target?.modelId) throw new Error(`cannot promote ${id}: no model id`);
      for (const v of all) if (v.status === 'promoted') v.status = 'retired';
      target.status = 'promoted';
      target.decidedAt = at;
      target.reason = reason;
      if (scores) target.scores = scores;
      await keyv.set('registry:versions', all);
      await keyv.set('registry:live', target.modelId);
      cached = { value: target.modelId, at: now() };
    },
    async state() {
      const parsed = StateSchema.safeParse(await keyv.get('registry:state'));
      return parsed.success ? (parsed.data) : {};
    },
    async setState(state) {
      await keyv.set('registry:state', state);
    },
  };
  return registry;
}

import type { Origin, RepairRequest, RepairResult } from '../repair/types.ts';

export type Vote = 'up' | 'down';

export interface FeedbackEvent {
  /** Pseudonymised user id. */
  user: string;
  vote: Vote | null;
  at: number;
  source: 'reaction' | 'button';
}

/** One answered request. Ids in `origin` are pseudonymised by the store before they are written. */
export interface Interaction {
  id: string;
  createdAt: number;
  origin: Origin;
  request: Pick<RepairRequest, 'code' | 'tests' | 'description' | 'entryPoint' | 'language' | 'confirmedTests'>;
  result: RepairResult;
  /** The exact prompt the model saw for the returned fix, when a model produced it (training data). */
  prompt?: string;
  /** Platform message id of the answer, so reactions on it find the interaction. */
  answerMessage?: string;
  feedback: FeedbackEvent[];
}

export interface FeedbackStore {
  record(interaction: Omit<Interaction, 'feedback' | 'createdAt'> & { createdAt?: number }): Promise<Interaction>;
  get(id: string): Promise<Interaction | undefined>;
  /** Link the platform message of the answer to the interaction (reactions arrive with message ids). */
  attachAnswer(id: string, platform: Origin['platform'], messageId: string): Promise<void>;
  findByAnswer(platform: Origin['platform'], messageId: string): Promise<Interaction | undefined>;
  /** A user's vote; a changed mind replaces the earlier vote, null withdraws it. */
  vote(id: string, event: Omit<FeedbackEvent, 'user'> & { user: string }): Promise<Interaction | undefined>;
  /** Interactions created after the cursor, oldest first; `cursor` continues the listing. */
  listSince(cursor: string | undefined, limit: number): Promise<{ items: Interaction[]; cursor: string | undefined }>;
  /** Removes every interaction and vote of a (raw, platform) user id; returns how many records changed. */
  deleteUser(platform: Origin['platform'], userId: string): Promise<number>;
  close(): Promise<void>;
}

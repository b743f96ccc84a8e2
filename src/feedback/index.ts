export type { FeedbackEvent, FeedbackStore, Interaction, Vote } from './types.ts';
export { createFeedbackStore, type FeedbackStoreOptions, type KeyvFeedbackStore } from './store.ts';
export { pseudonymise, loadPseudonymSecret } from './pseudonym.ts';
export { redactUrl, type StoreBackend } from './backend.ts';

export { parsePaste, looksLikeHelpRequest, formatBytes } from './parse-paste.ts';
export type { ParsedPaste, PasteAttachment, PasteInput, PasteLimits } from './parse-paste.ts';
export { newRequestId } from './request-id.ts';
export { unescapeSlack, unescapeDiscord } from './platform-text.ts';
export { splitFences, type FencedBlock, type FenceSplit } from './fences.ts';
export { parseFollowUp, appendTests } from './follow-up.ts';
export type { FollowUp } from './follow-up.ts';
export { splitPastedSource } from './split-source.ts';
export type { SplitSource } from './split-source.ts';

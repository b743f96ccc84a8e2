/**
 * The one place the bots reach the paste parser (src/request), so a change of its shape touches one file.
 */
import { looksLikeHelpRequest, newRequestId, parsePaste } from '../../src/request/index.ts';
import type { Platform } from '../../src/repair/types.ts';
import type { ParsedPaste } from './flow.ts';

export { looksLikeHelpRequest, newRequestId };

export interface PasteAttachment {
  name: string;
  content: string;
}

export function parseChatPaste(
  text: string,
  attachments: PasteAttachment[],
  platform: Platform,
  maxBytes: number,
): ParsedPaste {
  return parsePaste({ text, attachments, platform }, { maxBytes });
}

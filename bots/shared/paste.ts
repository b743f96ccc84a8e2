/**
 * The one place the bots reach the paste parser (src/request), so a change of its shape touches one
 * file; and the download of attached files, which both chat platforms need.
 */
import { TracefixError } from '../../src/errors.ts';
import { formatBytes, looksLikeHelpRequest, newRequestId, parsePaste } from '../../src/request/index.ts';
import type { Platform } from '../../src/repair/types.ts';
import type { ParsedPaste } from './flow.ts';

export { looksLikeHelpRequest, newRequestId };

export interface PasteAttachment {
  name: string;
  /** Bytes as downloaded: the parser decodes them and refuses binary files in its own words. */
  content: string | Uint8Array;
}

export function parseChatPaste(
  text: string,
  attachments: PasteAttachment[],
  platform: Platform,
  maxBytes: number,
): ParsedPaste {
  return parsePaste({ text, attachments, platform }, { maxBytes });
}

export interface RemoteFile {
  name: string;
  url: string;
  /** As the platform reports it; checked before downloading anything. */
  size?: number;
}

/**
 * Downloads attached files whose URL is on one of `trustedOrigins` (the platform's own file hosts:
 * Slack's need the bot token, which must never go anywhere else). Files elsewhere are skipped; a file
 * over the paste limit is refused before it is fetched; one that cannot be fetched is skipped.
 */
export async function downloadAttachments(
  files: RemoteFile[],
  options: { trustedOrigins: ReadonlySet<string>; maxBytes: number; headers?: Record<string, string>; timeoutMs?: number },
): Promise<PasteAttachment[]> {
  const out: PasteAttachment[] = [];
  for (const file of files) {
    let origin: string;
    try {
      origin = new URL(file.url).origin;
    } catch {
      continue;
    }
    if (!options.trustedOrigins.has(origin)) continue;
    if (file.size !== undefined && file.size > options.maxBytes) {
      throw new TracefixError(
        'too_large',
        `The attached file ${file.name} is ${formatBytes(file.size)}, over the ${formatBytes(options.maxBytes)} limit. Paste only the function that fails and the tests that show it.`,
      );
    }
    try {
      const response = await fetch(file.url, { headers: options.headers ?? {}, signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
      if (!response.ok) continue;
      out.push({ name: file.name, content: new Uint8Array(await response.arrayBuffer()) });
    } catch {
      // An attachment we cannot fetch is treated like one we cannot read: the text may still hold code.
      continue;
    }
  }
  return out;
}

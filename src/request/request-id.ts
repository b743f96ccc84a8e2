import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/**
 * A short id users can quote back to us ("reference id") and that is safe in URLs, file names and
 * Slack/Discord custom ids: 10 lowercase base32 characters, 50 random bits. Each byte is reduced mod 32,
 * which is uniform because 256 is a multiple of 32.
 */
export function newRequestId(): string {
  const bytes = randomBytes(10);
  let id = '';
  for (const byte of bytes) id += ALPHABET[byte & 31] ?? 'a';
  return id;
}

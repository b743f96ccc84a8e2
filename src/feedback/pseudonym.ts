import { createHmac, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

const SECRET_FILE = 'pseudonym-secret';

/**
 * The configured secret, or one generated on first start and kept under dataDir. Persisted, because
 * a new secret would give every user new pseudonyms and `tracefix forget` could no longer find them.
 * `wx` makes two processes starting together agree: the loser reads the winner's file.
 */
export async function loadPseudonymSecret(configured: string | undefined, dataDir: string): Promise<string> {
  if (configured) return configured;
  const file = path.join(dataDir, SECRET_FILE);
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  try {
    await writeFile(file, secret + '\n', { flag: 'wx', mode: 0o600 });
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return (await readFile(file, 'utf8')).trim();
  }
}

/** HMAC-SHA256 keyed by the secret: stable per (platform, id), not reversible without the secret. */
export function pseudonymise(secret: string, platform: string, id: string): string {
  return 'p_' + createHmac('sha256', secret).update(`${platform}\u0000${id}`).digest('hex').slice(0, 32);
}

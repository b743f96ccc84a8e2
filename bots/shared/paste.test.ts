import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeServer, listenLocally } from '../../tests/standins/http-standin.ts';
import { TracefixError } from '../../src/errors.ts';
import { downloadAttachments, parseChatPaste } from './paste.ts';

describe('parseChatPaste', () => {
  it('parses the text and the attached files with the platform’s rules and the size limit', () => {
    const parsed = parseChatPaste('fix this', [{ name: 'add.py', content: 'def add(a, b):\n    return a - b\n\nassert add(1, 2) == 3\n' }], 'slack', 10_000);
    expect(parsed.code).toContain('def add(a, b)');
    expect(parsed.tests).toContain('assert add(1, 2) == 3');
    expect(() => parseChatPaste('```python\n' + 'x = 1\n'.repeat(100) + '```', [], 'discord', 50)).toThrow(TracefixError);
  });
});

describe('downloadAttachments', () => {
  let trusted: Server;
  let other: Server;
  let trustedUrl: string;
  let otherUrl: string;
  const seen: { host: string; path: string; auth: string | undefined }[] = [];

  const serve = (host: string) =>
    createServer((req, res) => {
      seen.push({ host, path: req.url ?? '', auth: req.headers.authorization });
      if (req.url === '/missing') {
        res.statusCode = 404;
        res.end('no');
      } else if (req.url === '/hang') {
        // Never answers: the download gives up at its timeout.
      } else res.end(`content of ${req.url ?? ''}`);
    });

  beforeAll(async () => {
    trusted = serve('trusted');
    other = serve('other');
    trustedUrl = await listenLocally(trusted);
    otherUrl = await listenLocally(other);
  });
  afterAll(async () => {
    await closeServer(trusted);
    await closeServer(other);
  });

  it('fetches files from trusted origins only, with the given headers, and keeps their bytes', async () => {
    seen.length = 0;
    const files = await downloadAttachments(
      [
        { name: 'a.py', url: `${trustedUrl}/a.py`, size: 10 },
        { name: 'b.py', url: `${otherUrl}/b.py` },
        { name: 'c.py', url: 'not a url' },
        { name: 'd.py', url: `${trustedUrl}/d.py` },
      ],
      { trustedOrigins: new Set([new URL(trustedUrl).origin]), maxBytes: 1000, headers: { authorization: 'Bearer xoxb-secret' } },
    );
    expect(files.map((f) => [f.name, Buffer.from(f.content).toString('utf8')])).toEqual([
      ['a.py', 'content of /a.py'],
      ['d.py', 'content of /d.py'],
    ]);
    expect(files[0]?.content).toBeInstanceOf(Uint8Array);
    expect(seen).toEqual([
      { host: 'trusted', path: '/a.py', auth: 'Bearer xoxb-secret' },
      { host: 'trusted', path: '/d.py', auth: 'Bearer xoxb-secret' },
    ]);
  });

  it('sends no headers it was not given', async () => {
    seen.length = 0;
    await downloadAttachments([{ name: 'a.py', url: `${trustedUrl}/a.py` }], { trustedOrigins: new Set([new URL(trustedUrl).origin]), maxBytes: 1000 });
    expect(seen).toEqual([{ host: 'trusted', path: '/a.py', auth: undefined }]);
  });

  it('refuses a file over the limit before fetching anything, naming both sizes', async () => {
    seen.length = 0;
    const error = await downloadAttachments([{ name: 'huge.py', url: `${trustedUrl}/huge.py`, size: 2048 }], {
      trustedOrigins: new Set([new URL(trustedUrl).origin]),
      maxBytes: 1024,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TracefixError);
    expect((error as TracefixError).code).toBe('too_large');
    expect((error as TracefixError).userMessage).toBe(
      'The attached file huge.py is 2 KB, over the 1 KB limit. Paste only the function that fails and the tests that show it.',
    );
    expect(seen).toEqual([]);
    // At the limit exactly it is fetched.
    expect(await downloadAttachments([{ name: 'ok.py', url: `${trustedUrl}/ok.py`, size: 1024 }], { trustedOrigins: new Set([new URL(trustedUrl).origin]), maxBytes: 1024 })).toHaveLength(1);
  });

  it('skips a file that answers with an error or not at all, and goes on with the next', async () => {
    const files = await downloadAttachments(
      [
        { name: 'gone.py', url: `${trustedUrl}/missing` },
        { name: 'slow.py', url: `${trustedUrl}/hang` },
        { name: 'ok.py', url: `${trustedUrl}/ok.py` },
      ],
      { trustedOrigins: new Set([new URL(trustedUrl).origin]), maxBytes: 1000, timeoutMs: 200 },
    );
    expect(files.map((f) => f.name)).toEqual(['ok.py']);
  });
});

import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './log.ts';

interface Line {
  err: { message: string; errorCode?: string };
  request: { code?: string };
}

function lines(debug: boolean, write: (log: ReturnType<typeof createLogger>) => void): Line[] {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (c: Buffer) => chunks.push(c.toString()));
  const log = createLogger({ debug, destination: out });
  write(log);
  log.flush();
  return chunks.join('').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);
}

describe('log lines', () => {
  it('hide user code and secrets, but keep what an error says went wrong', () => {
    const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
    const [line] = lines(false, (log) => log.warn({ err, request: { code: 'password = "hunter2"', token: 'xoxb-1234' } }, 'store down'));
    expect(JSON.stringify(line)).not.toContain('hunter2');
    expect(JSON.stringify(line)).not.toContain('xoxb-1234');
    expect(line!.err.message).toContain('ECONNREFUSED');
    expect(line!.err.errorCode).toBe('ECONNREFUSED');
  });

  it('keep everything with the debug flag on', () => {
    const [line] = lines(true, (log) => log.info({ request: { code: 'print(1)' } }, 'req'));
    expect(line!.request.code).toBe('print(1)');
  });

  it('do not copy a code that is not an identifier (a program in an error object stays hidden)', () => {
    const err = Object.assign(new Error('bad'), { code: 'def f():\n    return secret_value' });
    const [line] = lines(false, (log) => log.error({ err }, 'failed'));
    expect(JSON.stringify(line)).not.toContain('secret_value');
    expect(line!.err.errorCode).toBeUndefined();
  });
});

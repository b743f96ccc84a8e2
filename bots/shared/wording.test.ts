import { describe, expect, it } from 'vitest';
import { TracefixError } from '../../src/errors.ts';
import { smallResult } from './sample-result.ts';
import { errorFields, errorMessage, headline, progressLine, rateLimitMessage, testTable } from './wording.ts';

describe('wording', () => {
  it('gives errors one sentence and the reference id', () => {
    expect(errorMessage(new TracefixError('too_large', 'That paste is too large'), 'req_1')).toBe('⚠️ That paste is too large. (reference: req_1)');
    expect(errorMessage(new Error('ECONNRESET at 10.0.0.1 token=xoxb-secret'), 'req_2')).toBe(
      '⚠️ Something went wrong on our side while working on this request. (reference: req_2)',
    );
  });

  it('keeps request bodies of vendor errors out of log fields', () => {
    const error = Object.assign(new Error('Missing Access'), { code: 50001, status: 403, requestBody: { json: { content: 'def secret(): ...' } } });
    const fields = errorFields(new TracefixError('internal', 'x', { cause: error }));
    expect(JSON.stringify(fields)).not.toContain('secret');
    expect(fields).toMatchObject({ type: 'TracefixError', cause: { code: 50001, status: 403, message: 'Missing Access' } });
  });

  it('says when to come back after a rate limit', () => {
    expect(rateLimitMessage({ allowed: false, scope: 'user', limit: 30, retryAfterMs: 61_000 })).toMatch(/You have reached the limit of 30 fixes per hour .* about 2 minutes/);
    expect(rateLimitMessage({ allowed: false, scope: 'channel', limit: 5, retryAfterMs: 1 })).toMatch(/This channel .* about 1 minute\./);
  });

  it('words progress, headlines and the test table', () => {
    expect(progressLine({ stage: 'search', message: 'Trying candidate fixes', done: 3, total: 40 })).toBe('⏳ Trying candidate fixes (3/40)');
    expect(progressLine({ stage: 'search', message: 'Trying 40 candidate fixes (3/40)', done: 3, total: 40 })).toBe('⏳ Trying 40 candidate fixes (3/40)');
    expect(headline(smallResult())).toBe('✅ Fixed — all 2 tests pass (1 passed before)');
    const table = testTable(smallResult().tests).split('\n');
    expect(table[0]).toMatch(/^test\s+before\s+after$/);
    expect(table[1]).toMatch(/✗ fail\s+✓ pass$/);
  });
});

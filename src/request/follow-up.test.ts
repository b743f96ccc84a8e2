import { describe, expect, it } from 'vitest';
import { appendTests, parseFollowUp } from './follow-up.ts';

describe('parseFollowUp', () => {
  it('reads "why?" in its usual spellings as a request for the trace', () => {
    expect(parseFollowUp('why?', 'slack')).toEqual({ kind: 'why' });
    expect(parseFollowUp('  Why did it fail', 'discord')).toEqual({ kind: 'why' });
    expect(parseFollowUp('nice, thanks', 'slack')).toBeUndefined();
  });

  it('collects asserts in fences and on loose lines, unescaping Slack entities', () => {
    expect(parseFollowUp('try again with this test ```assert f(1) &lt; 2```', 'slack')).toEqual({ kind: 'test', tests: 'assert f(1) < 2' });
    expect(parseFollowUp('also\nassert f(3) == 4\nassert f(0) == 0', 'discord')).toEqual({ kind: 'test', tests: 'assert f(3) == 4\nassert f(0) == 0' });
    expect(parseFollowUp('```python\ndef test_zero():\n    assert f(0) == 0\n```', 'web')).toEqual({ kind: 'test', tests: 'def test_zero():\n    assert f(0) == 0' });
  });

  it('leaves a reply that brings code of its own to the paste parser', () => {
    expect(parseFollowUp('```python\ndef f(x):\n    return x\nassert f(1) == 1\n```', 'slack')).toBeUndefined();
  });

  it('appends to the tests there are, or starts them', () => {
    expect(appendTests('assert a\n', 'assert b')).toBe('assert a\nassert b');
    expect(appendTests(undefined, ' assert b ')).toBe('assert b');
  });
});

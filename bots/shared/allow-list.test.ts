import { describe, expect, it } from 'vitest';
import { isAllowed, isHelpChannel } from './allow-list.ts';

describe('isAllowed', () => {
  it('allows everything without a list, only the named ids with one, and nothing unnamed', () => {
    expect(isAllowed(undefined, 'C1')).toBe(true);
    expect(isAllowed(undefined, undefined)).toBe(true);
    expect(isAllowed(['C1', 'C2'], 'C2')).toBe(true);
    expect(isAllowed(['C1', 'C2'], 'C3')).toBe(false);
    expect(isAllowed(['C1'], undefined)).toBe(false);
    expect(isAllowed([], 'C1')).toBe(false);
  });
});

describe('isHelpChannel', () => {
  it('is opt-in: only listed channels', () => {
    expect(isHelpChannel(['H1'], 'H1')).toBe(true);
    expect(isHelpChannel(['H1'], 'H2')).toBe(false);
    expect(isHelpChannel([], 'H1')).toBe(false);
    expect(isHelpChannel(['H1'], undefined)).toBe(false);
  });
});

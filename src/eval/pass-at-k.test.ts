import { describe, expect, it } from 'vitest';
import { meanPassAtK, passAtK } from './pass-at-k.ts';

function choose(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

describe('passAtK (Chen et al. 2021)', () => {
  it('is c/n for k = 1', () => {
    expect(passAtK(10, 3, 1)).toBeCloseTo(0.3, 12);
    expect(passAtK(1, 1, 1)).toBe(1);
    expect(passAtK(1, 0, 1)).toBe(0);
  });

  it('matches 1 - C(n-c, k)/C(n, k)', () => {
    for (const [n, c, k] of [
      [10, 2, 5],
      [20, 1, 10],
      [7, 3, 2],
      [100, 17, 10],
    ] as const) {
      expect(passAtK(n, c, k)).toBeCloseTo(1 - choose(n - c, k) / choose(n, k), 10);
    }
    expect(passAtK(10, 2, 5)).toBeCloseTo(1 - 56 / 252, 12);
  });

  it('is 1 when fewer than k samples are wrong', () => {
    expect(passAtK(5, 3, 3)).toBe(1);
  });

  it('refuses k above n and impossible counts', () => {
    expect(() => passAtK(3, 1, 5)).toThrow(RangeError);
    expect(() => passAtK(3, 4, 1)).toThrow(RangeError);
  });

  it('averages over tasks', () => {
    expect(meanPassAtK([[1, 1], [1, 0], [1, 1], [1, 0]], 1)).toBe(0.5);
    expect(meanPassAtK([], 1)).toBe(0);
  });
});

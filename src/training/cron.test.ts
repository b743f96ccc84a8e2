import { describe, expect, it } from 'vitest';
import { parseCron, parseInterval, parseSchedule } from './cron.ts';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16);

describe('schedules', () => {
  it('parses intervals', () => {
    expect(parseInterval('30m')).toBe(1_800_000);
    expect(parseInterval('6h')).toBe(21_600_000);
    expect(parseInterval('1h30m')).toBe(5_400_000);
    expect(parseInterval('1d')).toBe(86_400_000);
    expect(parseInterval('soon')).toBeUndefined();
    expect(parseSchedule('6h').next(1000)).toBe(1000 + 21_600_000);
  });

  const cases: [string, string, string][] = [
    ['0 3 * * *', '2026-11-21T10:17', '2026-11-22T03:00'],
    ['*/15 * * * *', '2026-11-21T10:17', '2026-11-21T10:30'],
    ['0 * * * *', '2026-11-21T10:00', '2026-11-21T11:00'],
    ['30 2 1 * *', '2026-11-21T10:17', '2026-12-01T02:30'],
    ['0 0 * * mon', '2026-11-21T10:17', '2026-11-23T00:00'], // the 21st is a Saturday
    ['0 0 * * 7', '2026-11-21T10:17', '2026-11-22T00:00'], // 7 = Sunday
    ['0 9-17/4 * * 1-5', '2026-11-20T14:00', '2026-11-20T17:00'], // 9, 13, 17 on weekdays
    ['0 9-17/4 * * 1-5', '2026-11-20T17:00', '2026-11-23T09:00'], // Friday evening → Monday
    ['0 0 13 * fri', '2026-11-21T10:17', '2026-11-27T00:00'], // dom OR dow: next Friday comes before the 13th
    ['0 0 29 feb *', '2026-11-21T10:17', '2028-02-29T00:00'],
    ['5,10 4 * jan,jul *', '2026-11-21T10:17', '2027-01-01T04:05'],
    ['59 23 31 12 *', '2026-12-31T23:59', '2027-12-31T23:59'],
  ];
  for (const [expr, from, expected] of cases) {
    it(`"${expr}" after ${from} is ${expected}`, () => {
      expect(iso(parseCron(expr).next(at(`${from}:00Z`)))).toBe(expected);
    });
  }

  it('rejects bad expressions, naming the setting', () => {
    for (const bad of ['* * * *', '60 * * * *', '* 24 * * *', '0 0 0 * *', '0 0 * 13 *', '5-1 * * * *', '*/0 * * * *', 'x * * * *', '42']) {
      expect(() => parseSchedule(bad), bad).toThrow(/TRAINING_SCHEDULE/);
    }
    expect(() => parseCron('0 0 31 2 *').next(0)).toThrow(/never matches/);
  });
});

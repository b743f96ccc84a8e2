import { Cron } from 'croner';
import { TracefixError } from '../errors.ts';

/**
 * TRAINING_SCHEDULE: an interval ("30m", "6h", "1d", "90s", "1h30m") or a standard 5-field cron
 * expression ("0 3 * * *": minute hour day-of-month month day-of-week), evaluated in UTC so that every
 * process of a deployment agrees regardless of the machine's time zone.
 *
 * Cron semantics follow Vixie cron: `*`, lists `1,5`, ranges `1-5`, steps `*\/15` and `10-50/20`, month
 * and weekday names (jan, mon), 0 and 7 both Sunday; when both day-of-month and day-of-week are
 * restricted, a day matches if EITHER matches.
 */

export interface Schedule {
  readonly text: string;
  /** First run time strictly after `after` (epoch ms). */
  next(after: number): number;
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseInterval(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (!/^(\d+\s*[smhd]\s*)+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, n, unit] of trimmed.matchAll(/(\d+)\s*([smhd])/g)) total += Number(n) * (UNITS[unit as string] ?? 0);
  return total > 0 ? total : undefined;
}

/** Every schedule error names the setting, so the operator knows which line of .env to fix. */
function bad(text: string, why: string): TracefixError {
  return new TracefixError('bad_config', `Invalid setting TRAINING_SCHEDULE: "${text}" — ${why}.`);
}

export function parseCron(text: string): Schedule {
  const fields = text.trim().split(/\s+/);
  // Croner also reads 6- and 7-field patterns (seconds, years): the setting documents the classic five.
  if (fields.length !== 5) throw bad(text, `a cron expression has 5 fields, this has ${fields.length}`);
  let cron: Cron;
  try {
    // Paused, never started: used only to compute run times. domAndDow false is Vixie cron's OR rule.
    cron = new Cron(text.trim(), { timezone: 'UTC', mode: '5-part', domAndDow: false, paused: true });
  } catch (error) {
    throw bad(text, (error as Error).message.replace(/^CronPattern: /, ''));
  }
  return {
    text,
    next(after) {
      const next = cron.nextRun(new Date(after));
      if (!next) throw bad(text, 'it never matches a real date');
      return next.getTime();
    },
  };
}

export function parseSchedule(text: string): Schedule {
  const interval = parseInterval(text);
  if (interval !== undefined) {
    return { text, next: (after) => after + interval };
  }
  if (/^\s*\d+\s*$/.test(text)) throw bad(text, 'a bare number has no unit');
  return parseCron(text);
}

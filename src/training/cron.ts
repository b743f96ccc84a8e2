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

interface Field {
  name: string;
  min: number;
  max: number;
  names?: string[];
}

const FIELDS: Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day of week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

function bad(text: string, why: string): TracefixError {
  return new TracefixError('bad_config', `Invalid setting TRAINING_SCHEDULE: "${text}" — ${why} (use e.g. "6h", "30m" or a cron expression like "0 3 * * *")`);
}

function parseField(text: string, part: string, field: Field): { values: Set<number>; star: boolean } {
  const values = new Set<number>();
  const value = (token: string): number => {
    const lower = token.toLowerCase();
    const named = field.names?.indexOf(lower) ?? -1;
    if (named >= 0) return named + (field.name === 'month' ? 1 : 0);
    if (!/^\d+$/.test(token)) throw bad(text, `"${token}" is not a valid ${field.name}`);
    const n = Number(token);
    if (n < field.min || n > field.max) throw bad(text, `${field.name} ${n} is outside ${field.min}-${field.max}`);
    return n;
  };
  for (const item of part.split(',')) {
    const [range = '', stepText] = item.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1 || (stepText !== undefined && !/^\d+$/.test(stepText))) throw bad(text, `bad step "${item}"`);
    let from: number;
    let to: number;
    if (range === '*') {
      from = field.min;
      to = field.name === 'day of week' ? 6 : field.max;
    } else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      from = value(a);
      to = value(b);
      if (to < from) throw bad(text, `range ${range} runs backwards`);
    } else {
      from = value(range);
      to = stepText === undefined ? from : field.name === 'day of week' ? 6 : field.max;
    }
    for (let n = from; n <= to; n += step) values.add(field.name === 'day of week' && n === 7 ? 0 : n);
  }
  return { values, star: part === '*' || part.startsWith('*/') };
}

export function parseCron(text: string): Schedule {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 5) throw bad(text, `a cron expression has 5 fields, this has ${parts.length}`);
  const [minute, hour, dom, month, dow] = parts.map((p, i) => parseField(text, p, FIELDS[i]!)) as [
    ReturnType<typeof parseField>,
    ReturnType<typeof parseField>,
    ReturnType<typeof parseField>,
    ReturnType<typeof parseField>,
    ReturnType<typeof parseField>,
  ];
  const dayMatches = (d: Date) => {
    const byDom = dom.values.has(d.getUTCDate());
    const byDow = dow.values.has(d.getUTCDay());
    if (dom.star && dow.star) return true;
    if (dom.star) return byDow;
    if (dow.star) return byDom;
    return byDom || byDow;
  };
  return {
    text,
    next(after) {
      const d = new Date(Math.floor(after / 60_000) * 60_000 + 60_000);
      // Five years of minutes at most: "30 2 31 2 *" (Feb 31) never matches.
      const limit = after + 5 * 366 * 86_400_000;
      while (d.getTime() <= limit) {
        if (!month.values.has(d.getUTCMonth() + 1)) {
          d.setUTCMonth(d.getUTCMonth() + 1, 1);
          d.setUTCHours(0, 0, 0, 0);
          continue;
        }
        if (!dayMatches(d)) {
          d.setUTCDate(d.getUTCDate() + 1);
          d.setUTCHours(0, 0, 0, 0);
          continue;
        }
        if (!hour.values.has(d.getUTCHours())) {
          d.setUTCHours(d.getUTCHours() + 1, 0, 0, 0);
          continue;
        }
        if (!minute.values.has(d.getUTCMinutes())) {
          d.setUTCMinutes(d.getUTCMinutes() + 1, 0, 0);
          continue;
        }
        return d.getTime();
      }
      throw bad(text, 'it never matches a real date');
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

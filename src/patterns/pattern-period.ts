import { ValidationFailedError } from '../common/errors/domain-error';
import { MAX_PERIOD_MONTHS, TrendPeriod } from './dto/trends.dto';

/** A period of whole months (UTC), as 'YYYY-MM-01' dates for SQL and 'YYYY-MM' for answers. */
export interface MonthPeriod {
  from: string;
  to: string;
  fromMonth: string;
  toMonth: string;
  months: number;
}

const monthIndex = (ym: string) => Number(ym.slice(0, 4)) * 12 + Number(ym.slice(5, 7)) - 1;
const monthOf = (index: number) =>
  `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;

/** `from`/`to` as given (validated YYYY-MM), defaulting to the twelve months up to `now`. */
export function monthPeriod(now: Date, from?: string, to?: string): MonthPeriod {
  const end = to ? monthIndex(to) : now.getUTCFullYear() * 12 + now.getUTCMonth();
  const start = from ? monthIndex(from) : end - 11;
  if (start > end) {
    throw new ValidationFailedError([{ field: 'from', message: 'from must not be after to' }]);
  }
  if (end - start + 1 > MAX_PERIOD_MONTHS) {
    throw new ValidationFailedError([
      { field: 'from', message: `the period must be at most ${MAX_PERIOD_MONTHS} months` },
    ]);
  }
  return {
    from: `${monthOf(start)}-01`,
    to: `${monthOf(end)}-01`,
    fromMonth: monthOf(start),
    toMonth: monthOf(end),
    months: end - start + 1,
  };
}

/** The month `n` months before or after `ym` (YYYY-MM). */
export function shiftMonth(ym: string, n: number): string {
  return monthOf(monthIndex(ym) + n);
}

/** Months in a step of each period. */
const STEP_MONTHS: Record<TrendPeriod, number> = { month: 1, quarter: 3, year: 12 };

/**
 * A period widened to whole quarters or years: from the first month of the step holding its
 * first month to the last month of the step holding its last. Months stay as they are.
 */
export function widenToPeriod(period: MonthPeriod, step: TrendPeriod): MonthPeriod {
  const months = STEP_MONTHS[step];
  const first = (ym: string) => monthIndex(ym) - ((monthIndex(ym) % 12) % months);
  const start = first(period.fromMonth);
  const end = first(period.toMonth) + months - 1;
  return {
    from: `${monthOf(start)}-01`,
    to: `${monthOf(end)}-01`,
    fromMonth: monthOf(start),
    toMonth: monthOf(end),
    months: end - start + 1,
  };
}

/** The label of the step holding month `ym`: `YYYY-MM`, `YYYY-Qn` or `YYYY`. */
export function periodLabel(ym: string, period: TrendPeriod): string {
  if (period === 'month') return ym;
  if (period === 'year') return ym.slice(0, 4);
  return `${ym.slice(0, 4)}-Q${Math.floor((Number(ym.slice(5, 7)) - 1) / 3) + 1}`;
}

/** The label of every step from month `from` to month `to` (YYYY-MM), inclusive, in order. */
export function periodsBetween(from: string, to: string, period: TrendPeriod): string[] {
  const out: string[] = [];
  for (let i = monthIndex(from); i <= monthIndex(to) && out.length < 1200; i++) {
    const step = periodLabel(monthOf(i), period);
    if (out[out.length - 1] !== step) out.push(step);
  }
  return out;
}

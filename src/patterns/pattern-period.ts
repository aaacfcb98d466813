import { ValidationFailedError } from '../common/errors/domain-error';
import { MAX_PERIOD_MONTHS } from './dto/trends.dto';

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

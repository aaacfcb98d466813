/**
 * The `datetime-local` fields of the pages hold a wall-clock time without a zone: the reader's
 * own (their settings' timezone). These turn an instant into such a value and back.
 */

const DAY = 86_400_000;
const LOCAL_INPUT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

function formatter(timeZone: string): Intl.DateTimeFormat {
  try {
    return new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  } catch {
    // An unknown zone in a user's settings: UTC, as the page's dates do.
    return formatter('UTC');
  }
}

/** The wall-clock time of `at` in the zone, as milliseconds of the same reading in UTC. */
function wallClock(at: number, timeZone: string): number {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(new Date(at))
      .map((p) => [p.type, p.value]),
  );
  return Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
}

/** `2026-03-04T09:30`: the instant as read on a clock in the zone (to the minute). */
export function toLocalInput(at: Date, timeZone: string): string {
  return new Date(wallClock(at.getTime(), timeZone)).toISOString().slice(0, 16);
}

/**
 * The instant a wall-clock reading in the zone stands for; null when the value is no valid
 * reading. A reading that a clock change skips (spring forward) is taken as the zone's offset
 * before the change; one that happens twice (fall back) as the first.
 */
export function fromLocalInput(value: string, timeZone: string): Date | null {
  const m = LOCAL_INPUT.exec(value.trim());
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map((v) => Number(v ?? 0));
  const reading = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(reading);
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return null;
  }
  // The zone's offsets a day before and after: the same, or the two sides of a clock change.
  const offset = (at: number) => wallClock(at, timeZone) - at;
  const candidates = [reading - offset(reading - DAY), reading - offset(reading + DAY)];
  const exact = candidates.filter((at) => wallClock(at, timeZone) === reading);
  return new Date(exact.length > 0 ? Math.min(...exact) : candidates[0]);
}

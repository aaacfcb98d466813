/**
 * iCalendar (RFC 5545) serialisation of a published calendar: pure, no I/O. Content lines end in
 * CRLF and are folded at 75 octets; TEXT values are escaped. Folding and escaping are the same
 * rules as vCard's (RFC 6350 took them from RFC 5545), so the vCard helpers are reused.
 */
import { escapeText as escapeVcardText, foldLine } from '../contacts/vcard';

export { foldLine };

export interface IcsEvent {
  /** Globally unique and stable across fetches, so clients update the event instead of adding one. */
  uid: string;
  /** When this instance of the calendar was produced (with METHOD:PUBLISH). */
  stamp: Date;
  start: Date;
  /** Either a DURATION (deadlines) or an end (DTEND, meetings). */
  durationMinutes?: number;
  end?: Date;
  summary: string;
  description?: string;
  /** An absolute URI (no escaping applies to URI values). */
  url?: string;
  /** Grows whenever the event's source changes. */
  sequence?: number;
  lastModified?: Date;
  /** STATUS: a cancelled meeting stays in the feed, marked, so clients remove or strike it. */
  status?: 'CONFIRMED' | 'CANCELLED';
  /** TRANSP: a meeting makes the person busy (OPAQUE); a deadline does not (the default). */
  busy?: boolean;
  /** LOCATION: where to join (a TEXT value, e.g. the meeting's link). */
  location?: string;
}

export interface IcsCalendar {
  /** PRODID: who made the calendar, e.g. `-//Org//Product//EN`. */
  productId: string;
  /** X-WR-CALNAME: the name clients show for a subscription. */
  name: string;
  /** X-WR-TIMEZONE: the zone clients show the (UTC) times in; an IANA name. */
  timeZone: string;
  /** REFRESH-INTERVAL (RFC 7986) and X-PUBLISHED-TTL: how often clients should fetch again. */
  refreshMinutes?: number;
  events: IcsEvent[];
}

// Controls other than HTAB are not allowed in TEXT (RFC 5545 section 3.3.11); line breaks are
// kept for escapeVcardText, which writes them as `\n`.
// eslint-disable-next-line no-control-regex -- removing them is the point
const FORBIDDEN_CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** A TEXT value: backslash, semicolon, comma and line breaks escaped; other controls removed. */
export function escapeText(value: string): string {
  return escapeVcardText(value.replace(FORBIDDEN_CONTROLS, ''));
}

/** DATE-TIME in UTC, form #2 of RFC 5545 section 3.3.5: `20260305T100000Z` (whole seconds). */
export function formatUtc(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError('invalid date');
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** A DURATION value (section 3.3.6) of whole minutes, e.g. `PT30M`, `PT1H30M`, `P1D`. */
export function formatDuration(minutes: number): string {
  if (!Number.isInteger(minutes) || minutes < 0) throw new RangeError('invalid duration');
  if (minutes === 0) return 'PT0S';
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const time = `${hours ? `${hours}H` : ''}${mins ? `${mins}M` : ''}`;
  return `P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}

/** Refuses what would break the content line structure in a value that is not TEXT. */
function raw(value: string): string {
  if (/[\r\n]/.test(value)) throw new RangeError('line break in a non-TEXT value');
  return value;
}

function eventLines(event: IcsEvent): string[] {
  return [
    'BEGIN:VEVENT',
    `UID:${escapeText(event.uid)}`,
    `DTSTAMP:${formatUtc(event.stamp)}`,
    `DTSTART:${formatUtc(event.start)}`,
    event.end === undefined
      ? `DURATION:${formatDuration(event.durationMinutes ?? 0)}`
      : `DTEND:${formatUtc(event.end)}`,
    `SUMMARY:${escapeText(event.summary)}`,
    ...(event.description === undefined ? [] : [`DESCRIPTION:${escapeText(event.description)}`]),
    ...(event.url === undefined ? [] : [`URL:${raw(event.url)}`]),
    ...(event.sequence === undefined
      ? []
      : [`SEQUENCE:${Math.max(0, Math.trunc(event.sequence))}`]),
    ...(event.lastModified === undefined ? [] : [`LAST-MODIFIED:${formatUtc(event.lastModified)}`]),
    ...(event.location === undefined ? [] : [`LOCATION:${escapeText(event.location)}`]),
    ...(event.status === undefined ? [] : [`STATUS:${event.status}`]),
    // A deadline is a reminder, not a meeting: it does not make the person busy.
    `TRANSP:${event.busy ? 'OPAQUE' : 'TRANSPARENT'}`,
    'END:VEVENT',
  ];
}

/** The whole VCALENDAR object, every content line folded and ended with CRLF. */
export function serializeCalendar(calendar: IcsCalendar): string {
  const refresh =
    calendar.refreshMinutes === undefined ? [] : [formatDuration(calendar.refreshMinutes)];
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${escapeText(calendar.productId)}`,
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(calendar.name)}`,
    `X-WR-TIMEZONE:${escapeText(calendar.timeZone)}`,
    ...refresh.flatMap((d) => [`REFRESH-INTERVAL;VALUE=DURATION:${d}`, `X-PUBLISHED-TTL:${d}`]),
    ...calendar.events.flatMap(eventLines),
    'END:VCALENDAR',
  ];
  return lines.map(foldLine).join('\r\n') + '\r\n';
}

import ICAL from 'ical.js';
import {
  escapeText,
  foldLine,
  formatDuration,
  formatUtc,
  IcsCalendar,
  serializeCalendar,
} from './ical';

const unfold = (text: string) => text.replace(/\r\n[ \t]/g, '');

const calendar = (overrides: Partial<IcsCalendar> = {}): IcsCalendar => ({
  productId: '-//Helplines//Escalation Tracker//EN',
  name: 'Deadlines',
  timeZone: 'America/La_Paz',
  events: [
    {
      uid: '11111111-1111-4111-8111-111111111111-due@escalation-tracker',
      stamp: new Date('2026-03-01T08:00:00.000Z'),
      start: new Date('2026-03-05T10:00:00.250Z'),
      durationMinutes: 30,
      summary: 'Due: ESC-2026-000123 (facebook)',
      description: 'Platform: facebook\nChannel: trusted_partner',
      url: 'https://tracker.example/v1/cases/11111111-1111-4111-8111-111111111111',
      sequence: 3,
      lastModified: new Date('2026-03-02T10:00:00.000Z'),
    },
  ],
  ...overrides,
});

describe('iCalendar serialiser', () => {
  it('writes UTC date-times in the basic format, dropping milliseconds', () => {
    expect(formatUtc(new Date('2026-03-05T10:00:00.999Z'))).toBe('20260305T100000Z');
    expect(formatUtc(new Date('1999-12-31T23:59:59Z'))).toBe('19991231T235959Z');
    expect(() => formatUtc(new Date('nope'))).toThrow(RangeError);
  });

  it('writes durations of whole minutes', () => {
    expect(formatDuration(30)).toBe('PT30M');
    expect(formatDuration(60)).toBe('PT1H');
    expect(formatDuration(90)).toBe('PT1H30M');
    expect(formatDuration(1440)).toBe('P1D');
    expect(formatDuration(1500)).toBe('P1DT1H');
    expect(formatDuration(0)).toBe('PT0S');
    expect(() => formatDuration(-1)).toThrow(RangeError);
    expect(() => formatDuration(1.5)).toThrow(RangeError);
  });

  it('escapes backslash, semicolon, comma and every kind of line break in TEXT', () => {
    expect(escapeText('a\\b;c,d\ne\r\nf\rg')).toBe('a\\\\b\\;c\\,d\\ne\\nf\\ng');
    // The backslash is escaped first: an escaped comma is not escaped twice.
    expect(escapeText('\\,')).toBe('\\\\\\,');
  });

  it('drops control characters TEXT may not hold, keeping tabs', () => {
    expect(escapeText('a\u0000b\u0007c\td\u007fe\u001bf')).toBe('abc\tdef');
  });

  it('ends every line with CRLF and holds no bare LF or CR', () => {
    const text = serializeCalendar(calendar());
    expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('folds long lines at 75 octets, continuation lines starting with one space', () => {
    const long = `SUMMARY:${'x'.repeat(200)}`;
    const parts = foldLine(long).split('\r\n');
    expect(parts.length).toBe(3);
    expect(parts.map((p) => Buffer.byteLength(p, 'utf8'))).toEqual([75, 75, 200 + 8 - 75 - 74 + 1]);
    expect(parts.slice(1).every((p) => p.startsWith(' ') && !p.startsWith('  '))).toBe(true);
    expect(unfold(parts.join('\r\n'))).toBe(long);
    expect(foldLine('SHORT:value')).toBe('SHORT:value');
    expect(foldLine(`X:${'y'.repeat(73)}`)).toBe(`X:${'y'.repeat(73)}`); // exactly 75 octets
  });

  it('never splits a multi-byte UTF-8 character when folding', () => {
    // 2-, 3- and 4-byte characters, offset so that naive 75-byte cuts would land inside them.
    for (const char of ['ñ', '€', '👩🏽', '女']) {
      for (let pad = 0; pad < 4; pad += 1) {
        const line = `SUMMARY:${'a'.repeat(pad)}${char.repeat(40)}`;
        const parts = foldLine(line).split('\r\n');
        for (const part of parts) {
          const bytes = Buffer.from(part, 'utf8');
          expect(bytes.length).toBeLessThanOrEqual(75);
          // Round-tripping the bytes of each part alone proves no character was cut.
          expect(bytes.toString('utf8')).toBe(part);
          expect(part).not.toContain('\ufffd');
        }
        expect(unfold(parts.join('\r\n'))).toBe(line);
      }
    }
  });

  it('folds every line of the output, escaped text included', () => {
    const summary = `Due: ESC-2026-000123 (${'plataforma, con; comas\\ y ñandú '.repeat(6)})`;
    const text = serializeCalendar(
      calendar({ events: [{ ...calendar().events[0], summary, description: undefined }] }),
    );
    for (const line of text.split('\r\n')) {
      expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    }
    expect(unfold(text)).toContain(`SUMMARY:${escapeText(summary)}\r\n`);
  });

  it('writes the calendar properties and one VEVENT per event, in order', () => {
    const text = serializeCalendar(calendar({ refreshMinutes: 60 }));
    expect(unfold(text).split('\r\n')).toEqual([
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//Helplines//Escalation Tracker//EN',
      'CALSCALE:GREGORIAN',
      'METHOD:PUBLISH',
      'X-WR-CALNAME:Deadlines',
      'X-WR-TIMEZONE:America/La_Paz',
      'REFRESH-INTERVAL;VALUE=DURATION:PT1H',
      'X-PUBLISHED-TTL:PT1H',
      'BEGIN:VEVENT',
      'UID:11111111-1111-4111-8111-111111111111-due@escalation-tracker',
      'DTSTAMP:20260301T080000Z',
      'DTSTART:20260305T100000Z',
      'DURATION:PT30M',
      'SUMMARY:Due: ESC-2026-000123 (facebook)',
      'DESCRIPTION:Platform: facebook\\nChannel: trusted_partner',
      'URL:https://tracker.example/v1/cases/11111111-1111-4111-8111-111111111111',
      'SEQUENCE:3',
      'LAST-MODIFIED:20260302T100000Z',
      'TRANSP:TRANSPARENT',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ]);
  });

  it('writes an empty calendar as a valid VCALENDAR without events', () => {
    const parsed = new ICAL.Component(ICAL.parse(serializeCalendar(calendar({ events: [] }))));
    expect(parsed.name).toBe('vcalendar');
    expect(parsed.getAllSubcomponents('vevent')).toEqual([]);
  });

  it('refuses a line break in a URI value instead of writing a broken line', () => {
    const event = { ...calendar().events[0], url: 'https://x.example/\r\nATTACH:evil' };
    expect(() => serializeCalendar(calendar({ events: [event] }))).toThrow(RangeError);
  });

  it('round-trips through an independent parser (ical.js)', () => {
    const tricky = 'Follow up: ESC-2026-000123 (x, y; z\\ w)\nsecond line ñ€👩🏽 '.repeat(3);
    const source = calendar();
    source.events.push({
      uid: 'abc-follow-up@escalation-tracker',
      stamp: new Date('2026-03-01T08:00:00Z'),
      start: new Date('2026-03-09T23:30:00Z'),
      durationMinutes: 90,
      summary: tricky,
    });
    const vcalendar = new ICAL.Component(ICAL.parse(serializeCalendar(source)));
    expect(vcalendar.getFirstPropertyValue('version')).toBe('2.0');
    expect(vcalendar.getFirstPropertyValue('calscale')).toBe('GREGORIAN');
    expect(vcalendar.getFirstPropertyValue('method')).toBe('PUBLISH');
    expect(vcalendar.getFirstPropertyValue('x-wr-timezone')).toBe('America/La_Paz');
    const events = vcalendar.getAllSubcomponents('vevent').map((c) => new ICAL.Event(c));
    expect(
      events.map((e) => ({
        uid: e.uid,
        summary: e.summary,
        start: e.startDate.toJSDate().toISOString(),
        end: e.endDate.toJSDate().toISOString(),
        utc: e.startDate.zone?.tzid,
      })),
    ).toEqual([
      {
        uid: '11111111-1111-4111-8111-111111111111-due@escalation-tracker',
        summary: 'Due: ESC-2026-000123 (facebook)',
        start: '2026-03-05T10:00:00.000Z',
        end: '2026-03-05T10:30:00.000Z',
        utc: 'UTC',
      },
      {
        uid: 'abc-follow-up@escalation-tracker',
        summary: tricky,
        start: '2026-03-09T23:30:00.000Z',
        end: '2026-03-10T01:00:00.000Z',
        utc: 'UTC',
      },
    ]);
    expect(events[0].description).toBe('Platform: facebook\nChannel: trusted_partner');
  });

  it('writes a meeting with DTEND, STATUS, an opaque time, a LOCATION, and no DURATION', () => {
    const text = serializeCalendar(
      calendar({
        events: [
          {
            uid: 'meeting-1@escalation-tracker',
            stamp: new Date('2026-03-01T08:00:00.000Z'),
            start: new Date('2027-03-31T08:00:00.000Z'),
            end: new Date('2027-03-31T09:30:00.000Z'),
            summary: 'Community call',
            location: 'https://meet.example.org/a;b,c',
            sequence: 2,
            status: 'CANCELLED',
            busy: true,
          },
        ],
      }),
    );
    const lines = unfold(text).split('\r\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'DTSTART:20270331T080000Z',
        'DTEND:20270331T093000Z',
        'LOCATION:https://meet.example.org/a\\;b\\,c',
        'SEQUENCE:2',
        'STATUS:CANCELLED',
        'TRANSP:OPAQUE',
      ]),
    );
    expect(lines.some((l) => l.startsWith('DURATION'))).toBe(false);
    const event = new ICAL.Event(
      new ICAL.Component(ICAL.parse(text)).getFirstSubcomponent('vevent')!,
    );
    expect([
      event.startDate.toJSDate().toISOString(),
      event.endDate.toJSDate().toISOString(),
    ]).toEqual(['2027-03-31T08:00:00.000Z', '2027-03-31T09:30:00.000Z']);
    expect(event.location).toBe('https://meet.example.org/a;b,c');
  });
});

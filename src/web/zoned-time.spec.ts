import { fromLocalInput, toLocalInput } from './zoned-time';

describe('datetime-local values in the reader timezone', () => {
  it('reads a wall-clock time in the zone, both ways', () => {
    const at = new Date('2026-03-04T13:30:00.000Z');
    expect(toLocalInput(at, 'America/La_Paz')).toBe('2026-03-04T09:30');
    expect(fromLocalInput('2026-03-04T09:30', 'America/La_Paz')).toEqual(at);
    expect(toLocalInput(at, 'Asia/Jakarta')).toBe('2026-03-04T20:30');
    expect(fromLocalInput('2026-03-04T20:30', 'Asia/Jakarta')).toEqual(at);
    expect(fromLocalInput('2026-03-04T13:30:00', 'UTC')).toEqual(at);
  });

  it('follows daylight saving time (Mexico City has none since 2022, Madrid has)', () => {
    expect(fromLocalInput('2026-07-01T12:00', 'Europe/Madrid')).toEqual(
      new Date('2026-07-01T10:00:00.000Z'),
    );
    expect(fromLocalInput('2026-01-15T12:00', 'Europe/Madrid')).toEqual(
      new Date('2026-01-15T11:00:00.000Z'),
    );
    expect(fromLocalInput('2026-07-01T12:00', 'America/Mexico_City')).toEqual(
      new Date('2026-07-01T18:00:00.000Z'),
    );
    // 02:30 on 29 March 2026 does not exist in Madrid; 02:30 on 25 October happens twice.
    expect(fromLocalInput('2026-03-29T02:30', 'Europe/Madrid')).toEqual(
      new Date('2026-03-29T01:30:00.000Z'),
    );
    expect(fromLocalInput('2026-10-25T02:30', 'Europe/Madrid')).toEqual(
      new Date('2026-10-25T00:30:00.000Z'),
    );
  });

  it('refuses what is no wall-clock reading', () => {
    for (const value of ['', 'now', '2026-02-30T10:00', '2026-03-04T24:00', '2026-03-04 10:00']) {
      expect(fromLocalInput(value, 'UTC')).toBeNull();
    }
  });

  it('an unknown zone reads as UTC', () => {
    const at = new Date('2026-03-04T13:30:00.000Z');
    expect(toLocalInput(at, 'Mars/Olympus')).toBe('2026-03-04T13:30');
    expect(fromLocalInput('2026-03-04T13:30', 'Mars/Olympus')).toEqual(at);
  });
});

import { ValidationFailedError } from '../errors/domain-error';
import { decodeCursor, encodeCursor, toPage } from './cursor';

describe('cursor codec', () => {
  it('round-trips the sort keys', () => {
    const cursor = encodeCursor([
      '2026-11-28T10:00:00.000Z',
      'b3f1c1d2-0000-4000-8000-000000000000',
    ]);
    expect(cursor).toMatch(/^[\w-]+$/);
    expect(decodeCursor(cursor, ['timestamp', 'uuid'])).toEqual([
      '2026-11-28T10:00:00.000Z',
      'b3f1c1d2-0000-4000-8000-000000000000',
    ]);
  });

  it.each([
    ['garbage!'],
    [encodeCursor(['only-one'])],
    [Buffer.from('{"a":1}').toString('base64url')],
    [encodeCursor(['x'.repeat(201), 'y'])],
  ])('refuses a cursor it did not make (%s) with a 400', (cursor) => {
    expect(() => decodeCursor(cursor, ['text', 'text'])).toThrow(ValidationFailedError);
  });

  const ID = 'b3f1c1d2-0000-4000-8000-000000000000';
  it.each([
    ['a timestamp that is not one', ['yesterday', ID]],
    ['an impossible date', ['2026-02-30T00:00:00.000Z', ID]],
    ['a date without a time zone', ['2026-02-10T00:00:00', ID]],
    ['an id that is not a uuid', ['2026-02-10T00:00:00.000Z', "1' OR '1'='1"]],
    ['a number where a timestamp belongs', [1700000000, ID]],
  ])('refuses %s before it reaches SQL', (_label, values) => {
    expect(() =>
      decodeCursor(encodeCursor(values as (string | number)[]), ['timestamp', 'uuid']),
    ).toThrow(ValidationFailedError);
  });

  it.each([
    ['ISO with milliseconds', '2026-11-28T10:00:00.123Z'],
    ['PostgreSQL text with microseconds', '2026-11-28 10:00:00.123456+00'],
    ['PostgreSQL text with an offset', '2026-11-28 10:00:00+05:30'],
    ['never', '-infinity'],
  ])('accepts a timestamp written as %s', (_label, at) => {
    expect(decodeCursor(encodeCursor([3, at, ID]), ['int', 'timestamp', 'uuid'])).toEqual([
      '3',
      at,
      ID,
    ]);
  });

  it('refuses a fractional or string score where an integer belongs', () => {
    for (const score of [1.5, '3']) {
      expect(() =>
        decodeCursor(encodeCursor([score, '-infinity', ID]), ['int', 'timestamp', 'uuid']),
      ).toThrow(ValidationFailedError);
    }
  });

  it('pages with one extra row telling whether more follow', () => {
    const rows = [{ k: 'a' }, { k: 'b' }, { k: 'c' }];
    expect(
      toPage(
        rows,
        2,
        (r) => r.k,
        (r) => [r.k],
      ),
    ).toEqual({ data: ['a', 'b'], nextCursor: encodeCursor(['b']) });
    expect(
      toPage(
        rows,
        3,
        (r) => r.k,
        (r) => [r.k],
      ),
    ).toEqual({ data: ['a', 'b', 'c'], nextCursor: null });
  });
});

import { ValidationFailedError } from '../errors/domain-error';
import { decodeCursor, encodeCursor, toPage } from './cursor';

describe('cursor codec', () => {
  it('round-trips the sort keys', () => {
    const cursor = encodeCursor([
      '2026-11-28T10:00:00.000Z',
      'b3f1c1d2-0000-4000-8000-000000000000',
    ]);
    expect(cursor).toMatch(/^[\w-]+$/);
    expect(decodeCursor(cursor, 2)).toEqual([
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
    expect(() => decodeCursor(cursor, 2)).toThrow(ValidationFailedError);
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

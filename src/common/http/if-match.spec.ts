import { ValidationFailedError } from '../errors/domain-error';
import { etagOf, parseIfMatch } from './if-match';

describe('If-Match', () => {
  it.each([
    ['3', 3],
    ['"3"', 3],
    ['W/"12"', 12],
    [' "7" ', 7],
  ])('reads %s as version %s', (header, version) => {
    expect(parseIfMatch(header)).toBe(version);
  });

  it('is undefined when absent, so the caller can answer 428', () => {
    expect(parseIfMatch(undefined)).toBeUndefined();
  });

  it.each(['', '*', 'abc', '"3", "4"', '-1', '1.5', '9999999999'])(
    'refuses %j with a 400 naming If-Match',
    (header) => {
      expect(() => parseIfMatch(header)).toThrow(ValidationFailedError);
    },
  );

  it('quotes the version as an ETag', () => {
    expect(etagOf(4)).toBe('"4"');
    expect(parseIfMatch(etagOf(4))).toBe(4);
  });
});

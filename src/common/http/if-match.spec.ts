import { ValidationFailedError } from '../errors/domain-error';
import { etagOf, ifMatchHolds, parseIfMatch } from './if-match';

describe('If-Match (RFC 9110, 13.1.1)', () => {
  it.each([
    ['3', [3]],
    ['"3"', [3]],
    [' "7" ', [7]],
    ['"x", "7"', [7]],
    ['"7","8"', [7, 8]],
    ['"7", , "9"', [7, 9]],
  ])('reads %s as the strong versions %j', (header, versions) => {
    expect(parseIfMatch(header)).toEqual({ versions });
  });

  it('never lets a weak tag match: W/"12" leaves no version', () => {
    expect(parseIfMatch('W/"12"')).toEqual({ versions: [] });
    expect(ifMatchHolds(parseIfMatch('W/"12"')!, 12)).toBe(false);
    expect(parseIfMatch('W/"12", "13"')).toEqual({ versions: [13] });
  });

  it('reads * as any current version', () => {
    expect(parseIfMatch('*')).toEqual({ any: true });
    expect(ifMatchHolds({ any: true }, 41)).toBe(true);
  });

  it('holds only for a listed version', () => {
    expect(ifMatchHolds({ versions: [3, 4] }, 4)).toBe(true);
    expect(ifMatchHolds({ versions: [3, 4] }, 5)).toBe(false);
    expect(ifMatchHolds({ versions: [] }, 5)).toBe(false);
  });

  it('treats a tag that is no version of ours as matching nothing, not as malformed', () => {
    expect(parseIfMatch('"abc"')).toEqual({ versions: [] });
    expect(parseIfMatch('"9999999999"')).toEqual({ versions: [] });
  });

  it('is undefined when absent, so the caller can answer 428', () => {
    expect(parseIfMatch(undefined)).toBeUndefined();
  });

  it.each([
    '',
    ' , ',
    'abc',
    '-1',
    '1.5',
    '9999999999',
    '"3',
    '*, "3"',
    'W/3',
    '"a"b"',
    '1,2',
    '"1" "2"',
  ])('refuses %j with a 400 naming If-Match', (header) => {
    expect(() => parseIfMatch(header)).toThrow(ValidationFailedError);
  });

  it('quotes the version as a strong ETag, which matches itself', () => {
    expect(etagOf(4)).toBe('"4"');
    expect(ifMatchHolds(parseIfMatch(etagOf(4))!, 4)).toBe(true);
  });
});

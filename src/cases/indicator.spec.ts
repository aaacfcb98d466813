import { createHmac } from 'node:crypto';
import { indicatorHash, IndicatorKind, normalizeIndicator } from './indicator';

const value = (kind: IndicatorKind, raw: string) => normalizeIndicator(kind, raw);

describe('normalizeIndicator', () => {
  it.each<[IndicatorKind, string[], string]>([
    ['account_handle', ['@Maria_X', ' maria_x ', 'MARIA_X', '@maria_x'], 'maria_x'],
    ['account_handle', ['@José.Pérez'], 'josé.pérez'],
    [
      'url',
      [
        'http://www.Facebook.com/page/?utm_source=x&b=2&a=1#top',
        'https://facebook.com/page?a=1&b=2',
        'https://m.facebook.com/page/?b=2&fbclid=abc&a=1',
      ],
      'https://facebook.com/page?a=1&b=2',
    ],
    [
      'url',
      ['https://twitter.com/someone/status/1?s=20', 'https://x.com/someone/status/1/'],
      'https://x.com/someone/status/1',
    ],
    ['url', ['https://example.org/CaseSensitive/Path'], 'https://example.org/CaseSensitive/Path'],
    ['url', ['https://example.org'], 'https://example.org/'],
    ['hashtag', ['#Fuera', 'fuera', '＃FUERA'], 'fuera'],
    [
      'phone',
      ['+52 1 55 1234 5678', '0052-1-55-1234-5678', '+52 (155) 1234.5678'],
      '+5215512345678',
    ],
    ['domain', ['Example.ORG.', 'www.example.org', 'example.org'], 'example.org'],
    ['domain', ['bücher.de'], 'xn--bcher-kva.de'],
    ['image_hash', ['SHA256:' + 'AB'.repeat(32), 'ab'.repeat(32)], 'ab'.repeat(32)],
  ])('%s: every spelling gives one canonical value', (kind, spellings, expected) => {
    for (const raw of spellings) expect(value(kind, raw)).toEqual({ value: expected });
  });

  it.each<[IndicatorKind, string]>([
    ['url', 'javascript:alert(1)'],
    ['url', 'ftp://example.org/file'],
    ['url', 'data:text/html,hi'],
    ['url', 'example.org/no-scheme'],
    ['url', '/relative/path'],
    ['account_handle', 'two words'],
    ['account_handle', '@'],
    ['account_handle', 'x'.repeat(101)],
    ['hashtag', '#two words'],
    ['phone', '55 1234 5678'],
    ['phone', '+0123456789'],
    ['phone', '+12'],
    ['domain', 'https://example.org'],
    ['domain', '192.168.0.1'],
    ['domain', 'localhost'],
    ['domain', '-bad-.org'],
    ['image_hash', 'not-hex-at-all'],
    ['image_hash', 'abc'],
    ['image_hash', 'a'.repeat(63)],
  ])('%s refuses %s', (kind, raw) => {
    const result = value(kind, raw);
    expect(result).toEqual({ error: expect.any(String) });
  });

  it.each(['account_handle', 'url', 'hashtag', 'phone', 'domain', 'image_hash'] as const)(
    '%s refuses empty, control characters and oversized input',
    (kind) => {
      expect(value(kind, '   ')).toEqual({ error: 'must not be empty' });
      expect(value(kind, 'abc\u0000def')).toEqual({ error: 'must not contain control characters' });
      expect(value(kind, 'a'.repeat(2049))).toEqual({ error: 'must be at most 2048 characters' });
    },
  );

  it('never repeats the refused value in its message', () => {
    const secret = 'javascript:alert(document.cookie)//survivor-name';
    const result = value('url', secret) as { error: string };
    expect(result.error).not.toContain('survivor');
    expect(result.error).not.toContain('javascript');
    const phone = value('phone', '5512345678') as { error: string };
    expect(phone.error).not.toContain('5512345678');
  });
});

describe('indicatorHash', () => {
  const KEY = 'k'.repeat(40);

  it('is the HMAC-SHA256 of kind, NUL and value under the key', () => {
    const expected = createHmac('sha256', KEY).update('account_handle\u0000maria_x').digest('hex');
    expect(indicatorHash(KEY, 'account_handle', 'maria_x')).toBe(expected);
    expect(indicatorHash(KEY, 'account_handle', 'maria_x')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('differs by key and by kind for the same text', () => {
    const a = indicatorHash(KEY, 'hashtag', 'fuera');
    expect(indicatorHash(KEY, 'hashtag', 'fuera')).toBe(a);
    expect(indicatorHash('j'.repeat(40), 'hashtag', 'fuera')).not.toBe(a);
    expect(indicatorHash(KEY, 'account_handle', 'fuera')).not.toBe(a);
  });
});

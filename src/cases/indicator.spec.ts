import { createHmac } from 'node:crypto';
import { INDICATOR_KINDS, indicatorHash, IndicatorKind, normalizeIndicator } from './indicator';

// The messages are part of the API (400 answers), so they are pinned here as literals.
const E = {
  tooLong: 'must be at most 2048 characters',
  empty: 'must not be empty',
  control: 'must not contain control characters',
  handle: 'must be 1 to 100 letters, digits, ".", "_" or "-", after an optional leading "@"',
  url: 'must be an http(s) URL',
  hashtag: 'must be 1 to 140 letters, digits or "_", after an optional leading "#"',
  phoneInternational: 'must be in international format, such as +59170012345',
  phoneDigits: 'must be "+" followed by 8 to 15 digits, the first of which is not 0',
  domainIsUrl: 'must be the domain only (use kind url for a URL)',
  domain: 'must be a domain name such as example.org',
  domainIp: 'must be a domain name, not an IP address',
  imageHash:
    'must be 16 to 128 hexadecimal digits (an even number), optionally after a prefix like sha256:',
};

const HEX64 = 'ab'.repeat(32);

describe('normalizeIndicator', () => {
  describe('gives one canonical value for every spelling', () => {
    it.each<[IndicatorKind, string[], string]>([
      // account_handle
      ['account_handle', ['@Maria_X', ' maria_x ', 'MARIA_X', '@maria_x', 'maria_x\n'], 'maria_x'],
      ['account_handle', ['@José.Pérez', 'JOSE\u0301.PE\u0301REZ'], 'josé.pérez'],
      ['account_handle', ['@प्रिया-1'], 'प्रिया-1'],
      ['account_handle', ['@' + 'x'.repeat(100)], 'x'.repeat(100)],
      // url
      [
        'url',
        [
          'http://www.Facebook.com/page/?utm_source=x&b=2&a=1#top',
          'https://facebook.com/page?a=1&b=2',
          'https://m.facebook.com/page/?b=2&fbclid=abc&a=1',
          'https://user:secret@mobile.facebook.com:443/page?a=1&b=2',
          'HTTPS://FACEBOOK.COM./page?b=2&gclid=1&igshid=2&igsh=3&mibextid=4&si=5&a=1',
          'https://facebook.com/page?ref_src=6&ref_url=7&UTM_Medium=8&utm_campaign=9&a=1&b=2',
        ],
        'https://facebook.com/page?a=1&b=2',
      ],
      [
        'url',
        [
          'https://twitter.com/someone/status/1?s=20',
          'https://mobile.twitter.com/someone/status/1/',
          'http://www.x.com/someone/status/1#reply',
        ],
        'https://x.com/someone/status/1',
      ],
      [
        'url',
        ['https://www.tiktok.com/@abuser/video/42?_t=8abc&_r=1&lang=es&is_copy_url=1'],
        'https://tiktok.com/@abuser/video/42?is_copy_url=1&lang=es',
      ],
      // "s", "_t" and "_r" are tracking only on their own platforms.
      [
        'url',
        ['https://example.org/find?s=term&_t=1&_r=2'],
        'https://example.org/find?_r=2&_t=1&s=term',
      ],
      [
        'url',
        ['https://Example.ORG/CaseSensitive/Path/', 'https://example.org/CaseSensitive/Path'],
        'https://example.org/CaseSensitive/Path',
      ],
      [
        'url',
        ['https://example.org', 'https://example.org/', 'http://www.example.org/#x'],
        'https://example.org/',
      ],
      [
        'url',
        ['http://example.org:8080/a', 'https://example.org:8080/a/'],
        'https://example.org:8080/a',
      ],
      [
        'url',
        ['https://example.org/jos%c3%a9/%7euser', 'https://example.org/josé/~user'],
        'https://example.org/jos%C3%A9/~user',
      ],
      [
        'url',
        ['https://example.org/s?q=a%20b', 'https://example.org/s?q=a+b'],
        'https://example.org/s?q=a+b',
      ],
      [
        'url',
        ['https://example.org/t?tag=b&tag=a', 'https://example.org/t?tag=a&tag=b'],
        'https://example.org/t?tag=a&tag=b',
      ],
      ['url', ['https://example.org/p?utm_source=x&fbclid=y'], 'https://example.org/p'],
      // Only one trailing slash goes; the prefix goes only when a registrable name is left.
      ['url', ['https://example.org/a//'], 'https://example.org/a/'],
      ['url', ['https://m.me/someone'], 'https://m.me/someone'],
      ['url', ['https://bücher.de/x'], 'https://xn--bcher-kva.de/x'],
      // hashtag
      ['hashtag', ['#Fuera', 'fuera', '＃FUERA', ' #fuera '], 'fuera'],
      ['hashtag', ['#NiUnaMenos_2024'], 'niunamenos_2024'],
      ['hashtag', ['#أنا_أيضا'], 'أنا_أيضا'],
      ['hashtag', ['#' + 'A'.repeat(140)], 'a'.repeat(140)],
      // phone
      [
        'phone',
        [
          '+52 1 55 1234 5678',
          '0052-1-55-1234-5678',
          '+52 (155) 1234.5678',
          '+52/1/55/12345678',
          '+52\u00a0155\u00a012345678',
          '+5215512345678',
        ],
        '+5215512345678',
      ],
      ['phone', ['+1 234 5678'], '+12345678'],
      ['phone', ['+123 456 789 012 345'], '+123456789012345'],
      // domain
      [
        'domain',
        ['Example.ORG.', 'www.example.org', 'example.org', 'WWW.EXAMPLE.ORG'],
        'example.org',
      ],
      [
        'domain',
        ['bücher.de', 'BÜCHER.de', 'xn--bcher-kva.de', 'www.bücher.de.'],
        'xn--bcher-kva.de',
      ],
      ['domain', ['example.org。'], 'example.org'],
      ['domain', ['www.com'], 'www.com'],
      ['domain', ['sub.www.example.org'], 'sub.www.example.org'],
      ['domain', ['a-b.co.uk'], 'a-b.co.uk'],
      // image_hash
      ['image_hash', ['SHA256:' + 'AB'.repeat(32), HEX64, ` sha256:${HEX64} `], HEX64],
      ['image_hash', ['md5:D41D8CD98F00B204E9800998ECF8427E'], 'd41d8cd98f00b204e9800998ecf8427e'],
      ['image_hash', ['pdq:' + 'F'.repeat(64)], 'f'.repeat(64)],
      ['image_hash', ['0123456789abcdef'], '0123456789abcdef'],
      ['image_hash', ['c'.repeat(128)], 'c'.repeat(128)],
    ])('%s: %j', (kind, spellings, expected) => {
      for (const raw of spellings)
        expect(normalizeIndicator(kind, raw)).toEqual({ value: expected });
    });
  });

  describe('refuses what is not an indicator of the kind', () => {
    it.each<[IndicatorKind, string, string]>([
      ['url', 'javascript:alert(1)', E.url],
      ['url', 'JavaScript:alert(1)', E.url],
      ['url', 'ftp://example.org/file', E.url],
      ['url', 'data:text/html,hi', E.url],
      ['url', 'mailto:someone@example.org', E.url],
      ['url', 'file:///etc/passwd', E.url],
      ['url', 'example.org/no-scheme', E.url],
      ['url', 'www.example.org', E.url],
      ['url', '/relative/path', E.url],
      ['url', 'https://exa mple.org', E.url],
      ['url', 'https://', E.url],
      ['account_handle', 'two words', E.handle],
      ['account_handle', '@', E.handle],
      ['account_handle', '@@maria', E.handle],
      ['account_handle', 'maria!', E.handle],
      ['account_handle', 'maria\u200b', E.handle],
      ['account_handle', 'x'.repeat(101), E.handle],
      ['hashtag', '#two words', E.hashtag],
      ['hashtag', '#', E.hashtag],
      ['hashtag', '##fuera', E.hashtag],
      ['hashtag', '#a-b', E.hashtag],
      ['hashtag', 'x'.repeat(141), E.hashtag],
      ['phone', '55 1234 5678', E.phoneInternational],
      ['phone', '(55) 1234-5678', E.phoneInternational],
      ['phone', '0 55 1234 5678', E.phoneInternational],
      ['phone', '+0123456789', E.phoneDigits],
      ['phone', '000123456789', E.phoneDigits],
      ['phone', '+12', E.phoneDigits],
      ['phone', '+1234567', E.phoneDigits],
      ['phone', '+1234567890123456', E.phoneDigits],
      ['phone', '+52 55 abc 1234', E.phoneDigits],
      ['phone', '+52 55 1234 5678 ext 9', E.phoneDigits],
      ['domain', 'https://example.org', E.domainIsUrl],
      ['domain', 'http://example.org/path', E.domainIsUrl],
      ['domain', '192.168.0.1', E.domainIp],
      ['domain', '10.0.0.1.', E.domainIp],
      ['domain', '0x7f.1', E.domainIp],
      ['domain', 'localhost', E.domain],
      ['domain', '-bad-.org', E.domain],
      ['domain', 'bad-.org', E.domain],
      ['domain', 'ex_ample.org', E.domain],
      ['domain', 'example.org/path', E.domain],
      ['domain', 'example.org:8080', E.domain],
      ['domain', 'someone@example.org', E.domain],
      ['domain', 'a..b', E.domain],
      ['domain', '.example.org', E.domain],
      ['domain', '*.example.org', E.domain],
      ['domain', 'exa mple.org', E.domain],
      ['domain', 'a'.repeat(64) + '.org', E.domain],
      ['domain', `${'a'.repeat(63)}.`.repeat(4) + 'org', E.domain],
      ['image_hash', 'not-hex-at-all', E.imageHash],
      ['image_hash', 'abc', E.imageHash],
      ['image_hash', 'a'.repeat(63), E.imageHash],
      ['image_hash', 'ab'.repeat(7), E.imageHash],
      ['image_hash', 'ab'.repeat(65), E.imageHash],
      ['image_hash', 'sha256:', E.imageHash],
      ['image_hash', 'sha256:' + 'zz'.repeat(32), E.imageHash],
      ['image_hash', 'abcd abcd abcd abcd', E.imageHash],
    ])('%s refuses %j', (kind, raw, error) => {
      expect(normalizeIndicator(kind, raw)).toEqual({ error });
    });

    it.each(INDICATOR_KINDS)('%s refuses empty, control characters and oversized input', (kind) => {
      expect(normalizeIndicator(kind, '')).toEqual({ error: E.empty });
      expect(normalizeIndicator(kind, '  \t\n ')).toEqual({ error: E.empty });
      for (const control of ['\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\u009b', '\r\n']) {
        expect(normalizeIndicator(kind, `abc${control}def`)).toEqual({ error: E.control });
      }
      expect(normalizeIndicator(kind, 'a'.repeat(2049))).toEqual({ error: E.tooLong });
      // Counted before trimming: padding does not smuggle in a huge body.
      expect(normalizeIndicator(kind, ' '.repeat(2049))).toEqual({ error: E.tooLong });
    });

    it('accepts exactly 2048 characters', () => {
      const raw = 'https://example.org/' + 'a'.repeat(2048 - 20);
      expect(raw).toHaveLength(2048);
      expect(normalizeIndicator('url', raw)).toEqual({ value: raw });
    });

    it('refuses values that are not strings and kinds it does not know', () => {
      expect(normalizeIndicator('url', 42 as unknown as string)).toEqual({
        error: 'must be a string',
      });
      expect(normalizeIndicator('email' as IndicatorKind, 'a@example.org')).toEqual({
        error: 'is not a known indicator kind',
      });
    });
  });

  it('never repeats the refused value in its message', () => {
    const secret = 'Quetzalli Survivor';
    const refused: [IndicatorKind, string][] = [
      ['url', `javascript:alert('${secret}')`],
      ['url', `ftp://files.example.org/${secret}`],
      ['url', `https://${secret}.org`],
      ['account_handle', `@${secret}`],
      ['hashtag', `#${secret}`],
      ['phone', `${secret} 4477001122`],
      ['phone', `+52 ${secret}`],
      ['domain', `https://${secret}.org`],
      ['domain', `${secret}.org`],
      ['image_hash', `sha256:${secret}`],
      ['url', `${secret}\u0000`],
      ['hashtag', secret + 'x'.repeat(3000)],
    ];
    for (const [kind, raw] of refused) {
      const result = normalizeIndicator(kind, raw);
      expect('error' in result).toBe(true);
      const message = 'error' in result ? result.error.toLowerCase() : '';
      for (const part of ['quetzalli', 'survivor', '4477001122']) {
        expect(message).not.toContain(part);
      }
    }
  });
});

describe('indicatorHash', () => {
  const KEY = 'test-key-not-a-secret';

  it('is the hex HMAC-SHA256 of kind, NUL and value under the key', () => {
    const value = 'https://facebook.com/page?a=1&b=2';
    const expected = createHmac('sha256', KEY).update(`url\u0000${value}`, 'utf8').digest('hex');
    expect(indicatorHash(KEY, 'url', value)).toBe(expected);
    // Computed with openssl; stored hashes must not change silently.
    expect(indicatorHash(KEY, 'url', value)).toBe(
      'fdd59522d5944d605675079bfc8f7364061482550069322241a19424dc1591fb',
    );
  });

  it('hashes non-ASCII values as UTF-8', () => {
    const expected = createHmac('sha256', KEY)
      .update(Buffer.from('account_handle\u0000josé.pérez', 'utf8'))
      .digest('hex');
    expect(indicatorHash(KEY, 'account_handle', 'josé.pérez')).toBe(expected);
  });

  it('is deterministic and 64 lowercase hex characters', () => {
    const a = indicatorHash(KEY, 'hashtag', 'fuera');
    expect(indicatorHash(KEY, 'hashtag', 'fuera')).toBe(a);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).toHaveLength(64);
  });

  it('differs by key, by kind for the same text, and by value', () => {
    const a = indicatorHash(KEY, 'hashtag', 'fuera');
    expect(indicatorHash('another-key', 'hashtag', 'fuera') === a).toBe(false);
    expect(indicatorHash(KEY, 'account_handle', 'fuera') === a).toBe(false);
    expect(indicatorHash(KEY, 'hashtag', 'fuera2') === a).toBe(false);
    // The NUL separator is really there.
    const withoutSeparator = createHmac('sha256', KEY).update('hashtagfuera').digest('hex');
    expect(a === withoutSeparator).toBe(false);
  });

  it('refuses an empty key', () => {
    expect(() => indicatorHash('', 'hashtag', 'fuera')).toThrow(
      'indicatorHash needs a non-empty key',
    );
  });

  it('matches across helplines that spelled the indicator differently', () => {
    const hashOf = (kind: IndicatorKind, raw: string) => {
      const result = normalizeIndicator(kind, raw);
      if (!('value' in result)) throw new Error(`refused: ${result.error}`);
      return indicatorHash(KEY, kind, result.value);
    };
    expect(hashOf('account_handle', '@Maria_X')).toBe(hashOf('account_handle', ' maria_x '));
    expect(hashOf('phone', '+52 1 55 1234 5678')).toBe(hashOf('phone', '0052-1-55-1234-5678'));
    expect(hashOf('url', 'http://www.Facebook.com/page/?utm_source=x&b=2&a=1#top')).toBe(
      hashOf('url', 'https://facebook.com/page?a=1&b=2'),
    );
  });
});

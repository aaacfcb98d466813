import { createHmac } from 'node:crypto';
import { domainToASCII } from 'node:url';

/**
 * Indicators are traces attackers leave (handles, URLs, hashtags, phones, domains, image
 * hashes). The same trace logged by two helplines in different spellings must match, so values
 * are normalised first; organisations then compare only a keyed hash of them.
 *
 * Error messages are fixed strings and never repeat the value: they end up in 400 answers and
 * logs, and the value may identify a survivor.
 */
export const INDICATOR_KINDS = [
  'account_handle',
  'url',
  'hashtag',
  'phone',
  'domain',
  'image_hash',
] as const;
export type IndicatorKind = (typeof INDICATOR_KINDS)[number];

export type NormalizedIndicator = { value: string } | { error: string };

const MAX_INPUT = 2048;
// Cc: C0, DEL and C1. Checked after trimming, so a pasted trailing newline is still accepted.
const CONTROL = /\p{Cc}/u;

const INDICATOR_ERRORS = {
  notString: 'must be a string',
  unknownKind: 'is not a known indicator kind',
  tooLong: `must be at most ${MAX_INPUT} characters`,
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
} as const;

const fail = (error: string): NormalizedIndicator => ({ error });

/** The canonical form of an indicator, or why it is not one (a message that never echoes it). */
export function normalizeIndicator(kind: IndicatorKind, raw: string): NormalizedIndicator {
  // Runtime guard: callers outside TypeScript (CSV import, bodies) may still pass anything.
  if (typeof raw !== 'string') return fail(INDICATOR_ERRORS.notString);
  // Before any regex work, so a huge body costs nothing.
  if (raw.length > MAX_INPUT) return fail(INDICATOR_ERRORS.tooLong);
  const value = raw.trim().normalize('NFC');
  if (value === '') return fail(INDICATOR_ERRORS.empty);
  if (CONTROL.test(value)) return fail(INDICATOR_ERRORS.control);
  switch (kind) {
    case 'account_handle':
      return handle(value);
    case 'url':
      return url(value);
    case 'hashtag':
      return hashtag(value);
    case 'phone':
      return phone(value);
    case 'domain':
      return domain(value);
    case 'image_hash':
      return imageHash(value);
    default:
      return fail(INDICATOR_ERRORS.unknownKind);
  }
}

// Lowercasing can decompose (e.g. "İ" becomes "i" plus a combining dot), so recompose after.
const lower = (s: string) => s.toLowerCase().normalize('NFC');

// \p{M}: scripts such as Devanagari write vowel signs as combining marks even in NFC.
const HANDLE = /^[\p{L}\p{M}\p{N}._-]{1,100}$/u;
const HASHTAG = /^[\p{L}\p{M}\p{N}_]{1,140}$/u;

function handle(value: string): NormalizedIndicator {
  const v = lower(value.replace(/^@/, ''));
  return HANDLE.test(v) ? { value: v } : fail(INDICATOR_ERRORS.handle);
}

function hashtag(value: string): NormalizedIndicator {
  const v = lower(value.replace(/^[#＃]/, ''));
  return HASHTAG.test(v) ? { value: v } : fail(INDICATOR_ERRORS.hashtag);
}

function phone(value: string): NormalizedIndicator {
  // \s also covers the no-break spaces that copying from documents brings in.
  let v = value.replace(/[\s\-.()/]/g, '');
  if (v.startsWith('00')) v = `+${v.slice(2)}`;
  // Without a country code, the same local number means different people in different countries.
  if (!v.startsWith('+')) return fail(INDICATOR_ERRORS.phoneInternational);
  return /^\+[1-9]\d{7,14}$/.test(v) ? { value: v } : fail(INDICATOR_ERRORS.phoneDigits);
}

/** Query parameters that only say where a click came from: dropped so shares of one post match. */
const TRACKING_PARAMS = new Set([
  'fbclid',
  'gclid',
  'igshid',
  'igsh',
  'mibextid',
  'si',
  'ref_src',
  'ref_url',
]);
const SITE_TRACKING_PARAMS: [site: string, params: string[]][] = [
  ['x.com', ['s']],
  ['tiktok.com', ['_t', '_r']],
];
/** Mobile and www prefixes serve the same content as the bare host. */
const HOST_PREFIXES = ['www.', 'm.', 'mobile.'];
/** Other names of the same platform. */
const HOST_ALIASES: Record<string, string> = { 'twitter.com': 'x.com' };

const onSite = (host: string, site: string) => host === site || host.endsWith(`.${site}`);

function canonicalHost(hostname: string): string {
  let host = hostname.toLowerCase().replace(/\.$/, '');
  const prefix = HOST_PREFIXES.find((p) => host.startsWith(p));
  // Only when a registrable name is left: "m.me" is Messenger, not "me".
  if (prefix && host.indexOf('.', prefix.length) !== -1) host = host.slice(prefix.length);
  return HOST_ALIASES[host] ?? host;
}

function isTracking(key: string, host: string): boolean {
  const k = key.toLowerCase();
  if (k.startsWith('utm_') || TRACKING_PARAMS.has(k)) return true;
  return SITE_TRACKING_PARAMS.some(([site, params]) => onSite(host, site) && params.includes(k));
}

// Code-unit order, not localeCompare: the result must not depend on the server's locale.
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * RFC 3986 §6.2.2: "%7e" and "~" are the same path, and so are "%c3%a9" and "%C3%A9". Decode
 * escaped unreserved characters and uppercase the rest.
 */
function canonicalEscapes(path: string): string {
  return path.replace(/%([0-9a-fA-F]{2})/g, (_m, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    return /^[A-Za-z0-9\-._~]$/.test(char) ? char : `%${hex.toUpperCase()}`;
  });
}

function url(value: string): NormalizedIndicator {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return fail(INDICATOR_ERRORS.url);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    return fail(INDICATOR_ERRORS.url);
  const host = canonicalHost(parsed.hostname);
  if (!host) return fail(INDICATOR_ERRORS.url);
  const params = [...parsed.searchParams]
    .filter(([key]) => !isTracking(key, host))
    .sort(([ak, av], [bk, bv]) => compare(ak, bk) || compare(av, bv));
  const query = new URLSearchParams(params).toString();
  let path = canonicalEscapes(parsed.pathname);
  if (path !== '/' && path.endsWith('/')) path = path.slice(0, -1);
  // URL already drops the default port of the scheme it was given; the output is https, so 443
  // is a default too. Credentials and the fragment are deliberately left out.
  const port = parsed.port && parsed.port !== '443' ? `:${parsed.port}` : '';
  return { value: `https://${host}${port}${path}${query ? `?${query}` : ''}` };
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function domain(value: string): NormalizedIndicator {
  if (value.includes('://')) return fail(INDICATOR_ERRORS.domainIsUrl);
  const v = value.toLowerCase().replace(/\.$/, '');
  // domainToASCII silently drops a path ("example.org/x" gives "example.org"): refuse first.
  if (/[\s/\\?#@:%[\]]/.test(v)) return fail(INDICATOR_ERRORS.domain);
  // A trailing ideographic full stop only becomes "." here, so strip once more.
  let ascii = domainToASCII(v).replace(/\.$/, '');
  if (!ascii) return fail(INDICATOR_ERRORS.domain);
  if (ascii.startsWith('www.') && ascii.indexOf('.', 4) !== -1) ascii = ascii.slice(4);
  const labels = ascii.split('.');
  if (ascii.length > 253 || labels.length < 2 || !labels.every((l) => LABEL.test(l))) {
    return fail(INDICATOR_ERRORS.domain);
  }
  // No TLD is all digits, so this is an IPv4 address (domainToASCII also turns "0x7f.1" into one).
  if (/^\d+$/.test(labels[labels.length - 1])) return fail(INDICATOR_ERRORS.domainIp);
  return { value: ascii };
}

function imageHash(value: string): NormalizedIndicator {
  const v = value.toLowerCase().replace(/^[a-z][a-z0-9]{0,15}:/, '');
  // Pairs of hex digits: a digest is whole bytes.
  return /^(?:[0-9a-f]{2}){8,64}$/.test(v) ? { value: v } : fail(INDICATOR_ERRORS.imageHash);
}

/**
 * Hex HMAC-SHA256 of kind, NUL and normalised value under the key. The kind is part of the
 * input, so a hashtag and a handle with the same text never match; no kind contains NUL, so the
 * split is unambiguous.
 */
export function indicatorHash(key: string, kind: IndicatorKind, normalized: string): string {
  // Without a key this is a plain SHA-256 anyone can recompute from a guessed handle or phone.
  if (!key) throw new Error('indicatorHash needs a non-empty key');
  return createHmac('sha256', key).update(`${kind}\u0000${normalized}`).digest('hex');
}

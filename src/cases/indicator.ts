import { createHmac } from 'node:crypto';
import { domainToASCII } from 'node:url';

/**
 * Indicators are traces attackers leave (handles, URLs, hashtags, phones, domains, image
 * hashes). The same trace logged by two helplines in different spellings must match, so values
 * are normalised first; organisations then compare only a keyed hash of them.
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

export type Normalized = { value: string } | { error: string };

const MAX_INPUT = 2048;
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

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
const HOST_TRACKING_PARAMS: Record<string, string[]> = {
  'x.com': ['s', 't'],
  'tiktok.com': ['_t', '_r', 'is_from_webapp', 'sender_device'],
};
/** Mobile and www prefixes serve the same content as the bare host. */
const HOST_PREFIXES = ['www.', 'm.', 'mobile.'];
const HOST_ALIASES: Record<string, string> = { 'twitter.com': 'x.com', 'fb.com': 'facebook.com' };

/**
 * The canonical form of an indicator, or why it is not one. Messages never repeat the value:
 * they end up in answers and logs.
 */
export function normalizeIndicator(kind: IndicatorKind, raw: string): Normalized {
  if (typeof raw !== 'string') return { error: 'must be a string' };
  if (raw.length > MAX_INPUT) return { error: `must be at most ${MAX_INPUT} characters` };
  const value = raw.normalize('NFC').trim();
  if (value === '') return { error: 'must not be empty' };
  if (CONTROL.test(value)) return { error: 'must not contain control characters' };
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
  }
}

function handle(value: string): Normalized {
  const v = value.replace(/^@/, '').toLowerCase();
  return /^[\p{L}\p{N}._-]{1,100}$/u.test(v)
    ? { value: v }
    : { error: 'must be a handle of letters, digits, ".", "_" or "-" (1-100 characters)' };
}

function hashtag(value: string): Normalized {
  const v = value.replace(/^[#＃]/, '').toLowerCase();
  return /^[\p{L}\p{N}\p{M}_]{1,140}$/u.test(v)
    ? { value: v }
    : { error: 'must be a hashtag of letters, digits or "_" (1-140 characters)' };
}

function phone(value: string): Normalized {
  let v = value.replace(/[\s\-.()/]/g, '');
  if (v.startsWith('00')) v = `+${v.slice(2)}`;
  return /^\+[1-9]\d{7,14}$/.test(v)
    ? { value: v }
    : { error: 'must be in international format, such as +59170012345' };
}

function canonicalHost(host: string): string {
  let h = host.toLowerCase().replace(/\.$/, '');
  for (const prefix of HOST_PREFIXES) {
    if (h.startsWith(prefix) && h.length > prefix.length + 3) {
      h = h.slice(prefix.length);
      break;
    }
  }
  return HOST_ALIASES[h] ?? h;
}

function url(value: string): Normalized {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return { error: 'must be an http(s) URL' };
  }
  if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || !parsed.hostname) {
    return { error: 'must be an http(s) URL' };
  }
  const host = canonicalHost(parsed.hostname);
  const dropped = new Set([...TRACKING_PARAMS, ...(HOST_TRACKING_PARAMS[host] ?? [])]);
  const params = [...parsed.searchParams.entries()]
    .filter(([key]) => !dropped.has(key) && !key.startsWith('utm_'))
    .sort(([ak, av], [bk, bv]) =>
      ak === bk ? (av < bv ? -1 : av > bv ? 1 : 0) : ak < bk ? -1 : 1,
    );
  const query = new URLSearchParams(params).toString();
  let path = parsed.pathname;
  if (path.length > 1 && path.endsWith('/')) path = path.replace(/\/+$/, '') || '/';
  // http and https serve the same post; the port is kept only when it is not a default one.
  const port = parsed.port ? `:${parsed.port}` : '';
  return { value: `https://${host}${port}${path}${query ? `?${query}` : ''}` };
}

function domain(value: string): Normalized {
  if (value.includes('://')) return { error: 'must be a domain only (use kind url for a URL)' };
  const ascii = domainToASCII(value.toLowerCase().replace(/\.$/, ''));
  if (!ascii) return { error: 'must be a domain name such as example.org' };
  const v = ascii.startsWith('www.') ? ascii.slice(4) : ascii;
  const labels = v.split('.');
  const valid =
    v.length <= 253 &&
    labels.length >= 2 &&
    labels.every((l) => /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(l)) &&
    !/^\d+$/.test(labels[labels.length - 1]);
  return valid ? { value: v } : { error: 'must be a domain name such as example.org' };
}

function imageHash(value: string): Normalized {
  const v = value.toLowerCase().replace(/^[a-z][a-z0-9]{1,15}:/, '');
  return /^[0-9a-f]{16,128}$/.test(v) && v.length % 2 === 0
    ? { value: v }
    : {
        error:
          'must be a hexadecimal hash (16-128 characters), optionally with a prefix like sha256:',
      };
}

/**
 * HMAC-SHA256 of kind and normalised value under the community's key, hex. The kind is part of
 * the input, so a hashtag and a handle with the same text never match.
 */
export function indicatorHash(key: string, kind: IndicatorKind, normalized: string): string {
  return createHmac('sha256', key).update(`${kind}\u0000${normalized}`).digest('hex');
}

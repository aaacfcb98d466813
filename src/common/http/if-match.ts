import { ValidationFailedError } from '../errors/domain-error';

/**
 * What an `If-Match` header asks (RFC 9110, 13.1.1): `*` (any current version) or the versions
 * of its strong entity tags. Weak tags (`W/"3"`) never match for If-Match, and a tag that is no
 * version of ours (`"abc"`) matches nothing, so both leave the list; a list with no strong
 * version left matches no version (412).
 */
export type IfMatch = { any: true } | { versions: number[] };

const MALFORMED = new ValidationFailedError([
  {
    field: 'If-Match',
    message: 'If-Match must be * or entity tags such as "3" (the version you read)',
  },
]);

/** One entity tag of the list (RFC 9110 8.8.3: etagc is any visible character but `"`). */
const TAG = /^(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"$/;

/**
 * Parses If-Match. Undefined when the header is absent (the caller decides whether that is a
 * 428); malformed is a 400.
 */
export function parseIfMatch(header: string | string[] | undefined): IfMatch | undefined {
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header.join(',') : header).trim();
  if (value === '*') return { any: true };
  // A convenience of this API, kept for existing clients: the bare version, alone.
  if (/^\d{1,9}$/.test(value)) return { versions: [Number(value)] };
  // RFC 9110 5.6.1: empty list elements are ignored.
  const members = value
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '');
  if (members.length === 0) throw MALFORMED;
  const versions: number[] = [];
  for (const member of members) {
    const m = TAG.exec(member);
    if (!m) throw MALFORMED;
    if (m[1] === undefined && /^\d{1,9}$/.test(m[2])) versions.push(Number(m[2]));
  }
  return { versions };
}

/** Whether `condition` holds for the resource at `version` (strong comparison). */
export const ifMatchHolds = (condition: IfMatch, version: number): boolean =>
  'any' in condition || condition.versions.includes(version);

/** The ETag of a versioned resource: its version, quoted (a strong tag). */
export const etagOf = (version: number) => `"${version}"`;

import { ValidationFailedError } from '../errors/domain-error';

/**
 * The version a client read, from `If-Match: 3`, `"3"` or `W/"3"`. Undefined when the header is
 * absent (the caller decides whether that is a 428); malformed is a 400.
 */
export function parseIfMatch(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header.join(',') : header;
  // A bare number, or an entity tag: "3" or W/"3" (quotes in pairs).
  const m = /^\s*(?:(\d{1,9})|(?:W\/)?"(\d{1,9})")\s*$/.exec(value);
  if (!m) {
    throw new ValidationFailedError([
      { field: 'If-Match', message: 'If-Match must be the version you read, such as "3"' },
    ]);
  }
  return Number(m[1] ?? m[2]);
}

/** The ETag of a versioned resource: its version, quoted. */
export const etagOf = (version: number) => `"${version}"`;

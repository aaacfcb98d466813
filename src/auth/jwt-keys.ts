import { createHmac, KeyObject, timingSafeEqual } from 'node:crypto';

/** Did this key make the HS256 signature of this compact JWT? (The signature only: no claims.) */
export function isSignedWith(rawJwt: string, key: KeyObject): boolean {
  const parts = rawJwt.split('.');
  if (parts.length !== 3) return false;
  const expected = createHmac('sha256', key).update(`${parts[0]}.${parts[1]}`).digest();
  const given = Buffer.from(parts[2], 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The key to verify an access token with during a rotation: the previous secret for a token it
 * signed, the current one for anything else (so an unknown signature fails against the current
 * key, as without rotation). The verification proper (algorithm, expiry, issuer) follows.
 */
export function verificationKeyFor(
  rawJwt: string,
  current: KeyObject,
  previous: KeyObject | undefined,
): KeyObject {
  return previous && !isSignedWith(rawJwt, current) && isSignedWith(rawJwt, previous)
    ? previous
    : current;
}

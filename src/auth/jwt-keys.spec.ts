import { createSecretKey } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import { isSignedWith, verificationKeyFor } from './jwt-keys';

const CURRENT = 'current-secret-0123456789abcdef0123456789';
const PREVIOUS = 'previous-secret-0123456789abcdef012345678';
const key = (secret: string) => createSecretKey(Buffer.from(secret, 'utf8'));
const token = (secret: string) => sign({ sub: 'u', typ: 'access' }, secret, { algorithm: 'HS256' });

describe('JWT verification keys during a rotation', () => {
  const current = key(CURRENT);
  const previous = key(PREVIOUS);

  it('tells which secret signed a token', () => {
    expect(isSignedWith(token(CURRENT), current)).toBe(true);
    expect(isSignedWith(token(CURRENT), previous)).toBe(false);
    expect(isSignedWith(token(PREVIOUS), previous)).toBe(true);
  });

  it('refuses malformed tokens and tampered signatures', () => {
    const good = token(CURRENT);
    for (const raw of [
      '',
      'a.b',
      'a.b.c.d',
      good.slice(0, -2),
      `${good}AA`,
      good.replace(/\.[^.]+$/, '.'),
    ]) {
      expect(isSignedWith(raw, current)).toBe(false);
    }
  });

  it('picks the previous key only for tokens it signed, the current key otherwise', () => {
    expect(verificationKeyFor(token(CURRENT), current, previous)).toBe(current);
    expect(verificationKeyFor(token(PREVIOUS), current, previous)).toBe(previous);
    expect(
      verificationKeyFor(token('unknown-secret-0123456789abcdef01234'), current, previous),
    ).toBe(current);
    expect(verificationKeyFor(token(PREVIOUS), current, undefined)).toBe(current);
    expect(verificationKeyFor('not a token', current, previous)).toBe(current);
  });
});

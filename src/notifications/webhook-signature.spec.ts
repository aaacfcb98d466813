import { createHmac } from 'node:crypto';
import {
  newWebhookSecret,
  signatureHeader,
  verifySignature,
  WEBHOOK_SECRET_PREFIX,
} from './webhook-signature';

describe('webhook signatures', () => {
  const secret = 'whsec_test-secret';
  const body = '{"id":"overdue-x-1","type":"case.overdue"}';
  const t = 1_800_000_000;

  it('is the hex HMAC-SHA256 of "<t>.<body>" with the secret, after t=', () => {
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(signatureHeader(secret, body, t)).toBe(`t=${t},v1=${expected}`);
  });

  it('verifies its own header within the tolerance, on either side of now', () => {
    const header = signatureHeader(secret, body, t);
    expect(verifySignature(header, secret, body, t)).toBe(true);
    expect(verifySignature(header, secret, body, t + 300)).toBe(true);
    expect(verifySignature(header, secret, body, t - 300)).toBe(true);
  });

  it('refuses an old or future timestamp, another secret, a changed body or a forged t', () => {
    const header = signatureHeader(secret, body, t);
    expect(verifySignature(header, secret, body, t + 301)).toBe(false);
    expect(verifySignature(header, secret, body, t - 301)).toBe(false);
    expect(verifySignature(header, 'whsec_other', body, t)).toBe(false);
    expect(verifySignature(header, secret, body.replace('overdue', 'closed'), t)).toBe(false);
    // The timestamp is part of what is signed: moving it forward breaks the signature.
    const replayed = header.replace(`t=${t}`, `t=${t + 1000}`);
    expect(verifySignature(replayed, secret, body, t + 1000)).toBe(false);
  });

  it.each([
    [''],
    ['v1=abc'],
    [`t=${t}`],
    [`t=${t},v1=`],
    [`t=${t},v1=zz`],
    [`t=soon,v1=${'0'.repeat(64)}`],
    ['garbage'],
  ])('refuses a malformed header %p', (header) => {
    expect(verifySignature(header, secret, body, t)).toBe(false);
  });

  it('accepts any one matching v1 among several (secret rotation)', () => {
    const good = signatureHeader(secret, body, t).split(',')[1];
    expect(verifySignature(`t=${t},v1=${'0'.repeat(64)},${good}`, secret, body, t)).toBe(true);
  });

  it('makes distinct, prefixed, 32-byte secrets', () => {
    const a = newWebhookSecret();
    const b = newWebhookSecret();
    expect(a).toMatch(new RegExp(`^${WEBHOOK_SECRET_PREFIX}[A-Za-z0-9_-]{43}$`));
    expect(a).not.toBe(b);
  });
});

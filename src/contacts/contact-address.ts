import { ContactChannelKind } from './contact-channel.entity';

/**
 * Canonical forms of contact addresses, so that the same address is always stored and matched
 * the same way: e-mail trimmed and lower-cased, phone numbers in E.164 (`+` and digits only),
 * Signal as a phone number or a Signal username (`name.01`).
 */
export function normalizeAddress(kind: ContactChannelKind, raw: string): string | null {
  const value = raw.trim();
  if (kind === 'email') {
    const email = value.toLowerCase();
    return /^[^\s@]{1,64}@[^\s@]{1,255}\.[a-z]{2,63}$/.test(email) && email.length <= 320
      ? email
      : null;
  }
  const phone = value.replace(/[\s().-]/g, '');
  if (/^\+[1-9]\d{6,14}$/.test(phone)) return phone;
  if (/^00[1-9]\d{6,14}$/.test(phone)) return `+${phone.slice(2)}`;
  if (kind === 'signal' && /^[a-z0-9_]{3,32}\.\d{2,10}$/i.test(value)) return value.toLowerCase();
  return null;
}

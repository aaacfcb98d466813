import { ValidateBy } from 'class-validator';
import { documentValidator } from '../common/http/openapi-constraints';
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

const E164 = '\\+[1-9][0-9]{6,14}';

/** The canonical forms, as the OpenAPI document states them (the check also takes spaces, 00...). */
const CANONICAL: Record<ContactChannelKind, string> = {
  email: '^[^\\s@]{1,64}@[^\\s@]{1,255}\\.[A-Za-z]{2,63}$',
  phone: `^${E164}$`,
  signal: `^(${E164}|[A-Za-z0-9_]{3,32}\\.[0-9]{2,10})$`,
};

documentValidator('isContactAddress', (m) => ({
  type: 'string',
  pattern: CANONICAL[m.constraints[0] as ContactChannelKind],
}));

/** An address `normalizeAddress` can read, for the given kind. */
export const IsContactAddress = (kind: ContactChannelKind) =>
  ValidateBy({
    name: 'isContactAddress',
    constraints: [kind],
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' && value.length <= 320 && normalizeAddress(kind, value) !== null,
      defaultMessage: () =>
        `$property is not a valid ${kind === 'email' ? 'e-mail address' : 'number (E.164)'}`,
    },
  });

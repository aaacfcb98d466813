import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyDecorators } from '@nestjs/common';
import { IsString, MaxLength, MinLength, ValidateBy } from 'class-validator';

export const PASSWORD_MIN_LENGTH = 12;
/** Long enough for any passphrase, short enough not to make argon2 a denial-of-service vector. */
export const PASSWORD_MAX_LENGTH = 256;

let common: ReadonlySet<string> | undefined;

/** The 10,000 most common leaked passwords, lower case (see data/common-passwords.LICENSE.md). */
function commonPasswords(): ReadonlySet<string> {
  common ??= new Set(
    readFileSync(join(__dirname, 'data', 'common-passwords.txt'), 'utf8')
      .split('\n')
      .filter(Boolean),
  );
  return common;
}

/**
 * Is this password, whatever its case, a common one, or one padded with digits or symbols to
 * pass a length rule (`iloveyou1234`), or one repeated (`qwertyqwerty`)? Guessing tools try
 * exactly these variations first.
 */
export function isCommonPassword(password: string): boolean {
  const list = commonPasswords();
  const listed = (text: string) => {
    if (list.has(text)) return true;
    const core = text.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
    // Four letters at least: "ass" or "sex" between digits is no more common than the digits.
    return core.length >= 4 && list.has(core);
  };
  const lower = password.toLowerCase();
  if (listed(lower)) return true;
  for (let size = 1; size <= lower.length / 2; size++) {
    if (lower.length % size !== 0) continue;
    const unit = lower.slice(0, size);
    // The shortest repeated unit decides; one of under four characters is weak in itself.
    if (unit.repeat(lower.length / size) === lower) return size < 4 || listed(unit);
  }
  return false;
}

/** Is the password the account's e-mail address, or the part before its @ (any case)? */
export function isEmailAsPassword(password: string, email: unknown): boolean {
  if (typeof email !== 'string' || !email.includes('@')) return false;
  const lower = password.trim().toLowerCase();
  const address = email.trim().toLowerCase();
  return lower === address || lower === address.slice(0, address.lastIndexOf('@'));
}

export const commonPasswordMessage = (field: string) =>
  `${field} is too easy to guess: it is a commonly used password, or one with only digits, symbols or repetition added`;
export const emailPasswordMessage = (field: string) =>
  `${field} must not be the e-mail address or its part before the @`;

/** The first rule this password breaks, as a message naming `field` (never the password), or null. */
export function newPasswordProblem(
  password: string,
  email: string | undefined,
  field: string,
): string | null {
  if (password.length < PASSWORD_MIN_LENGTH)
    return `${field} must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (password.length > PASSWORD_MAX_LENGTH)
    return `${field} must be at most ${PASSWORD_MAX_LENGTH} characters`;
  if (isCommonPassword(password)) return commonPasswordMessage(field);
  if (isEmailAsPassword(password, email)) return emailPasswordMessage(field);
  return null;
}

/**
 * A password being set: 12 to 256 characters, not a common password, and (when the DTO has the
 * account's address in `emailField`) not that address or its local part. Messages name the
 * field, never the value.
 */
export const IsNewPassword = (options: { emailField?: string } = {}) =>
  applyDecorators(
    IsString(),
    MinLength(PASSWORD_MIN_LENGTH, {
      message: `$property must be at least ${PASSWORD_MIN_LENGTH} characters`,
    }),
    MaxLength(PASSWORD_MAX_LENGTH, {
      message: `$property must be at most ${PASSWORD_MAX_LENGTH} characters`,
    }),
    ValidateBy({
      name: 'isNotCommonPassword',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && !isCommonPassword(value),
        defaultMessage: (args) => commonPasswordMessage(args?.property ?? 'password'),
      },
    }),
    ValidateBy({
      name: 'isNotEmailAsPassword',
      validator: {
        validate: (value: unknown, args) =>
          typeof value === 'string' &&
          !(
            options.emailField &&
            isEmailAsPassword(value, (args?.object as Record<string, unknown>)[options.emailField])
          ),
        defaultMessage: (args) => emailPasswordMessage(args?.property ?? 'password'),
      },
    }),
  );

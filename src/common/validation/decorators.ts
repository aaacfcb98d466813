import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsEmail,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateBy,
  ValidateIf,
} from 'class-validator';
import { COUNTRY_CODES, isCountryCode } from '../reference/countries';

export const LANGUAGE_TAG = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/;

/** A non-empty, trimmed-length-checked string with a hard maximum. */
export const IsText = (max: number, min = 1) =>
  applyDecorators(
    IsString(),
    MinLength(min),
    MaxLength(max),
    // eslint-disable-next-line no-control-regex -- refusing NUL is the point
    Matches(/^[^\u0000]*$/, { message: '$property must not contain NUL characters' }),
  );

export const IsLowercaseEmail = () =>
  applyDecorators(
    Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value)),
    IsEmail({}, { message: '$property must be an e-mail address' }),
    MaxLength(254),
  );

export const IsSlug = () =>
  applyDecorators(
    IsString(),
    Matches(/^[a-z0-9][a-z0-9-]{1,62}$/, {
      message: '$property must be 2-63 lowercase letters, digits or hyphens',
    }),
  );

/** A list of unique short codes validated one by one (countries, languages...). */
export const IsCodeList = (pattern: RegExp, message: string, max = 300) =>
  applyDecorators(
    IsArray(),
    ArrayMaxSize(max),
    ArrayUnique(),
    Matches(pattern, { each: true, message }),
  );

const COUNTRY_MESSAGE = 'an assigned ISO 3166-1 alpha-2 code in upper case, such as EC';

/** One country code (ISO 3166-1 alpha-2, checked against the assigned list). */
export const IsCountryCode = () =>
  ValidateBy({
    name: 'isCountryCode',
    validator: {
      validate: isCountryCode,
      defaultMessage: () => `$property must be ${COUNTRY_MESSAGE}`,
    },
  });

/** A list of unique country codes (at most all of them). */
export const IsCountryCodes = () =>
  applyDecorators(
    IsArray(),
    ArrayMaxSize(COUNTRY_CODES.size),
    ArrayUnique(),
    ValidateBy(
      {
        name: 'isCountryCode',
        validator: {
          validate: isCountryCode,
          defaultMessage: () => `each value in $property must be ${COUNTRY_MESSAGE}`,
        },
      },
      { each: true },
    ),
  );

export const IsLanguageTags = () =>
  IsCodeList(LANGUAGE_TAG, 'each value in $property must be a BCP 47 language tag', 50);

export function isTimeZone(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export const IsTimeZone = () =>
  ValidateBy({
    name: 'isTimeZone',
    validator: {
      validate: isTimeZone,
      defaultMessage: () => '$property must be an IANA time zone such as America/La_Paz',
    },
  });

/** A calendar date, `YYYY-MM-DD`, that exists. */
export const IsDateOnly = () =>
  ValidateBy({
    name: 'isDateOnly',
    validator: {
      validate: (value: unknown) => {
        if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
        const date = new Date(`${value}T00:00:00Z`);
        // 2026-02-30 parses to March 2nd: the day must survive the round trip.
        return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
      },
      defaultMessage: () => '$property must be a date as YYYY-MM-DD',
    },
  });

/** A machine code such as `facebook` or `trusted_partner_form`. */
export const IsMachineCode = (max = 40) =>
  applyDecorators(
    IsString(),
    // One character is a real code: the platform X is `x`.
    Matches(new RegExp(`^[a-z0-9][a-z0-9_]{0,${max - 1}}$`), {
      message: `$property must be 1-${max} lowercase letters, digits or underscores`,
    }),
  );

/** One BCP 47 language tag, e.g. `es` or `pt-BR`. */
export const IsLanguageTag = () =>
  Matches(LANGUAGE_TAG, { message: '$property must be a BCP 47 language tag' });

/**
 * May be left out, but not sent as null: for fields whose column has a default rather than a
 * null. (`IsOptional` lets null through, which the database would then refuse.)
 */
export const IsOmittable = () => ValidateIf((_object, value) => value !== undefined);

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** An instant: ISO 8601 date and time with `Z` or an offset, on a day that exists. */
export function isTimestamp(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = TIMESTAMP.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = m
    .slice(1)
    .map((v) => v ?? '0');
  const daysInMonth = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate();
  return (
    // Real offsets run from -12:00 to +14:00; PostgreSQL refuses beyond 15:59.
    Number(offsetHours) <= 14 &&
    Number(offsetMinutes) < 60 &&
    !Number.isNaN(Date.parse(value)) &&
    Number(month) >= 1 &&
    Number(month) <= 12 &&
    Number(day) >= 1 &&
    Number(day) <= daysInMonth &&
    Number(hour) < 24 &&
    Number(minute) < 60 &&
    Number(second) < 60
  );
}

export const IsTimestamp = () =>
  ValidateBy({
    name: 'isTimestamp',
    validator: {
      validate: isTimestamp,
      defaultMessage: () =>
        '$property must be an ISO 8601 date and time with a zone, such as 2026-03-02T10:00:00Z',
    },
  });

/** An absolute http(s) URL with a host, without control characters. */
export function isHttpUrl(value: unknown): boolean {
  // NUL and other control characters: PostgreSQL refuses NUL, and none belongs in a URL.
  // eslint-disable-next-line no-control-regex -- refusing them is the point
  if (typeof value !== 'string' || /[\u0000-\u001f\u007f]/.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** An absolute http(s) URL (no javascript:, data:, file: or relative references). */
export const IsHttpUrl = (max = 2048) =>
  applyDecorators(
    IsString(),
    MaxLength(max),
    ValidateBy({
      name: 'isHttpUrl',
      validator: {
        validate: isHttpUrl,
        defaultMessage: () => '$property must be an absolute http(s) URL',
      },
    }),
  );

const MAILTO = /^mailto:[^\s@]{1,64}@[^\s@]{1,255}\.[A-Za-z]{2,63}$/;

/** Where a channel is reached: an http(s) URL, or `mailto:` and an e-mail address. */
export const IsHttpOrMailtoUrl = (max = 500) =>
  applyDecorators(
    IsString(),
    MaxLength(max),
    ValidateBy({
      name: 'isHttpOrMailtoUrl',
      validator: {
        validate: (value: unknown) =>
          isHttpUrl(value) || (typeof value === 'string' && MAILTO.test(value)),
        defaultMessage: () => '$property must be an http(s) or mailto URL',
      },
    }),
  );

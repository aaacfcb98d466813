import 'reflect-metadata';
import { plainToInstance, Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
  validateSync,
} from 'class-validator';

export const APP_ROLES = ['api', 'worker', 'all'] as const;
export type AppRole = (typeof APP_ROLES)[number];

/** Variables whose values are secret: never logged, required in production. */
export const SECRET_VARIABLES = ['JWT_SECRET', 'INDICATOR_HASH_KEY'] as const;
export type SecretVariable = (typeof SECRET_VARIABLES)[number];

/** `https://app.example.org` or `http://localhost:5173`: scheme, host and port, nothing else. */
export function isExactOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'https:' || url.protocol === 'http:') &&
      url.origin === value &&
      // A host name or an IP address: URL accepts `*` in a host, which would read as a wildcard.
      /^([a-z0-9-]+\.)*[a-z0-9-]+$|^\[[0-9a-f:.]+\]$/.test(url.hostname)
    );
  } catch {
    return false;
  }
}

export const parseOriginList = (value: string): string[] =>
  value
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);

const toBoolean = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? ['1', 'true', 'yes', 'on'].includes(value.toLowerCase()) : value;

/** Every environment variable the service reads. `.env.example` mirrors this class. */
export class Env {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: 'development' | 'test' | 'production' = 'development';

  @IsIn(APP_ROLES)
  APP_ROLE: AppRole = 'all';

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  @MaxLength(255)
  HOST = '0.0.0.0';

  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/escalation_tracker';

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  DATABASE_POOL_SIZE = 10;

  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  @Matches(/^[a-z0-9_-]{1,40}$/, {
    message: 'QUEUE_PREFIX must be 1-40 characters of a-z, 0-9, _ or -',
  })
  QUEUE_PREFIX = 'et';

  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET: string;

  /**
   * The JWT_SECRET before a rotation: tokens it signed are still accepted until they expire
   * (JWT_EXPIRES_IN_SECONDS); new ones are signed with JWT_SECRET. Remove it after that time.
   */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'JWT_PREVIOUS_SECRET must be at least 32 characters' })
  @ValidateBy({
    name: 'differsFromJwtSecret',
    validator: {
      validate: (value: unknown, args) => value !== (args?.object as Env).JWT_SECRET,
      defaultMessage: () => 'JWT_PREVIOUS_SECRET must differ from JWT_SECRET',
    },
  })
  JWT_PREVIOUS_SECRET?: string;

  /**
   * HMAC key of indicator hashes, the only thing organisations compare across the community.
   * Changing it makes earlier hashes unmatchable: set it once.
   */
  @IsString()
  @MinLength(32, { message: 'INDICATOR_HASH_KEY must be at least 32 characters' })
  INDICATOR_HASH_KEY: string;

  @Type(() => Number)
  @IsInt()
  @Min(60)
  @Max(86400)
  JWT_EXPIRES_IN_SECONDS = 900;

  @Type(() => Number)
  @IsInt()
  @Min(1024)
  @Max(100 * 1024 * 1024)
  BODY_LIMIT_BYTES = 1024 * 1024;

  /** Largest CSV body of `POST /v1/cases/import` (other routes keep BODY_LIMIT_BYTES). */
  @Type(() => Number)
  @IsInt()
  @Min(1024)
  @Max(512 * 1024 * 1024)
  IMPORT_BODY_LIMIT_BYTES = 20 * 1024 * 1024;

  /**
   * A body refused before it was read (413 and other early answers) is still read and thrown
   * away, up to this many bytes, so a client that sends the whole body before reading (browsers,
   * Node's fetch) reads the answer rather than a reset connection. Beyond it, the connection is
   * closed.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1024 * 1024 * 1024)
  REFUSED_BODY_DRAIN_BYTES = 100 * 1024 * 1024;

  /** ... and for at most this many seconds (nginx's lingering_time). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(600)
  REFUSED_BODY_DRAIN_SECONDS = 30;

  /**
   * On SIGTERM, for this many seconds the API keeps answering, with `Connection: close` on every
   * answer and 503 on `/health`, so a load balancer stops sending before the listener closes.
   */
  @Type(() => Number)
  @IsNumber()
  @Min(0)
  @Max(300)
  SHUTDOWN_DRAIN_SECONDS = 5;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /**
   * Browser origins allowed to call the API (CORS), comma-separated exact origins. Empty: no
   * cross-origin browser access at all.
   */
  @IsString()
  @MaxLength(4000)
  @ValidateBy({
    name: 'isOriginList',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' && parseOriginList(value).every(isExactOrigin),
      defaultMessage: () =>
        'CORS_ORIGINS must be comma-separated origins such as https://app.example.org (scheme, host and port; no path, no trailing slash, no wildcard)',
    },
  })
  CORS_ORIGINS = '';

  /** Trust X-Forwarded-For from the load balancer (client IPs for throttling and audit). */
  @Transform(toBoolean)
  @IsBoolean()
  TRUST_PROXY = false;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(86400)
  LOGIN_WINDOW_SECONDS = 900;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10000)
  LOGIN_MAX_FAILURES_PER_EMAIL = 10;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100000)
  LOGIN_MAX_ATTEMPTS_PER_IP = 100;

  /**
   * Consecutive failed logins that lock an account (for LOGIN_LOCKOUT_MINUTES, or until an admin
   * unlocks it); 0: never lock.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1000)
  LOGIN_LOCKOUT_FAILURES = 10;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10080)
  LOGIN_LOCKOUT_MINUTES = 15;

  /**
   * Changes (POST, PATCH, PUT, DELETE under /v1, login aside) per user per minute, counted in
   * Redis across replicas; 0: no limit. Generous: it stops runaway scripts, not people.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  WRITE_RATE_LIMIT_PER_MINUTE = 600;

  /**
   * How long a process may reuse what it looked up about a token's user (organisation, role,
   * active). Changes made through this API take effect at once on the process that made them;
   * elsewhere (other processes, SQL by hand) within this time. 0: look up on every request.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(60)
  AUTH_CACHE_SECONDS = 5;

  /** How often the repeatable sweeps run. */
  @Type(() => Number)
  @IsInt()
  @Min(5)
  @Max(86400)
  SWEEP_INTERVAL_SECONDS = 300;

  /** After a case goes overdue, a follow-up reminder every this many hours until it is answered. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(8760)
  FOLLOW_UP_INTERVAL_HOURS = 72;

  /** How often response-time rollups are recounted from the cases that changed. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3600)
  ROLLUP_INTERVAL_SECONDS = 30;

  /**
   * Community aggregates hide every cell counted from fewer cases than this (or from a single
   * organisation). 5 is the floor; public outputs elsewhere use 10 or 11.
   */
  @Type(() => Number)
  @IsInt()
  @Min(2)
  @Max(1000)
  K_ANONYMITY = 5;

  /** Cases of different organisations sharing an indicator within this many days form a campaign. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3650)
  CAMPAIGN_WINDOW_DAYS = 30;

  /** Reports made by jobs are deleted this many hours after they were asked for. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(8760)
  REPORT_TTL_HOURS = 24;

  /** Serve the unauthenticated GET /v1/public/trends (opted-in organisations only). */
  @Transform(toBoolean)
  @IsBoolean()
  PUBLIC_TRENDS = false;

  /** Readiness reports a backlog when due jobs wait longer than this to run. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(86400)
  QUEUE_LATENESS_ALERT_SECONDS = 300;

  /** Where people reach this service: links in notifications and calendar feeds. */
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'PUBLIC_BASE_URL must be an http(s) URL' })
  @MaxLength(500)
  PUBLIC_BASE_URL = 'http://localhost:3000';

  /** E-mail notifications through this SMTP server (smtp:// or smtps://); unset: no e-mail. */
  @IsOptional()
  @Matches(/^smtps?:\/\/[^\s]+$/, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  @MaxLength(1000)
  SMTP_URL?: string;

  @IsEmail({ require_tld: false }, { message: 'SMTP_FROM must be an e-mail address' })
  SMTP_FROM = 'escalation-tracker@localhost';

  /** Contacts not verified for this many days are marked unverified. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3650)
  CONTACT_STALE_DAYS = 90;

  @IsOptional()
  @IsEmail()
  ADMIN_EMAIL?: string;

  @IsOptional()
  @IsString()
  @MinLength(12, { message: 'ADMIN_PASSWORD must be at least 12 characters' })
  @MaxLength(256)
  ADMIN_PASSWORD?: string;

  @Matches(/^[a-z0-9][a-z0-9-]{1,62}$/, { message: 'ADMIN_ORG_SLUG must be a lowercase slug' })
  ADMIN_ORG_SLUG = 'coordination';

  /** Development only: where generated secrets are kept between runs. */
  @IsString()
  @MaxLength(1024)
  LOCAL_SECRETS_FILE = '.local-secrets.json';
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates raw variables. Messages name the variable and the rule, never the value, so a
 * malformed secret is not echoed into logs.
 */
export function validateEnv(raw: Record<string, string | undefined>): Env {
  const known = Object.fromEntries(
    Object.keys(new Env())
      .concat(SECRET_VARIABLES, [
        'JWT_PREVIOUS_SECRET',
        'ADMIN_EMAIL',
        'ADMIN_PASSWORD',
        'SMTP_URL',
      ])
      .filter((key) => raw[key] !== undefined && raw[key] !== '')
      .map((key) => [key, raw[key]]),
  );
  const env = plainToInstance(Env, known);
  const errors = validateSync(env, { skipMissingProperties: false });
  if (errors.length > 0) {
    throw new ConfigError(
      errors.map((e) => Object.values(e.constraints ?? {})[0] ?? `${e.property} is invalid`),
    );
  }
  return env;
}

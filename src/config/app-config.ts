import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  AppRole,
  ConfigError,
  Env,
  parseOriginList,
  SECRET_VARIABLES,
  SecretVariable,
  validateEnv,
} from './env.schema';

/** Typed, validated configuration. The only code that reads `process.env` is `loadConfig`. */
export class AppConfig {
  constructor(private readonly env: Env) {}

  get nodeEnv() {
    return this.env.NODE_ENV;
  }
  get isProduction() {
    return this.env.NODE_ENV === 'production';
  }
  get role(): AppRole {
    return this.env.APP_ROLE;
  }
  get runsApi() {
    return this.env.APP_ROLE !== 'worker';
  }
  get runsWorkers() {
    return this.env.APP_ROLE !== 'api';
  }
  get http() {
    return {
      port: this.env.PORT,
      host: this.env.HOST,
      bodyLimit: this.env.BODY_LIMIT_BYTES,
      importBodyLimit: this.env.IMPORT_BODY_LIMIT_BYTES,
      refusedBodyDrain: {
        bytes: this.env.REFUSED_BODY_DRAIN_BYTES,
        ms: this.env.REFUSED_BODY_DRAIN_SECONDS * 1000,
      },
      shutdownDrainMs: this.env.SHUTDOWN_DRAIN_SECONDS * 1000,
      trustProxy: this.env.TRUST_PROXY,
      // Clients reach the service over TLS (terminated here or at the load balancer).
      hsts: this.env.PUBLIC_BASE_URL.startsWith('https://'),
      corsOrigins: parseOriginList(this.env.CORS_ORIGINS),
    };
  }
  get databaseUrl() {
    return this.env.DATABASE_URL;
  }
  get databasePoolSize() {
    return this.env.DATABASE_POOL_SIZE;
  }
  get redisUrl() {
    return this.env.REDIS_URL;
  }
  get queuePrefix() {
    return this.env.QUEUE_PREFIX;
  }
  get logLevel() {
    return this.env.LOG_LEVEL;
  }
  get jwt() {
    return {
      secret: this.env.JWT_SECRET,
      /** Still accepted for verification (a rotation in progress); never used to sign. */
      previousSecret: this.env.JWT_PREVIOUS_SECRET,
      expiresInSeconds: this.env.JWT_EXPIRES_IN_SECONDS,
    };
  }
  get indicatorHashKey() {
    return this.env.INDICATOR_HASH_KEY;
  }
  get loginThrottle() {
    return {
      windowSeconds: this.env.LOGIN_WINDOW_SECONDS,
      maxFailuresPerEmail: this.env.LOGIN_MAX_FAILURES_PER_EMAIL,
      maxAttemptsPerIp: this.env.LOGIN_MAX_ATTEMPTS_PER_IP,
    };
  }
  /** `failures` 0: accounts never lock. */
  get loginLockout() {
    return {
      failures: this.env.LOGIN_LOCKOUT_FAILURES,
      durationMs: this.env.LOGIN_LOCKOUT_MINUTES * 60_000,
    };
  }
  /** 0: no limit. */
  get writeRateLimitPerMinute() {
    return this.env.WRITE_RATE_LIMIT_PER_MINUTE;
  }
  get authCacheMs() {
    return this.env.AUTH_CACHE_SECONDS * 1000;
  }
  get deadlines() {
    return {
      followUpIntervalHours: this.env.FOLLOW_UP_INTERVAL_HOURS,
      rollupIntervalMs: this.env.ROLLUP_INTERVAL_SECONDS * 1000,
      latenessAlertMs: this.env.QUEUE_LATENESS_ALERT_SECONDS * 1000,
    };
  }
  get patterns() {
    return {
      kAnonymity: this.env.K_ANONYMITY,
      campaignWindowDays: this.env.CAMPAIGN_WINDOW_DAYS,
      reportTtlHours: this.env.REPORT_TTL_HOURS,
      publicTrends: this.env.PUBLIC_TRENDS,
    };
  }
  /** Without a trailing slash. */
  get publicBaseUrl() {
    return this.env.PUBLIC_BASE_URL.replace(/\/+$/, '');
  }
  /** Absent when no SMTP_URL is set: e-mail notifications are off. */
  get smtp(): { url: string; from: string } | undefined {
    return this.env.SMTP_URL ? { url: this.env.SMTP_URL, from: this.env.SMTP_FROM } : undefined;
  }
  get sweepIntervalMs() {
    return this.env.SWEEP_INTERVAL_SECONDS * 1000;
  }
  get contactStaleDays() {
    return this.env.CONTACT_STALE_DAYS;
  }
  get bootstrapAdmin() {
    return {
      email: this.env.ADMIN_EMAIL,
      password: this.env.ADMIN_PASSWORD,
      organizationSlug: this.env.ADMIN_ORG_SLUG,
    };
  }
}

export interface LoadConfigResult {
  config: AppConfig;
  /** Secrets taken from the local development file, to warn about once the logger exists. */
  localSecrets: SecretVariable[];
}

/**
 * Reads and validates the environment. Outside production a missing secret is generated once
 * into a git-ignored local file so that `npm start` works with no configuration; in production
 * a missing secret stops the process, naming it.
 */
export function loadConfig(
  raw: Record<string, string | undefined> = process.env,
): LoadConfigResult {
  const values = { ...raw };
  const missing = SECRET_VARIABLES.filter((name) => !values[name]);
  const generatedSecrets: SecretVariable[] = [];
  if (missing.length > 0) {
    if (values.NODE_ENV === 'production') {
      throw new ConfigError(missing.map((name) => `${name} is required in production`));
    }
    const file = resolve(values.LOCAL_SECRETS_FILE || '.local-secrets.json');
    const stored: Record<string, string> = existsSync(file)
      ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>)
      : {};
    for (const name of missing) {
      if (!stored[name]) {
        stored[name] = randomBytes(48).toString('base64url');
        generatedSecrets.push(name);
      }
      values[name] = stored[name];
    }
    if (generatedSecrets.length > 0) {
      writeFileSync(file, JSON.stringify(stored, null, 2) + '\n', { mode: 0o600 });
    }
  }
  return { config: new AppConfig(validateEnv(values)), localSecrets: missing };
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { Clock } from '../common/clock';
import { TooManyRequestsError } from '../common/errors/domain-error';
import { AppConfig } from '../config/app-config';
import { REDIS } from '../queue/redis.module';

const WINDOW_MS = 60_000;
/** A Redis that answers slower than this is treated as down: writes must not wait on it. */
const REDIS_BUDGET_MS = 250;

/** The routes the limit applies to: changes under /v1, except the login (it has its own throttle). */
export function isLimitedWrite(method: string, route: string | undefined): boolean {
  if (!route?.startsWith('/v1/')) return false;
  if (method === 'POST' && route === '/v1/auth/login') return false;
  return method === 'POST' || method === 'PATCH' || method === 'PUT' || method === 'DELETE';
}

/**
 * Writes per user per minute (fixed one-minute windows), counted in Redis so that every API
 * replica shares the count. Keyed by the authenticated user, not the client IP: helplines share
 * offices and NATs, and a user's scripts and sessions draw on one budget. If Redis is down or
 * slow the limit fails open: taking cases matters more than braking a runaway script.
 */
@Injectable()
export class WriteRateLimit {
  private readonly logger = new Logger(WriteRateLimit.name);
  private lastWarningAt = 0;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** Counts one write by this user; throws 429 with Retry-After beyond the limit. */
  async consume(userId: string): Promise<void> {
    const limit = this.config.writeRateLimitPerMinute;
    if (limit === 0) return;
    const now = this.clock.now().getTime();
    const window = Math.floor(now / WINDOW_MS);
    const key = `${this.config.queuePrefix}:writes:${userId}:${window}`;
    const count = await this.increment(key);
    if (count !== null && count > limit) {
      throw new TooManyRequestsError(
        ((window + 1) * WINDOW_MS - now) / 1000,
        `More than ${limit} changes in a minute; try again later.`,
      );
    }
  }

  /** The new count, or null when Redis did not answer in time. */
  private async increment(key: string): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const counted = this.redis
        .multi()
        .incr(key)
        // Longer than the window: the key of a window ends with it, and a clock skew between
        // replicas must not reset a count early.
        .pexpire(key, 2 * WINDOW_MS)
        .exec()
        .then((results) => {
          const [error, value] = results?.[0] ?? [new Error('no reply'), null];
          if (error) throw error;
          return Number(value);
        });
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), REDIS_BUDGET_MS);
      });
      return await Promise.race([counted, late]);
    } catch (error) {
      this.warn(error as Error);
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  /** At most one warning a minute: during an outage every write would log one. */
  private warn(error: Error) {
    const now = Date.now();
    if (now - this.lastWarningAt < WINDOW_MS) return;
    this.lastWarningAt = now;
    this.logger.warn(`write rate limit unavailable (${error.message}); not limiting`);
  }
}

import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../config/app-config';
import { TooManyRequestsError } from '../common/errors/domain-error';
import { REDIS } from '../queue/redis.module';

/**
 * Fixed-window login limits in Redis, shared by every API replica: attempts per client IP and
 * failures per e-mail (kept as a hash, never the address). If Redis is down, logins are not
 * blocked: the limits are a brake on guessing, not the only line of defence (argon2 is slow).
 */
@Injectable()
export class LoginThrottle {
  private readonly logger = new Logger(LoginThrottle.name);

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  private keys(ip: string, email: string) {
    const prefix = `${this.config.queuePrefix}:login`;
    const emailHash = createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
    return { ip: `${prefix}:ip:${ip}`, email: `${prefix}:email:${emailHash}` };
  }

  /** Throws 429 (with Retry-After) when either limit is reached, else counts the attempt. */
  async beforeAttempt(ip: string, email: string): Promise<void> {
    const { windowSeconds, maxAttemptsPerIp, maxFailuresPerEmail } = this.config.loginThrottle;
    const keys = this.keys(ip, email);
    try {
      const [[, ipCount], [, ipTtl], [, emailCount], [, emailTtl]] = (await this.redis
        .multi()
        .get(keys.ip)
        .ttl(keys.ip)
        .get(keys.email)
        .ttl(keys.email)
        .exec()) as [Error | null, string | number | null][];
      if (Number(ipCount ?? 0) >= maxAttemptsPerIp)
        throw new TooManyRequestsError(Number(ipTtl) > 0 ? Number(ipTtl) : windowSeconds);
      if (Number(emailCount ?? 0) >= maxFailuresPerEmail) {
        throw new TooManyRequestsError(Number(emailTtl) > 0 ? Number(emailTtl) : windowSeconds);
      }
      await this.redis.multi().incr(keys.ip).expire(keys.ip, windowSeconds, 'NX').exec();
    } catch (error) {
      if (error instanceof TooManyRequestsError) throw error;
      this.logger.warn(`login throttle unavailable (${(error as Error).name}); not limiting`);
    }
  }

  async recordFailure(ip: string, email: string): Promise<void> {
    const key = this.keys(ip, email).email;
    await this.redis
      .multi()
      .incr(key)
      .expire(key, this.config.loginThrottle.windowSeconds, 'NX')
      .exec()
      .catch(() => this.logger.warn('login throttle unavailable; failure not counted'));
  }

  async recordSuccess(ip: string, email: string): Promise<void> {
    await this.redis.del(this.keys(ip, email).email).catch(() => undefined);
  }
}

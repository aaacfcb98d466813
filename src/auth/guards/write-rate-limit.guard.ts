import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Actor } from '../../common/auth/actor';
import { isLimitedWrite, WriteRateLimit } from '../write-rate-limit';

/** Global, after authentication: counts the caller's writes (WRITE_RATE_LIMIT_PER_MINUTE). */
@Injectable()
export class WriteRateLimitGuard implements CanActivate {
  constructor(private readonly limit: WriteRateLimit) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: Actor }>();
    // Public routes have no user to count (and none of them writes but the login).
    if (request.user && isLimitedWrite(request.method, request.routeOptions.url)) {
      await this.limit.consume(request.user.userId);
    }
    return true;
  }
}

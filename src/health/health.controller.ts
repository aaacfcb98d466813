import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { Public } from '../common/auth/actor';
import { Lifecycle } from '../common/lifecycle';
import { QueueMonitor } from '../queue/queue-monitor';
import { REDIS } from '../queue/redis.module';

type Check = 'up' | 'down';

const CHECK_TIMEOUT_MS = 1500;

/** Resolves to 'down' on error or when the dependency does not answer in time. */
async function probe(work: () => Promise<unknown>): Promise<Check> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Check>((resolve) => {
    timer = setTimeout(() => resolve('down'), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([
      work().then(
        (): Check => 'up',
        (): Check => 'down',
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export class HealthResponseDto {
  /**
   * `degraded`: serving, but jobs wait longer than QUEUE_LATENESS_ALERT_SECONDS; `draining`:
   * shutting down (SIGTERM), not checked.
   */
  status: 'ok' | 'degraded' | 'unavailable' | 'draining';
  checks: {
    postgres: Check | 'unknown';
    redis: Check | 'unknown';
    queues: 'ok' | 'backlog' | 'unknown';
  };
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly queues: QueueMonitor,
    private readonly lifecycle: Lifecycle,
  ) {}

  /**
   * Readiness: PostgreSQL and Redis each reported; 503 when one is down. A queue backlog is
   * reported (`degraded`) but keeps 200: the API still serves, and taking it out of the load
   * balancer would not make the workers catch up. From SIGTERM on, 503 `draining`: this
   * instance is about to go, whatever its dependencies say.
   */
  @Public()
  @Get()
  @ApiResponse({ status: 200, type: HealthResponseDto, description: 'Ready (`ok` or `degraded`)' })
  @ApiResponse({
    status: 503,
    type: HealthResponseDto,
    description:
      'Not ready: a dependency is down (`unavailable`) or the process stops (`draining`)',
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthResponseDto> {
    if (this.lifecycle.draining) {
      void reply.status(503);
      return {
        status: 'draining',
        checks: { postgres: 'unknown', redis: 'unknown', queues: 'unknown' },
      };
    }
    const [postgres, redis] = await Promise.all([
      probe(() => this.dataSource.query('SELECT 1')),
      probe(() => this.redis.ping()),
    ]);
    const ok = postgres === 'up' && redis === 'up';
    const queues = redis === 'up' ? await this.queueState() : 'unknown';
    void reply.status(ok ? 200 : 503);
    return {
      status: !ok ? 'unavailable' : queues === 'backlog' ? 'degraded' : 'ok',
      checks: { postgres, redis, queues },
    };
  }

  private async queueState(): Promise<'ok' | 'backlog' | 'unknown'> {
    try {
      return (await this.queues.backlog()) ? 'backlog' : 'ok';
    } catch {
      return 'unknown';
    }
  }

  /** Liveness: the process answers. Never checks dependencies, so an outage does not restart it. */
  @Public()
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }
}

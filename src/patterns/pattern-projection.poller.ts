import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PatternProjection } from './pattern-projection';

/** How often the worker asks whether cases changed: the repository's lag is about this. */
export const POLL_MS = 250;

/**
 * Keeps the records and rollups within about a second of the cases (workers only): asks every
 * POLL_MS whether anything is noted, and catches up when it is. Polling, not LISTEN: a NOTIFY
 * serialises the commits of every writer that sends one. Several workers may poll; the
 * projection and the fold are safe to run side by side. The repeatable fold job remains the
 * safety net (ROLLUP_INTERVAL_SECONDS).
 */
@Injectable()
export class PatternProjectionPoller implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PatternProjectionPoller.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(private readonly projection: PatternProjection) {}

  onApplicationBootstrap(): void {
    this.next(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private next(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.poll().finally(() => {
        this.running = undefined;
        this.next(POLL_MS);
      });
    }, delay);
  }

  private async poll(): Promise<void> {
    try {
      if (await this.projection.behind()) await this.projection.catchUp();
    } catch (error) {
      this.logger.warn(
        `pattern projection failed (${(error as Error).name}); the next poll retries`,
      );
    }
  }
}

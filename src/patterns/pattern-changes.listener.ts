import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { AppConfig } from '../config/app-config';
import { PatternRollupsRepository } from './pattern-rollups.repository';

/** Changes committed close together are folded together. */
const DEBOUNCE_MS = 200;
const RECONNECT_MAX_MS = 30_000;

/**
 * Keeps the rollups within about a second of the pattern records (workers only). The record
 * triggers NOTIFY `pattern_changes` at commit; this listens on its own connection and folds the
 * log shortly after. A notification lost while the connection was down is caught by the
 * repeatable fold (ROLLUP_INTERVAL_SECONDS), which also catches up at start.
 */
@Injectable()
export class PatternChangesListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PatternChangesListener.name);
  private client?: Client;
  private timer?: NodeJS.Timeout;
  private folding?: Promise<void>;
  private again = false;
  private stopped = false;
  private reconnectMs = 1000;
  /** Connections already given up on ('error' and 'end' both come). */
  private readonly retired = new WeakSet<Client>();

  constructor(
    private readonly config: AppConfig,
    private readonly rollups: PatternRollupsRepository,
  ) {}

  onApplicationBootstrap(): void {
    void this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.folding;
    await this.client?.end().catch(() => undefined);
  }

  /** Folds now, or once more after the fold in progress (changes may have come in during it). */
  schedule(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.folding) {
        this.again = true;
        return;
      }
      this.folding = this.fold().finally(() => {
        this.folding = undefined;
        if (this.again) {
          this.again = false;
          this.schedule();
        }
      });
    }, DEBOUNCE_MS);
  }

  private async fold(): Promise<void> {
    try {
      await this.rollups.foldAll();
    } catch (error) {
      this.logger.warn(
        `pattern rollup fold failed (${(error as Error).message}); the next one retries`,
      );
    }
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({ connectionString: this.config.databaseUrl });
    client.on('notification', () => this.schedule());
    client.on('error', (error) => {
      this.logger.warn(`pattern listener connection lost (${error.message})`);
      this.reconnect(client);
    });
    client.on('end', () => this.reconnect(client));
    try {
      await client.connect();
      await client.query('LISTEN pattern_changes');
      this.client = client;
      this.reconnectMs = 1000;
      // What changed while nobody listened.
      this.schedule();
    } catch (error) {
      this.logger.warn(`pattern listener could not connect (${(error as Error).message})`);
      this.reconnect(client);
    }
  }

  private reconnect(client: Client): void {
    if (this.stopped || this.retired.has(client)) return;
    this.retired.add(client);
    if (this.client === client) this.client = undefined;
    client.removeAllListeners();
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    const wait = this.reconnectMs;
    this.reconnectMs = Math.min(wait * 2, RECONNECT_MAX_MS);
    setTimeout(() => void this.connect(), wait).unref();
  }
}

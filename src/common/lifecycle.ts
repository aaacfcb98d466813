import { Injectable } from '@nestjs/common';

/**
 * Where the process is in its life, for what answers HTTP: `draining` from SIGTERM until the
 * listener closes (readiness says 503, every answer closes its connection), `closing` once it
 * does (new requests get 503 at once).
 */
@Injectable()
export class Lifecycle {
  private phase: 'serving' | 'draining' | 'closing' = 'serving';

  get draining(): boolean {
    return this.phase !== 'serving';
  }

  get closing(): boolean {
    return this.phase === 'closing';
  }

  drain(): void {
    if (this.phase === 'serving') this.phase = 'draining';
  }

  close(): void {
    this.phase = 'closing';
  }
}

import { Injectable } from '@nestjs/common';
import { UserSecretsRepository } from '../auth/user-secrets.repository';
import { TransactionRunner } from '../database/transaction';
import { CalendarTokenEntity } from './calendar-token.entity';

/** The user a feed token reads as: what the TLP rule and the calendar's zone need. */
export interface FeedOwner {
  tokenId: string;
  userId: string;
  organizationId: string;
  timezone: string;
}

/** Calendar feed tokens: the shared storage of user secrets, and the feed's lookup. */
@Injectable()
export class CalendarTokensRepository extends UserSecretsRepository<CalendarTokenEntity> {
  constructor(tx: TransactionRunner) {
    super(tx, CalendarTokenEntity);
  }

  /** The unrevoked token with this hash and its active user, in one query; null otherwise. */
  async findOwner(tokenHash: string): Promise<FeedOwner | null> {
    const rows: { token_id: string; user_id: string; organization_id: string; timezone: string }[] =
      await this.tx.manager.query(
        `SELECT t.id AS token_id, u.id AS user_id, u.organization_id, u.timezone
           FROM calendar_tokens t
           JOIN users u ON u.id = t.user_id
          WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active`,
        [tokenHash],
      );
    const row = rows[0];
    return row
      ? {
          tokenId: row.token_id,
          userId: row.user_id,
          organizationId: row.organization_id,
          timezone: row.timezone,
        }
      : null;
  }
}

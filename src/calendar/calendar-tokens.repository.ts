import { Injectable } from '@nestjs/common';
import { EntityManager, IsNull } from 'typeorm';
import { decodeCursor } from '../common/pagination/cursor';
import { insertReturning } from '../database/insert';
import { TransactionRunner } from '../database/transaction';
import { CalendarTokenEntity } from './calendar-token.entity';

/** The user a feed token reads as: what the TLP rule and the calendar's zone need. */
export interface FeedOwner {
  tokenId: string;
  userId: string;
  organizationId: string;
  timezone: string;
}

@Injectable()
export class CalendarTokensRepository {
  constructor(private readonly tx: TransactionRunner) {}

  insert(values: Partial<CalendarTokenEntity>, em: EntityManager): Promise<CalendarTokenEntity> {
    return insertReturning(em, CalendarTokenEntity, values);
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

  /** Marks use at most once a minute: calendar clients poll, and every poll need not write. */
  async touch(id: string): Promise<void> {
    await this.tx.manager
      .createQueryBuilder()
      .update(CalendarTokenEntity)
      .set({ lastUsedAt: () => 'now()' })
      .where('id = :id', { id })
      .andWhere("(last_used_at IS NULL OR last_used_at < now() - interval '1 minute')")
      .execute();
  }

  /** The user's unrevoked tokens, newest first, keyset-paginated; fetches one extra row. */
  listActive(
    userId: string,
    page: { cursor?: string; limit: number },
  ): Promise<CalendarTokenEntity[]> {
    const qb = this.tx.manager
      .createQueryBuilder(CalendarTokenEntity, 't')
      .where('t.user_id = :userId', { userId })
      .andWhere('t.revoked_at IS NULL')
      .orderBy('t.created_at', 'DESC')
      .addOrderBy('t.id', 'DESC')
      .limit(page.limit + 1);
    if (page.cursor) {
      const [at, id] = decodeCursor(page.cursor, ['timestamp', 'uuid']);
      qb.andWhere('(t.created_at, t.id) < (:at::timestamptz, :id::uuid)', { at, id });
    }
    return qb.getMany();
  }

  countActive(userId: string, em: EntityManager): Promise<number> {
    return em.count(CalendarTokenEntity, { where: { userId, revokedAt: IsNull() } });
  }

  /** Revokes the user's own token; false when there is no such unrevoked token. */
  async revoke(userId: string, id: string, em: EntityManager): Promise<boolean> {
    const result = await em.update(
      CalendarTokenEntity,
      { id, userId, revokedAt: IsNull() },
      { revokedAt: () => 'now()' },
    );
    return (result.affected ?? 0) > 0;
  }
}

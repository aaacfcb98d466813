import { Injectable } from '@nestjs/common';
import { EntityManager, IsNull } from 'typeorm';
import { decodeCursor } from '../common/pagination/cursor';
import { insertReturning } from '../database/insert';
import { TransactionRunner } from '../database/transaction';
import { ApiTokenEntity } from './api-token.entity';

@Injectable()
export class ApiTokensRepository {
  constructor(private readonly tx: TransactionRunner) {}

  insert(values: Partial<ApiTokenEntity>, em: EntityManager): Promise<ApiTokenEntity> {
    return insertReturning(em, ApiTokenEntity, values);
  }

  /** The unrevoked token with this hash, with its user, in one query. */
  findUsable(tokenHash: string): Promise<ApiTokenEntity | null> {
    return this.tx.manager.findOne(ApiTokenEntity, {
      where: { tokenHash, revokedAt: IsNull() },
      relations: { user: true },
    });
  }

  /** Marks use at most once a minute, so a busy script does not write on every request. */
  async touch(id: string): Promise<void> {
    await this.tx.manager
      .createQueryBuilder()
      .update(ApiTokenEntity)
      .set({ lastUsedAt: () => 'now()' })
      .where('id = :id', { id })
      .andWhere("(last_used_at IS NULL OR last_used_at < now() - interval '1 minute')")
      .execute();
  }

  /** The user's unrevoked tokens, newest first, keyset-paginated; fetches one extra row. */
  listActive(userId: string, page: { cursor?: string; limit: number }): Promise<ApiTokenEntity[]> {
    const qb = this.tx.manager
      .createQueryBuilder(ApiTokenEntity, 't')
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
    return em.count(ApiTokenEntity, { where: { userId, revokedAt: IsNull() } });
  }

  /** Revokes the user's own token; false when there is no such unrevoked token. */
  async revoke(userId: string, id: string, em: EntityManager): Promise<boolean> {
    const result = await em.update(
      ApiTokenEntity,
      { id, userId, revokedAt: IsNull() },
      { revokedAt: () => 'now()' },
    );
    return (result.affected ?? 0) > 0;
  }
}

import {
  EntityManager,
  EntityTarget,
  FindOptionsWhere,
  IsNull,
  QueryDeepPartialEntity,
} from 'typeorm';
import { byTimeAndId } from '../common/pagination/keyset';
import { insertReturning } from '../database/insert';
import { TransactionRunner } from '../database/transaction';

/** What API tokens and calendar feed tokens have in common: a user's revocable secret. */
export interface UserSecretRow {
  id: string;
  userId: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/**
 * Storage shared by the kinds of secrets a user holds (only their SHA-256 is kept): created,
 * listed, marked used and revoked the same way. Each kind adds its own lookup by hash.
 */
export abstract class UserSecretsRepository<E extends UserSecretRow> {
  protected constructor(
    protected readonly tx: TransactionRunner,
    private readonly entity: EntityTarget<E>,
  ) {}

  insert(values: QueryDeepPartialEntity<E>, em: EntityManager): Promise<E> {
    return insertReturning(em, this.entity, values);
  }

  /** Marks use at most once a minute: scripts and calendar clients poll, no write each time. */
  async touch(id: string): Promise<void> {
    await this.tx.manager
      .createQueryBuilder()
      .update(this.entity)
      .set({ lastUsedAt: () => 'now()' } as unknown as QueryDeepPartialEntity<E>)
      .where('id = :id', { id })
      .andWhere("(last_used_at IS NULL OR last_used_at < now() - interval '1 minute')")
      .execute();
  }

  /** The user's unrevoked secrets, newest first, keyset-paginated; fetches one extra row. */
  listActive(userId: string, page: { cursor?: string; limit: number }): Promise<E[]> {
    const qb = this.tx.manager
      .createQueryBuilder(this.entity, 't')
      .where('t.user_id = :userId', { userId })
      .andWhere('t.revoked_at IS NULL');
    return byTimeAndId(qb, 'created_at', page).getMany();
  }

  countActive(userId: string, em: EntityManager): Promise<number> {
    return em.count(this.entity, { where: this.own(userId) });
  }

  /** Revokes the user's own secret; false when there is no such unrevoked one. */
  async revoke(userId: string, id: string, em: EntityManager): Promise<boolean> {
    const result = await em.update(
      this.entity,
      { ...this.own(userId), id } as FindOptionsWhere<E>,
      {
        revokedAt: () => 'now()',
      } as unknown as QueryDeepPartialEntity<E>,
    );
    return (result.affected ?? 0) > 0;
  }

  /** Revokes every unrevoked one of the user's; answers how many. */
  async revokeAll(userId: string, em: EntityManager): Promise<number> {
    const result = await em.update(this.entity, this.own(userId), {
      revokedAt: () => 'now()',
    } as unknown as QueryDeepPartialEntity<E>);
    return result.affected ?? 0;
  }

  private own(userId: string): FindOptionsWhere<E> {
    return { userId, revokedAt: IsNull() } as FindOptionsWhere<E>;
  }
}

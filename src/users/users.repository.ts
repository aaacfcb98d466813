import { Injectable } from '@nestjs/common';
import { EntityManager, QueryDeepPartialEntity } from 'typeorm';
import { Role } from '../common/auth/actor';
import { decodeCursor } from '../common/pagination/cursor';
import { insertReturning } from '../database/insert';
import { TransactionRunner } from '../database/transaction';
import { UserEntity } from './user.entity';

@Injectable()
export class UsersRepository {
  constructor(private readonly tx: TransactionRunner) {}

  findById(id: string, em: EntityManager = this.tx.manager): Promise<UserEntity | null> {
    return em.findOneBy(UserEntity, { id });
  }

  findByEmail(email: string, em: EntityManager = this.tx.manager): Promise<UserEntity | null> {
    return em.findOneBy(UserEntity, { email });
  }

  insert(values: Partial<UserEntity>, em: EntityManager = this.tx.manager): Promise<UserEntity> {
    return insertReturning(em, UserEntity, values);
  }

  async update(
    id: string,
    values: QueryDeepPartialEntity<UserEntity>,
    em: EntityManager = this.tx.manager,
  ): Promise<void> {
    await em.update(UserEntity, { id }, values);
  }

  /**
   * Deletes the user's web interface sessions (src/web: web_sessions), by SQL so that users do
   * not import the web module that builds on them.
   */
  /** Every session of the user ends: web sessions go, access tokens of older generations fail. */
  async endSessions(userId: string, em: EntityManager = this.tx.manager): Promise<void> {
    await em.query('UPDATE users SET session_generation = session_generation + 1 WHERE id = $1', [
      userId,
    ]);
    await em.query('DELETE FROM web_sessions WHERE user_id = $1', [userId]);
  }

  /** Of these ids, those that are not an active user. */
  async unknownActiveIds(ids: string[], em: EntityManager = this.tx.manager): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows: { id: string }[] = await em.query(
      `SELECT x.id FROM unnest($1::uuid[]) AS x(id)
       WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = x.id AND u.active)`,
      [ids],
    );
    return rows.map((r) => r.id);
  }

  /** An organisation's active users with one of these roles, by id. */
  async activeIdsWithRoles(
    organizationId: string,
    roles: Role[],
    em: EntityManager = this.tx.manager,
  ): Promise<string[]> {
    const rows: { id: string }[] = await em.query(
      `SELECT id FROM users WHERE organization_id = $1 AND active AND role = ANY($2::user_role[])
       ORDER BY id`,
      [organizationId, roles],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Counts a failed login of an account that is not locked at `now`; the failure that reaches
   * `failures` locks it until `lockedUntil` and starts the count again. Answers whether this
   * call locked it (once, even under concurrent failures: the row lock serialises them, and the
   * second no longer matches). Given an id that is no user, it costs the same and does nothing.
   */
  async recordFailedLogin(
    id: string,
    now: Date,
    failures: number,
    lockedUntil: Date,
  ): Promise<boolean> {
    const rows: { locked: boolean }[] = await this.tx.manager.query(
      `UPDATE users SET
         failed_login_count = CASE WHEN failed_login_count + 1 >= $2 THEN 0
                                   ELSE failed_login_count + 1 END,
         locked_until = CASE WHEN failed_login_count + 1 >= $2 THEN $3::timestamptz
                             ELSE locked_until END
       WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $4)
       RETURNING failed_login_count = 0 AS locked`,
      [id, failures, lockedUntil, now],
    );
    // TypeORM answers [rows, count] for an UPDATE ... RETURNING on PostgreSQL.
    const returned = (Array.isArray(rows[0]) ? rows[0] : rows) as { locked: boolean }[];
    return returned[0]?.locked === true;
  }

  async anyAdminExists(em: EntityManager = this.tx.manager): Promise<boolean> {
    return em.exists(UserEntity, { where: { role: 'admin' } });
  }

  /** One organisation's users by e-mail, keyset-paginated; fetches one extra row. */
  listByOrganization(
    organizationId: string,
    page: { cursor?: string; limit: number },
  ): Promise<UserEntity[]> {
    const qb = this.tx.manager
      .createQueryBuilder(UserEntity, 'u')
      .where('u.organization_id = :organizationId', { organizationId })
      .orderBy('u.email', 'ASC')
      .limit(page.limit + 1);
    if (page.cursor) {
      const [email] = decodeCursor(page.cursor, ['text']);
      qb.andWhere('u.email > :email', { email });
    }
    return qb.getMany();
  }
}

import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { decodeCursor } from '../common/pagination/cursor';
import { insertReturning } from '../database/insert';
import { TransactionRunner } from '../database/transaction';
import { WorkingGroupEntity, WorkingGroupMemberEntity } from './working-group.entity';

export interface WorkingGroupRow extends WorkingGroupEntity {
  member: boolean;
}

export interface MemberRow {
  userId: string;
  displayName: string;
  organizationId: string;
  organizationName: string;
  addedAt: Date;
}

/** Working groups and their members; who may read the members is the service's check. */
@Injectable()
export class WorkingGroupsRepository {
  constructor(private readonly tx: TransactionRunner) {}

  insert(values: Partial<WorkingGroupEntity>, em: EntityManager): Promise<WorkingGroupEntity> {
    return insertReturning(em, WorkingGroupEntity, values);
  }

  findByName(name: string, em: EntityManager): Promise<WorkingGroupEntity | null> {
    return em.findOneBy(WorkingGroupEntity, { name });
  }

  /** The group with whether `userId` belongs to it, or null. */
  async find(
    id: string,
    userId: string,
    em: EntityManager = this.tx.manager,
  ): Promise<WorkingGroupRow | null> {
    const rows = await this.rows(em, 'g.id = :id', { id, userId });
    return rows[0] ?? null;
  }

  /** Ordered by name, keyset-paginated; fetches one extra row. */
  list(userId: string, page: { cursor?: string; limit: number }): Promise<WorkingGroupRow[]> {
    const after = page.cursor ? decodeCursor(page.cursor, ['text', 'uuid']) : null;
    return this.rows(
      this.tx.manager,
      after ? '(g.name, g.id) > (:name, :afterId::uuid)' : 'TRUE',
      { userId, name: after?.[0], afterId: after?.[1] },
      page.limit + 1,
    );
  }

  private async rows(
    em: EntityManager,
    where: string,
    params: Record<string, unknown>,
    limit = 1,
  ): Promise<WorkingGroupRow[]> {
    const raw = await em
      .createQueryBuilder(WorkingGroupEntity, 'g')
      .addSelect(
        `EXISTS (SELECT 1 FROM working_group_members wm
          WHERE wm.working_group_id = g.id AND wm.user_id = :userId)`,
        'member',
      )
      .where(where, params)
      .setParameters(params)
      .orderBy('g.name', 'ASC')
      .addOrderBy('g.id', 'ASC')
      .limit(limit)
      .getRawAndEntities();
    return raw.entities.map((g, i) => Object.assign(g, { member: Boolean(raw.raw[i].member) }));
  }

  async isMember(
    groupId: string,
    userId: string,
    em: EntityManager = this.tx.manager,
  ): Promise<boolean> {
    return em.existsBy(WorkingGroupMemberEntity, { workingGroupId: groupId, userId });
  }

  /** The active members, with their organisation, by name. */
  async members(groupId: string): Promise<MemberRow[]> {
    const rows: {
      user_id: string;
      display_name: string;
      organization_id: string;
      organization_name: string;
      added_at: Date;
    }[] = await this.tx.manager.query(
      `SELECT u.id AS user_id, u.display_name, o.id AS organization_id,
              o.name AS organization_name, wm.added_at
         FROM working_group_members wm
         JOIN users u ON u.id = wm.user_id AND u.active
         JOIN organizations o ON o.id = u.organization_id
        WHERE wm.working_group_id = $1
        ORDER BY u.display_name, u.id`,
      [groupId],
    );
    return rows.map((r) => ({
      userId: r.user_id,
      displayName: r.display_name,
      organizationId: r.organization_id,
      organizationName: r.organization_name,
      addedAt: r.added_at,
    }));
  }

  /** Adds the member; false when they already were one. */
  async addMember(
    groupId: string,
    userId: string,
    addedBy: string,
    em: EntityManager,
  ): Promise<boolean> {
    const rows: unknown[] = await em.query(
      `INSERT INTO working_group_members (working_group_id, user_id, added_by)
       VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING user_id`,
      [groupId, userId, addedBy],
    );
    return rows.length > 0;
  }

  /** Removes the member; false when they were none. */
  async removeMember(groupId: string, userId: string, em: EntityManager): Promise<boolean> {
    const result = await em.delete(WorkingGroupMemberEntity, { workingGroupId: groupId, userId });
    return (result.affected ?? 0) > 0;
  }

  async incidentAlertGroupIds(): Promise<string[]> {
    const rows = await this.tx.manager.findBy(WorkingGroupEntity, { incidentAlerts: true });
    return rows.map((g) => g.id);
  }

  async patternAlertGroupIds(): Promise<string[]> {
    const rows = await this.tx.manager.findBy(WorkingGroupEntity, { patternAlerts: true });
    return rows.map((g) => g.id);
  }

  async activeMemberIds(groupId: string): Promise<string[]> {
    const rows: { user_id: string }[] = await this.tx.manager.query(
      `SELECT wm.user_id FROM working_group_members wm
         JOIN users u ON u.id = wm.user_id AND u.active
        WHERE wm.working_group_id = $1
        ORDER BY wm.user_id`,
      [groupId],
    );
    return rows.map((r) => r.user_id);
  }
}

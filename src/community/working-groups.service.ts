import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/auth/actor';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationFailedError,
} from '../common/errors/domain-error';
import { Page, toPage } from '../common/pagination/cursor';
import { ListQueryDto } from '../common/pagination/list-query.dto';
import { TransactionRunner } from '../database/transaction';
import { UsersService } from '../users/users.service';
import {
  AddWorkingGroupMemberDto,
  CreateWorkingGroupDto,
  WorkingGroupMemberResponseDto,
  WorkingGroupMembersResponseDto,
  WorkingGroupResponseDto,
} from './dto/working-group.dto';
import { MemberRow, WorkingGroupRow, WorkingGroupsRepository } from './working-groups.repository';

/**
 * Working groups. Their names are known to the whole community (so people know whom to ask to
 * join); who belongs to one is known only to its members and the admins (anyone else: 404).
 * The admin (community coordination) creates groups and adds members; nobody adds themselves,
 * because membership brings the group's member list, its meetings and what is addressed to it.
 * Anybody may leave a group on their own at any time: staying is never forced.
 */
@Injectable()
export class WorkingGroupsService {
  constructor(
    private readonly groups: WorkingGroupsRepository,
    private readonly users: UsersService,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
  ) {}

  async list(actor: Actor, query: ListQueryDto): Promise<Page<WorkingGroupResponseDto>> {
    const rows = await this.groups.list(actor.userId, query);
    return toPage(rows, query.limit, toGroupResponse, (g) => [g.name, g.id]);
  }

  async get(actor: Actor, id: string): Promise<WorkingGroupResponseDto> {
    const group = await this.groups.find(id, actor.userId);
    if (!group) throw new NotFoundError('working group');
    return toGroupResponse(group);
  }

  async create(actor: Actor, dto: CreateWorkingGroupDto): Promise<WorkingGroupResponseDto> {
    return this.tx.run(async (em) => {
      if (await this.groups.findByName(dto.name, em)) {
        throw new ConflictError('A working group with this name already exists.', 'name');
      }
      const created = await this.groups.insert(
        {
          name: dto.name,
          description: dto.description ?? null,
          patternAlerts: dto.patternAlerts ?? false,
          incidentAlerts: dto.incidentAlerts ?? false,
          createdBy: actor.userId,
        },
        em,
      );
      await this.audit.record(
        {
          action: 'working_group.created',
          actorUserId: actor.userId,
          organizationId: actor.organizationId,
          targetType: 'working_group',
          targetId: created.id,
        },
        em,
      );
      return toGroupResponse({ ...created, member: false });
    });
  }

  /** Members and admins read the members; to anyone else the list does not exist. */
  async members(actor: Actor, id: string): Promise<WorkingGroupMembersResponseDto> {
    await this.requireMemberView(actor, id);
    return { data: (await this.groups.members(id)).map(toMemberResponse) };
  }

  /** Whether the actor may read the group's members (its members and the admins). */
  async canSeeMembers(actor: Actor, id: string): Promise<boolean> {
    const group = await this.groups.find(id, actor.userId);
    return Boolean(group && (group.member || actor.role === 'admin'));
  }

  async addMember(
    actor: Actor,
    id: string,
    dto: AddWorkingGroupMemberDto,
  ): Promise<WorkingGroupMembersResponseDto> {
    await this.tx.run(async (em) => {
      const group = await this.groups.find(id, actor.userId, em);
      if (!group) throw new NotFoundError('working group');
      const user = await this.users.findActive(dto.userId);
      if (!user) {
        throw new ValidationFailedError([{ field: 'userId', message: 'userId is no active user' }]);
      }
      const added = await this.groups.addMember(id, dto.userId, actor.userId, em);
      if (added) {
        await this.audit.record(
          {
            action: 'working_group.member_added',
            actorUserId: actor.userId,
            organizationId: user.organizationId,
            targetType: 'working_group',
            targetId: id,
            details: { userId: dto.userId },
          },
          em,
        );
      }
    });
    return this.members(actor, id);
  }

  /**
   * Removes a member: the admin removes anyone, a member removes themselves (leaves). A member
   * removing someone else is 403; someone outside the group sees no group members at all (404).
   */
  async removeMember(actor: Actor, id: string, userId: string): Promise<void> {
    await this.requireMemberView(actor, id);
    if (actor.role !== 'admin' && actor.userId !== userId) {
      throw new ForbiddenError('Only the community admin removes other members.');
    }
    await this.tx.run(async (em) => {
      if (!(await this.groups.removeMember(id, userId, em))) {
        throw new NotFoundError('working group member');
      }
      await this.audit.record(
        {
          action: 'working_group.member_removed',
          actorUserId: actor.userId,
          organizationId: actor.organizationId,
          targetType: 'working_group',
          targetId: id,
          details: { userId, left: actor.userId === userId },
        },
        em,
      );
    });
  }

  /** The groups whose members hear of each channel incident reported. */
  incidentAlertGroupIds(): Promise<string[]> {
    return this.groups.incidentAlertGroupIds();
  }

  /** The groups whose members get the emerging-pattern notices. */
  patternAlertGroupIds(): Promise<string[]> {
    return this.groups.patternAlertGroupIds();
  }

  /** Whether the user belongs to the group (a notice's recipient, checked again at delivery). */
  isMember(groupId: string, userId: string): Promise<boolean> {
    return this.groups.isMember(groupId, userId);
  }

  /** The active members of a group: whom a notice addressed to it reaches. */
  activeMemberIds(groupId: string): Promise<string[]> {
    return this.groups.activeMemberIds(groupId);
  }

  private async requireMemberView(actor: Actor, id: string): Promise<void> {
    if (!(await this.canSeeMembers(actor, id))) throw new NotFoundError('working group members');
  }
}

function toGroupResponse(g: WorkingGroupRow): WorkingGroupResponseDto {
  return {
    id: g.id,
    name: g.name,
    description: g.description,
    patternAlerts: g.patternAlerts,
    incidentAlerts: g.incidentAlerts,
    member: g.member,
    createdAt: g.createdAt.toISOString(),
  };
}

function toMemberResponse(m: MemberRow): WorkingGroupMemberResponseDto {
  return {
    userId: m.userId,
    displayName: m.displayName,
    organizationId: m.organizationId,
    organizationName: m.organizationName,
    addedAt: m.addedAt.toISOString(),
  };
}

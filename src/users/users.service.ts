import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { emailPasswordMessage, isEmailAsPassword } from './password-policy';
import { Actor, Role } from '../common/auth/actor';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationFailedError,
} from '../common/errors/domain-error';
import { TtlCache } from '../common/cache/ttl-cache';
import { Clock } from '../common/clock';
import { DomainEvents } from '../common/events/domain-events';
import { Page, toPage } from '../common/pagination/cursor';
import { AppConfig } from '../config/app-config';
import { ListQueryDto } from '../common/pagination/list-query.dto';
import { TransactionRunner } from '../database/transaction';
import { OrganizationsService } from '../organizations/organizations.service';
import { ChangePasswordDto } from './dto/change-password.dto';
import { CreateUserDto } from './dto/create-user.dto';
import { UpdateUserDto } from './dto/update-user.dto';
import { UserResponseDto } from './dto/user-response.dto';
import { PasswordHasher } from './password-hasher';
import { canCreateUser, canSeeUsersOf, canUpdateUser } from './user-permissions';
import { UserEntity } from './user.entity';
import { UsersRepository } from './users.repository';

@Injectable()
export class UsersService {
  /** Active users by id, for authentication: one query fewer on almost every request. */
  private readonly activeUsers: TtlCache<string, UserEntity>;

  constructor(
    private readonly users: UsersRepository,
    private readonly organizations: OrganizationsService,
    private readonly hasher: PasswordHasher,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly events: DomainEvents,
    config: AppConfig,
  ) {
    this.activeUsers = new TtlCache(config.authCacheMs);
  }

  /**
   * Creates a user in an organisation. `actor` is null only for the start-up bootstrap and
   * the CLI, which act as the system.
   */
  async create(
    actor: Actor | null,
    organizationId: string,
    dto: CreateUserDto,
    em?: EntityManager,
  ): Promise<UserResponseDto> {
    await this.organizations.require(organizationId, em);
    if (actor && !canCreateUser(actor, organizationId, dto.role)) {
      throw new ForbiddenError(
        dto.role === 'admin'
          ? 'Only a community admin can create admins.'
          : 'You can only add users to your own organization.',
      );
    }
    const passwordHash = await this.hasher.hash(dto.password);
    const email = normalizeEmail(dto.email);
    const work = async (m: EntityManager) => {
      if (await this.users.findByEmail(email, m)) {
        throw new ConflictError('A user with this e-mail already exists.', 'email');
      }
      const user = await this.users.insert(
        {
          organizationId,
          email,
          displayName: dto.displayName,
          role: dto.role,
          passwordHash,
          language: dto.language ?? 'en',
          timezone: dto.timezone ?? 'UTC',
        },
        m,
      );
      await this.audit.record(
        {
          action: 'user.created',
          actorUserId: actor?.userId,
          organizationId,
          targetType: 'user',
          targetId: user.id,
          details: { role: user.role },
        },
        m,
      );
      return toUserResponse(user);
    };
    return em ? work(em) : this.tx.run(work);
  }

  async listForOrganization(
    actor: Actor,
    organizationId: string,
    query: ListQueryDto,
  ): Promise<Page<UserResponseDto>> {
    await this.organizations.require(organizationId);
    if (!canSeeUsersOf(actor, organizationId)) {
      throw new ForbiddenError('You can only list the users of your own organization.');
    }
    const rows = await this.users.listByOrganization(organizationId, query);
    return toPage(rows, query.limit, toUserResponse, (u) => [u.email]);
  }

  async get(actor: Actor, id: string): Promise<UserResponseDto> {
    return toUserResponse(await this.requireVisible(actor, id));
  }

  async update(actor: Actor, id: string, dto: UpdateUserDto): Promise<UserResponseDto> {
    const updated = await this.tx.run(async (em) => {
      const target = await this.requireVisible(actor, id, em);
      const { role, active, locked, ...profile } = dto;
      const change = {
        role,
        active,
        unlock: locked === false,
        profile: Object.keys(profile).length > 0,
      };
      if (!canUpdateUser(actor, target, change)) {
        throw new ForbiddenError(
          actor.userId === id
            ? 'You cannot change your own role or deactivate yourself.'
            : 'You cannot edit this user.',
        );
      }
      const wasLocked = !!target.lockedUntil && target.lockedUntil > this.clock.now();
      // A deactivated user's tokens stay dead even if the account is activated again.
      if (active === false && target.active) await this.endAllSessions(id, false, em);
      await this.users.update(
        id,
        {
          ...profile,
          ...(role !== undefined ? { role } : {}),
          ...(active !== undefined ? { active } : {}),
          ...(change.unlock ? { failedLoginCount: 0, lockedUntil: null } : {}),
        },
        em,
      );
      if (change.unlock && wasLocked) {
        await this.audit.record(
          {
            action: 'auth.account_unlocked',
            actorUserId: actor.userId,
            organizationId: target.organizationId,
            targetType: 'user',
            targetId: id,
          },
          em,
        );
      }
      await this.audit.record(
        {
          action: 'user.updated',
          actorUserId: actor.userId,
          organizationId: target.organizationId,
          targetType: 'user',
          targetId: id,
          details: {
            fields: Object.keys(dto).sort(),
            ...(role ? { role } : {}),
            ...(active !== undefined ? { active } : {}),
          },
        },
        em,
      );
      return toUserResponse((await this.users.findById(id, em))!);
    });
    // After the commit: a role or deactivation applies to this user's next request here.
    this.activeUsers.invalidate(id);
    return updated;
  }

  async changeOwnPassword(actor: Actor, dto: ChangePasswordDto): Promise<void> {
    const user = await this.requireVisible(actor, actor.userId);
    if (!(await this.hasher.verify(user.passwordHash, dto.currentPassword))) {
      throw new ValidationFailedError([
        { field: 'currentPassword', message: 'currentPassword is not correct' },
      ]);
    }
    // The DTO cannot see the caller's address; the rest of the policy is checked there.
    if (isEmailAsPassword(dto.newPassword, user.email)) {
      throw new ValidationFailedError([
        { field: 'newPassword', message: emailPasswordMessage('newPassword') },
      ]);
    }
    const passwordHash = await this.hasher.hash(dto.newPassword);
    await this.tx.run(async (em) => {
      await this.users.update(user.id, { passwordHash }, em);
      // Whoever held a session of this user (a shared or stolen browser, a copied access
      // token) signs in again; API tokens too if the user asks.
      await this.endAllSessions(user.id, dto.revokeApiTokens ?? false, em);
      await this.audit.record(
        {
          action: 'auth.password_changed',
          actorUserId: user.id,
          organizationId: user.organizationId,
          targetType: 'user',
          targetId: user.id,
        },
        em,
      );
    });
    this.activeUsers.invalidate(user.id);
  }

  /**
   * "Sign out everywhere": the user's web sessions and access tokens end at once (in this
   * process; other processes within AUTH_CACHE_SECONDS), and their API tokens too if asked.
   * For the user themselves, an org_admin on the members of their organisation, an admin on all.
   */
  async endSessions(actor: Actor, id: string, revokeApiTokens: boolean): Promise<void> {
    await this.tx.run(async (em) => {
      const target = await this.requireVisible(actor, id, em);
      if (!canUpdateUser(actor, target, { profile: true })) {
        throw new ForbiddenError('You cannot sign this user out.');
      }
      await this.endAllSessions(id, revokeApiTokens, em);
      await this.audit.record(
        {
          action: 'auth.sessions_ended',
          actorUserId: actor.userId,
          organizationId: target.organizationId,
          targetType: 'user',
          targetId: id,
          details: { revokeApiTokens },
        },
        em,
      );
    });
    this.activeUsers.invalidate(id);
  }

  private async endAllSessions(
    userId: string,
    revokeApiTokens: boolean,
    em: EntityManager,
  ): Promise<void> {
    await this.users.endSessions(userId, em);
    await this.events.emit(em, 'user.sessions-ended', { userId, revokeApiTokens });
  }

  /**
   * For login: the active user with these credentials, or null. An unknown e-mail costs the
   * same argon2 verification as a wrong password, so timing does not reveal which it was.
   */
  async verifyCredentials(
    email: string,
    password: string,
  ): Promise<{ user: UserEntity | null; knownUser: UserEntity | null }> {
    const found = await this.users.findByEmail(normalizeEmail(email));
    const ok = await this.hasher.verify(found?.passwordHash ?? null, password);
    return { user: ok && found?.active ? found : null, knownUser: found };
  }

  /**
   * For authentication of every request: the user if it still exists and is active, as seen at
   * most AUTH_CACHE_SECONDS ago (this process's own changes apply at once).
   */
  /**
   * Users whose rows were deleted (an organisation's erasure): this instance stops trusting its
   * cached copy at once; other instances within AUTH_CACHE_MS, as after a deactivation.
   */
  forgetCached(ids: readonly string[]): void {
    for (const id of ids) this.activeUsers.invalidate(id);
  }

  findActiveForAuthentication(id: string): Promise<UserEntity | null> {
    return this.activeUsers.getOrLoad(id, () => this.findActive(id));
  }

  /** The user if it exists and is active now (read from the database). */
  async findActive(id: string): Promise<UserEntity | null> {
    const user = await this.users.findById(id);
    return user?.active ? user : null;
  }

  /** For notifications: the ids of an organisation's active users with one of these roles. */
  activeIdsWithRoles(organizationId: string, roles: Role[]): Promise<string[]> {
    return this.users.activeIdsWithRoles(organizationId, roles);
  }

  /** For other modules naming users (RED sharing lists): the ids that are no active user. */
  unknownActiveIds(ids: string[], em?: EntityManager): Promise<string[]> {
    return this.users.unknownActiveIds(ids, em);
  }

  /** A successful login: the count of failures starts again. */
  async recordLogin(id: string, at: Date): Promise<void> {
    await this.users.update(id, { lastLoginAt: at, failedLoginCount: 0, lockedUntil: null });
  }

  /**
   * A failed login of this account (null: of no account that can lock, which costs the same
   * query, so that timing does not tell them apart). Answers the time it is now locked until
   * if this failure locked it.
   */
  async recordFailedLogin(
    id: string | null,
    now: Date,
    policy: { failures: number; durationMs: number },
  ): Promise<Date | null> {
    const lockedUntil = new Date(now.getTime() + policy.durationMs);
    const locked = await this.users.recordFailedLogin(
      id ?? NO_USER_ID,
      now,
      policy.failures,
      lockedUntil,
    );
    return locked && id ? lockedUntil : null;
  }

  anyAdminExists(em?: EntityManager): Promise<boolean> {
    return this.users.anyAdminExists(em);
  }

  /** The user if the actor may see it: admins see all, others their own organisation (else 404). */
  private async requireVisible(actor: Actor, id: string, em?: EntityManager): Promise<UserEntity> {
    const user = await this.users.findById(id, em);
    if (!user || !canSeeUsersOf(actor, user.organizationId)) throw new NotFoundError('user');
    return user;
  }
}

/** No user has it (v4 UUIDs never do): a query about it matches nothing. */
const NO_USER_ID = '00000000-0000-0000-0000-000000000000';

/** E-mail addresses are compared and stored trimmed and in lower case. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

export function toUserResponse(u: UserEntity): UserResponseDto {
  return {
    id: u.id,
    email: u.email,
    displayName: u.displayName,
    role: u.role,
    organizationId: u.organizationId,
    language: u.language,
    timezone: u.timezone,
    active: u.active,
    lastLoginAt: u.lastLoginAt ? u.lastLoginAt.toISOString() : null,
    lockedUntil: u.lockedUntil ? u.lockedUntil.toISOString() : null,
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
  };
}

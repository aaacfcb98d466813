import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/auth/actor';
import { Clock } from '../common/clock';
import { ConflictError, ForbiddenError, NotFoundError } from '../common/errors/domain-error';
import { Page, toPage } from '../common/pagination/cursor';
import { ListQueryDto } from '../common/pagination/list-query.dto';
import { EntityManager } from 'typeorm';
import { OnEvent } from '../common/events/on-event.decorator';
import { EventMap } from '../common/events/event-map';
import { TransactionRunner } from '../database/transaction';
import { ApiTokenEntity } from './api-token.entity';
import { ApiTokensRepository } from './api-tokens.repository';
import {
  ApiTokenResponseDto,
  CreateApiTokenDto,
  CreatedApiTokenResponseDto,
} from './dto/api-token.dto';

/** Recognisable prefix, so leaked tokens can be found by secret scanners. */
export const API_TOKEN_PREFIX = 'etk_';
const MAX_ACTIVE_TOKENS = 50;

export const hashApiToken = (token: string) => createHash('sha256').update(token).digest('hex');

@Injectable()
export class ApiTokensService {
  constructor(
    private readonly tokens: ApiTokensRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * Mints a token for the caller. Only an interactive session may do so: a leaked token must
   * not be able to mint more.
   */
  async create(actor: Actor, dto: CreateApiTokenDto): Promise<CreatedApiTokenResponseDto> {
    if (actor.via !== 'jwt')
      throw new ForbiddenError('API tokens can only be created after signing in with a password.');
    const token = API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const expiresAt = dto.expiresInDays
      ? new Date(this.clock.now().getTime() + dto.expiresInDays * 86_400_000)
      : null;
    return this.tx.run(async (em) => {
      if ((await this.tokens.countActive(actor.userId, em)) >= MAX_ACTIVE_TOKENS) {
        throw new ConflictError(
          `You already have ${MAX_ACTIVE_TOKENS} active tokens; revoke one first.`,
        );
      }
      const created = await this.tokens.insert(
        { userId: actor.userId, name: dto.name, tokenHash: hashApiToken(token), expiresAt },
        em,
      );
      await this.audit.record(
        {
          action: 'api_token.created',
          actorUserId: actor.userId,
          organizationId: actor.organizationId,
          targetType: 'api_token',
          targetId: created.id,
          details: { expiresAt: expiresAt?.toISOString() ?? null },
        },
        em,
      );
      return {
        id: created.id,
        name: created.name,
        token,
        expiresAt: expiresAt?.toISOString() ?? null,
      };
    });
  }

  async list(actor: Actor, query: ListQueryDto): Promise<Page<ApiTokenResponseDto>> {
    const rows = await this.tokens.listActive(actor.userId, query);
    return toPage(rows, query.limit, toApiTokenResponse, (t) => [t.createdAt.toISOString(), t.id]);
  }

  /** "Sign out everywhere" or a new password, when the user asked: every API token goes too. */
  @OnEvent('user.sessions-ended', 'in-transaction')
  async revokeAllOnRequest(
    ended: EventMap['user.sessions-ended'],
    em: EntityManager,
  ): Promise<void> {
    if (!ended.revokeApiTokens) return;
    const revoked = await this.tokens.revokeAll(ended.userId, em);
    await this.audit.record(
      {
        action: 'api_token.revoked',
        targetType: 'user',
        targetId: ended.userId,
        details: { all: true, count: revoked },
      },
      em,
    );
  }

  async revoke(actor: Actor, id: string): Promise<void> {
    await this.tx.run(async (em) => {
      if (!(await this.tokens.revoke(actor.userId, id, em))) throw new NotFoundError('API token');
      await this.audit.record(
        {
          action: 'api_token.revoked',
          actorUserId: actor.userId,
          organizationId: actor.organizationId,
          targetType: 'api_token',
          targetId: id,
        },
        em,
      );
    });
  }

  /** For authentication: the actor behind a presented token, or null if unknown, revoked, expired or its user inactive. */
  async authenticate(token: string): Promise<Actor | null> {
    if (!token.startsWith(API_TOKEN_PREFIX) || token.length > 100) return null;
    const found = await this.tokens.findUsable(hashApiToken(token));
    if (!found?.user?.active) return null;
    if (found.expiresAt && found.expiresAt <= this.clock.now()) return null;
    await this.tokens.touch(found.id);
    return {
      userId: found.user.id,
      organizationId: found.user.organizationId,
      role: found.user.role,
      via: 'api_token',
      tokenId: found.id,
    };
  }
}

function toApiTokenResponse(t: ApiTokenEntity): ApiTokenResponseDto {
  return {
    id: t.id,
    name: t.name,
    createdAt: t.createdAt.toISOString(),
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    expiresAt: t.expiresAt?.toISOString() ?? null,
  };
}

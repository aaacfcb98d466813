import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { hashApiToken } from '../auth/api-tokens.service';
import { Actor } from '../common/auth/actor';
import { ConflictError, ForbiddenError, NotFoundError } from '../common/errors/domain-error';
import { Page, toPage } from '../common/pagination/cursor';
import { ListQueryDto } from '../common/pagination/list-query.dto';
import { lockForTransaction, TransactionRunner } from '../database/transaction';
import { CalendarTokenEntity } from './calendar-token.entity';
import { CalendarTokensRepository } from './calendar-tokens.repository';
import {
  CalendarTokenResponseDto,
  CreateCalendarTokenDto,
  CreatedCalendarTokenResponseDto,
} from './dto/calendar-token.dto';

/** Recognisable prefix, so leaked feed URLs can be found by secret scanners. */
export const CALENDAR_TOKEN_PREFIX = 'etcal_';
/** The prefix and 32 random bytes in base64url: nothing else is ever looked up. */
export const CALENDAR_TOKEN = /^etcal_[A-Za-z0-9_-]{43}$/;
const MAX_ACTIVE_TOKENS = 20;

export const feedPath = (token: string) => `/v1/calendar/${token}.ics`;

@Injectable()
export class CalendarTokensService {
  constructor(
    private readonly tokens: CalendarTokensRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
  ) {}

  /**
   * Mints a feed URL for the caller. As for API tokens, only a password session may: a leaked
   * API token must not be able to leave behind a feed that outlives its revocation.
   */
  async create(
    actor: Actor,
    dto: CreateCalendarTokenDto,
  ): Promise<CreatedCalendarTokenResponseDto> {
    if (actor.via !== 'jwt') {
      throw new ForbiddenError(
        'Calendar feeds can only be created after signing in with a password.',
      );
    }
    const token = CALENDAR_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    return this.tx.run(async (em) => {
      // Two creations at once must not both pass the count.
      await lockForTransaction(em, `calendar-tokens-${actor.userId}`);
      if ((await this.tokens.countActive(actor.userId, em)) >= MAX_ACTIVE_TOKENS) {
        throw new ConflictError(
          `You already have ${MAX_ACTIVE_TOKENS} calendar feeds; revoke one first.`,
        );
      }
      const created = await this.tokens.insert(
        { userId: actor.userId, name: dto.name ?? null, tokenHash: hashApiToken(token) },
        em,
      );
      await this.audit.record(
        {
          action: 'calendar_token.created',
          actorUserId: actor.userId,
          organizationId: actor.organizationId,
          targetType: 'calendar_token',
          targetId: created.id,
        },
        em,
      );
      return {
        id: created.id,
        token,
        url: feedPath(token),
        name: created.name,
        createdAt: created.createdAt.toISOString(),
      };
    });
  }

  async list(actor: Actor, query: ListQueryDto): Promise<Page<CalendarTokenResponseDto>> {
    const rows = await this.tokens.listActive(actor.userId, query);
    return toPage(rows, query.limit, toResponse, (t) => [t.createdAt.toISOString(), t.id]);
  }

  /** Revokes one of the caller's own feeds; anybody else's answers 404 like a missing one. */
  async revoke(actor: Actor, id: string): Promise<void> {
    await this.tx.run(async (em) => {
      if (!(await this.tokens.revoke(actor.userId, id, em))) {
        throw new NotFoundError('calendar feed');
      }
      await this.audit.record(
        {
          action: 'calendar_token.revoked',
          actorUserId: actor.userId,
          organizationId: actor.organizationId,
          targetType: 'calendar_token',
          targetId: id,
        },
        em,
      );
    });
  }
}

function toResponse(t: CalendarTokenEntity): CalendarTokenResponseDto {
  return {
    id: t.id,
    name: t.name,
    createdAt: t.createdAt.toISOString(),
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
  };
}

import { Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { CasesService } from '../cases/cases.service';
import { Actor } from '../common/auth/actor';
import { Clock } from '../common/clock';
import { ForbiddenError } from '../common/errors/domain-error';
import { TransactionRunner } from '../database/transaction';
import { OrganizationsService } from '../organizations/organizations.service';
import { RetentionResponseDto, UpdateRetentionDto } from './dto/retention.dto';
import { retentionCutoff } from './retention-cutoff';
import { RetentionPolicy, RetentionRepository } from './retention.repository';

/**
 * Retention per organisation: the rule an org_admin sets, and the daily sweep that applies every
 * rule (the cases feature does the redaction itself, in its own tables).
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger(RetentionService.name);

  constructor(
    private readonly policies: RetentionRepository,
    private readonly organizations: OrganizationsService,
    private readonly cases: CasesService,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** The organisation's rule: its org_admins and the community admins read it. */
  async get(actor: Actor, organizationId: string): Promise<RetentionResponseDto> {
    await this.organizations.require(organizationId);
    const own = actor.role === 'org_admin' && actor.organizationId === organizationId;
    if (actor.role !== 'admin' && !own) {
      throw new ForbiddenError("Only this organisation's admins can read its retention rule.");
    }
    return toRetentionResponse(organizationId, await this.policies.find(organizationId));
  }

  /** Sets the rule; only an org_admin of the organisation decides for it. */
  async set(
    actor: Actor,
    organizationId: string,
    dto: UpdateRetentionDto,
  ): Promise<RetentionResponseDto> {
    await this.organizations.require(organizationId);
    if (actor.role !== 'org_admin' || actor.organizationId !== organizationId) {
      throw new ForbiddenError("Only this organisation's org_admin can set its retention rule.");
    }
    return this.tx.run(async (em) => {
      const before = await this.policies.find(organizationId, em);
      await this.policies.upsert(
        {
          organizationId,
          closedCaseMonths: dto.closedCaseMonths,
          keepIndicatorHashes: dto.keepIndicatorHashes,
          updatedBy: actor.userId,
          updatedAt: this.clock.now(),
        },
        em,
      );
      await this.audit.record(
        {
          action: 'retention.updated',
          actorUserId: actor.userId,
          organizationId,
          targetType: 'organization',
          targetId: organizationId,
          details: {
            closedCaseMonths: dto.closedCaseMonths,
            keepIndicatorHashes: dto.keepIndicatorHashes,
            previous: before
              ? {
                  closedCaseMonths: before.closedCaseMonths,
                  keepIndicatorHashes: before.keepIndicatorHashes,
                }
              : null,
          },
        },
        em,
      );
      return toRetentionResponse(organizationId, await this.policies.find(organizationId, em));
    });
  }

  /** The daily job: every organisation's rule applied to its closed cases, as of now. */
  async sweep(): Promise<{ organizations: number; redacted: number }> {
    const now = this.clock.now();
    let redacted = 0;
    const active = await this.policies.active();
    for (const policy of active) {
      const done = await this.cases.removeExpiredContent(
        policy.organizationId,
        retentionCutoff(now, policy.closedCaseMonths!),
        policy.keepIndicatorHashes,
      );
      redacted += done.redacted;
    }
    this.logger.log({ organizations: active.length, redacted }, 'retention applied');
    return { organizations: active.length, redacted };
  }
}

function toRetentionResponse(
  organizationId: string,
  policy: RetentionPolicy | null,
): RetentionResponseDto {
  return {
    organizationId,
    closedCaseMonths: policy?.closedCaseMonths ?? null,
    keepIndicatorHashes: policy?.keepIndicatorHashes ?? false,
    updatedAt: policy?.updatedAt.toISOString() ?? null,
  };
}

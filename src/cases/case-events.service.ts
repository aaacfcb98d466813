import { Injectable } from '@nestjs/common';
import { Actor } from '../common/auth/actor';
import { Clock } from '../common/clock';
import { DomainEvents } from '../common/events/domain-events';
import { FieldError, ValidationFailedError } from '../common/errors/domain-error';
import { ListQueryDto } from '../common/pagination/list-query.dto';
import { Page, toPage } from '../common/pagination/cursor';
import { TransactionRunner } from '../database/transaction';
import { PlatformsService } from '../platforms/platforms.service';
import { deadlineAfterStep } from './case-clock';
import { CaseEventEntity } from './case-event.entity';
import { applyStep, CaseState, stateOf } from './case-status.machine';
import { CasesRepository } from './cases.repository';
import { notInFuture } from './case-rules';
import { CasesService } from './cases.service';
import { CaseEventResponseDto, CreateCaseEventDto } from './dto/case-event.dto';

/** The timeline: append-only steps that move the status and the response times. */
@Injectable()
export class CaseEventsService {
  constructor(
    private readonly cases: CasesRepository,
    private readonly casesService: CasesService,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly events: DomainEvents,
    private readonly platforms: PlatformsService,
  ) {}

  /** Appends a step; an illegal one is a 409 and writes nothing. */
  async add(actor: Actor, caseId: string, dto: CreateCaseEventDto): Promise<CaseEventResponseDto> {
    const now = this.clock.now();
    const occurredAt = dto.occurredAt ? new Date(dto.occurredAt) : now;
    const errors: FieldError[] = [
      ...notInFuture('occurredAt', dto.occurredAt, now),
      ...notInFuture('statementOfReasons.receivedAt', dto.statementOfReasons?.receivedAt, now),
    ];
    for (const field of ['quality', 'statementOfReasons'] as const) {
      if (dto[field] && dto.type !== 'platform_responded') {
        errors.push({ field, message: `${field} is only given with platform_responded` });
      }
    }
    if (dto.channelCode && dto.type !== 'follow_up_sent') {
      errors.push({
        field: 'channelCode',
        message: 'channelCode is only given with follow_up_sent',
      });
    }
    if (errors.length > 0) throw new ValidationFailedError(errors);

    const event = await this.tx.run(async (em) => {
      const current = await this.casesService.requireChangeable(actor, caseId, em);
      if (dto.channelCode) {
        await this.platforms.resolveChannelForInput(
          current.platformId,
          dto.channelCode,
          'channelCode',
          em,
        );
      }
      const next: CaseState = applyStep(stateOf(current), {
        type: dto.type,
        occurredAt,
        outcome: dto.outcome,
        expectedResponseHours: current.expectedResponseHours,
        urgency: current.urgency,
      });
      const deadline = deadlineAfterStep(current, next);
      // Every step moves the version on, even a note: the case's timeline changed.
      await this.cases.update(
        caseId,
        {
          ...next,
          ...(dto.platformReference && { platformReference: dto.platformReference }),
          // Follow-up reminders belong to one running deadline; this step ended it.
          ...(!deadline.keepReminders && { nextReminderAt: null }),
        },
        current.version,
        now,
        em,
      );
      const values = {
        caseId,
        type: dto.type,
        occurredAt,
        actorUserId: actor.userId,
        statusAfter: next.status,
        note: dto.note ?? null,
        outcome: dto.outcome ?? (dto.type === 'closed' ? next.outcome : null),
        platformReference: dto.platformReference ?? null,
        quality: dto.quality ?? null,
        statementOfReasons: dto.statementOfReasons ?? null,
        details: {
          ...(next.pausedSeconds !== current.pausedSeconds && {
            stoppedSeconds: next.pausedSeconds - current.pausedSeconds,
          }),
          ...(dto.channelCode && { channelCode: dto.channelCode }),
        },
      };
      const id = await this.cases.insertEvent(values, now, em);
      await this.casesService.record(actor, 'case.event_added', caseId, em, { type: dto.type });
      if (deadline.schedule) {
        // A job for the deadline this step started or moved (the old one's job goes), queued
        // after the commit: a worker must find the new deadline in PostgreSQL.
        await this.events.emit(em, 'case.deadline-changed', {
          deadlines: [{ caseId, dueAt: next.dueAt!, replaces: current.dueAt }],
        });
      }
      return { ...values, id, recordedAt: now };
    });
    return toEventResponse(event);
  }

  async list(
    actor: Actor,
    caseId: string,
    query: ListQueryDto,
  ): Promise<Page<CaseEventResponseDto>> {
    await this.casesService.requireVisible(actor, caseId);
    const rows = await this.cases.events(caseId, query);
    await this.casesService.record(actor, 'case.read', caseId, undefined, { part: 'events' });
    // The same order as the query (CasesRepository.events): time, then the order of recording.
    return toPage(rows, query.limit, toEventResponse, (e) => [
      e.occurredAt.toISOString(),
      Number(e.seq),
    ]);
  }
}

function toEventResponse(
  e: Pick<
    CaseEventEntity,
    | 'id'
    | 'type'
    | 'occurredAt'
    | 'recordedAt'
    | 'actorUserId'
    | 'statusAfter'
    | 'note'
    | 'outcome'
    | 'platformReference'
    | 'quality'
    | 'statementOfReasons'
    | 'details'
  >,
): CaseEventResponseDto {
  return {
    id: e.id,
    type: e.type,
    occurredAt: e.occurredAt.toISOString(),
    recordedAt: e.recordedAt.toISOString(),
    actorUserId: e.actorUserId,
    statusAfter: e.statusAfter,
    note: e.note,
    outcome: e.outcome,
    platformReference: e.platformReference,
    quality: e.quality,
    statementOfReasons: e.statementOfReasons,
    details: e.details,
  };
}

import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/auth/actor';
import { Clock } from '../common/clock';
import { ConflictError, NotFoundError, ValidationFailedError } from '../common/errors/domain-error';
import { Page, toPage } from '../common/pagination/cursor';
import { TransactionRunner } from '../database/transaction';
import {
  AnswerMeetingDto,
  CreateMeetingDto,
  MeetingQueryDto,
  MeetingResponseDto,
  UpdateMeetingDto,
} from './dto/meeting.dto';
import { MeetingEntity } from './meeting.entity';
import { MeetingReader, MeetingRow, MeetingsRepository } from './meetings.repository';
import { WorkingGroupsRepository } from './working-groups.repository';

const DAY_MS = 86_400_000;
/** A meeting lasts at most this long. */
const MAX_MEETING_MS = DAY_MS;
/** Past meetings a calendar feed still carries (so a late cancellation reaches it). */
const FEED_PAST_MS = 30 * DAY_MS;
export const MAX_FEED_MEETINGS = 500;

/** Fields whose change a calendar must follow (a new SEQUENCE). */
const CALENDAR_FIELDS = [
  'title',
  'startsAt',
  'endsAt',
  'languages',
  'interpretation',
  'link',
  'agenda',
  'workingGroupId',
] as const;

/**
 * Community meetings: the admin (the coordination) schedules, moves and cancels them; everyone
 * invited (the whole community, or the members of the meeting's working group) reads them and
 * answers yes, no or maybe. Anyone else gets 404, as for anything they may not see.
 */
@Injectable()
export class MeetingsService {
  constructor(
    private readonly meetings: MeetingsRepository,
    private readonly groups: WorkingGroupsRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async list(actor: Actor, query: MeetingQueryDto): Promise<Page<MeetingResponseDto>> {
    const from = query.from ? new Date(query.from) : new Date(this.clock.now().getTime() - DAY_MS);
    const rows = await this.meetings.list(readerOf(actor), { ...query, from });
    return toPage(rows, query.limit, toMeetingResponse, (r) => [
      r.meeting.startsAt.toISOString(),
      r.meeting.id,
    ]);
  }

  async get(actor: Actor, id: string): Promise<MeetingResponseDto> {
    return toMeetingResponse(await this.require(actor, id));
  }

  /** The meetings of a user's calendar feed: invitations only, from 30 days ago, soonest first. */
  async forFeed(userId: string): Promise<MeetingRow[]> {
    const from = new Date(this.clock.now().getTime() - FEED_PAST_MS);
    return this.meetings.list({ userId, seesAll: false }, { from, limit: MAX_FEED_MEETINGS - 1 });
  }

  async create(actor: Actor, dto: CreateMeetingDto): Promise<MeetingResponseDto> {
    const startsAt = new Date(dto.startsAt);
    const endsAt = new Date(dto.endsAt);
    checkPeriod(startsAt, endsAt);
    const id = await this.tx.run(async (em) => {
      if (dto.workingGroupId) await this.requireGroup(dto.workingGroupId, actor);
      const created = await this.meetings.insert(
        {
          title: dto.title,
          startsAt,
          endsAt,
          languages: dto.languages ?? [],
          interpretation: dto.interpretation ?? [],
          link: dto.link ?? null,
          agenda: dto.agenda ?? null,
          workingGroupId: dto.workingGroupId ?? null,
          createdBy: actor.userId,
        },
        em,
      );
      await this.record(actor, 'meeting.created', created.id, em);
      return created.id;
    });
    return this.get(actor, id);
  }

  /** Changes a meeting; a change calendars must follow raises its sequence by one. */
  async update(actor: Actor, id: string, dto: UpdateMeetingDto): Promise<MeetingResponseDto> {
    await this.tx.run(async (em) => {
      const meeting = await this.meetings.lock(id, em);
      if (!meeting) throw new NotFoundError('meeting');
      if (meeting.cancelledAt) throw new ConflictError('The meeting is cancelled.');
      const next: Partial<MeetingEntity> = {
        ...(dto.title !== undefined ? { title: dto.title } : {}),
        ...(dto.startsAt !== undefined ? { startsAt: new Date(dto.startsAt) } : {}),
        ...(dto.endsAt !== undefined ? { endsAt: new Date(dto.endsAt) } : {}),
        ...(dto.languages !== undefined ? { languages: dto.languages } : {}),
        ...(dto.interpretation !== undefined ? { interpretation: dto.interpretation } : {}),
        ...(dto.link !== undefined ? { link: dto.link } : {}),
        ...(dto.agenda !== undefined ? { agenda: dto.agenda } : {}),
        ...(dto.workingGroupId !== undefined ? { workingGroupId: dto.workingGroupId } : {}),
      };
      checkPeriod(next.startsAt ?? meeting.startsAt, next.endsAt ?? meeting.endsAt);
      if (next.workingGroupId) await this.requireGroup(next.workingGroupId, actor);
      const changed = CALENDAR_FIELDS.filter((f) => f in next && !same(next[f], meeting[f]));
      if (changed.length === 0) return;
      await this.meetings.update(id, { ...next, sequence: meeting.sequence + 1 }, em);
      await this.record(actor, 'meeting.updated', id, em, { fields: changed });
    });
    return this.get(actor, id);
  }

  /** Cancels a meeting: it stays, marked, so calendars show STATUS:CANCELLED. */
  async cancel(actor: Actor, id: string): Promise<MeetingResponseDto> {
    await this.tx.run(async (em) => {
      const meeting = await this.meetings.lock(id, em);
      if (!meeting) throw new NotFoundError('meeting');
      if (meeting.cancelledAt) throw new ConflictError('The meeting is already cancelled.');
      await this.meetings.update(
        id,
        { cancelledAt: this.clock.now(), sequence: meeting.sequence + 1 },
        em,
      );
      await this.record(actor, 'meeting.cancelled', id, em);
    });
    return this.get(actor, id);
  }

  /** The caller's answer to a meeting they are invited to (not to a cancelled one: 409). */
  async answer(actor: Actor, id: string, dto: AnswerMeetingDto): Promise<MeetingResponseDto> {
    await this.tx.run(async (em) => {
      const row = await this.meetings.find(id, { userId: actor.userId, seesAll: false }, em);
      if (!row) throw new NotFoundError('meeting');
      if (row.meeting.cancelledAt) throw new ConflictError('The meeting is cancelled.');
      await this.meetings.answer(id, actor.userId, dto.answer, em);
      await this.record(actor, 'meeting.answered', id, em, { answer: dto.answer });
    });
    return this.get(actor, id);
  }

  private async require(actor: Actor, id: string): Promise<MeetingRow> {
    const row = await this.meetings.find(id, readerOf(actor));
    if (!row) throw new NotFoundError('meeting');
    return row;
  }

  private async requireGroup(id: string, actor: Actor): Promise<void> {
    if (!(await this.groups.find(id, actor.userId))) {
      throw new ValidationFailedError([
        { field: 'workingGroupId', message: 'workingGroupId is no working group' },
      ]);
    }
  }

  private record(
    actor: Actor,
    action: 'meeting.created' | 'meeting.updated' | 'meeting.cancelled' | 'meeting.answered',
    id: string,
    em: Parameters<AuditService['record']>[1],
    details?: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record(
      {
        action,
        actorUserId: actor.userId,
        organizationId: actor.organizationId,
        targetType: 'meeting',
        targetId: id,
        ...(details ? { details } : {}),
      },
      em,
    );
  }
}

const readerOf = (actor: Actor): MeetingReader => ({
  userId: actor.userId,
  seesAll: actor.role === 'admin',
});

function checkPeriod(startsAt: Date, endsAt: Date): void {
  const length = endsAt.getTime() - startsAt.getTime();
  if (length <= 0) {
    throw new ValidationFailedError([
      { field: 'endsAt', message: 'endsAt must be after startsAt' },
    ]);
  }
  if (length > MAX_MEETING_MS) {
    throw new ValidationFailedError([
      { field: 'endsAt', message: 'endsAt must be at most 24 hours after startsAt' },
    ]);
  }
}

function same(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (Array.isArray(a) && Array.isArray(b)) return a.join('\u0000') === b.join('\u0000');
  return a === b;
}

export function toMeetingResponse(r: MeetingRow): MeetingResponseDto {
  const m = r.meeting;
  return {
    id: m.id,
    title: m.title,
    startsAt: m.startsAt.toISOString(),
    endsAt: m.endsAt.toISOString(),
    languages: m.languages,
    interpretation: m.interpretation,
    link: m.link,
    agenda: m.agenda,
    workingGroupId: m.workingGroupId,
    workingGroupName: r.workingGroupName,
    sequence: m.sequence,
    cancelledAt: m.cancelledAt?.toISOString() ?? null,
    myAnswer: r.myAnswer,
    invited: r.invited,
    answers: r.answers,
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
  };
}

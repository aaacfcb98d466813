import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { decodeCursor } from '../common/pagination/cursor';
import { insertReturning } from '../database/insert';
import { TransactionRunner } from '../database/transaction';
import { MeetingEntity, RsvpAnswer } from './meeting.entity';

/** Who reads: invited means the whole community's meetings and those of the reader's groups. */
export interface MeetingReader {
  userId: string;
  /** Admins see every meeting (they organise them); feeds pass false: invitations only. */
  seesAll: boolean;
}

export interface MeetingRow {
  meeting: MeetingEntity;
  workingGroupName: string | null;
  myAnswer: RsvpAnswer | null;
  /** Whether the reader is invited (an admin also reads the meetings of groups they are not in). */
  invited: boolean;
  answers: { yes: number; no: number; maybe: number };
}

/** The one visibility rule of meetings, in SQL ($1 the reader's id, $2 whether they see all). */
const INVITED = `($2::boolean OR m.working_group_id IS NULL OR EXISTS (
  SELECT 1 FROM working_group_members wm
   WHERE wm.working_group_id = m.working_group_id AND wm.user_id = $1::uuid))`;

const SELECT = `SELECT m.id, m.title, m.starts_at, m.ends_at, m.languages, m.interpretation,
       m.link, m.agenda, m.working_group_id, m.created_by, m.sequence, m.cancelled_at,
       m.created_at, m.updated_at, g.name AS group_name, mine.answer AS my_answer,
       (m.working_group_id IS NULL OR EXISTS (SELECT 1 FROM working_group_members iw
          WHERE iw.working_group_id = m.working_group_id AND iw.user_id = $1::uuid)) AS invited,
       (SELECT count(*) FILTER (WHERE r.answer = 'yes') FROM meeting_rsvps r WHERE r.meeting_id = m.id)::int AS yes,
       (SELECT count(*) FILTER (WHERE r.answer = 'no') FROM meeting_rsvps r WHERE r.meeting_id = m.id)::int AS no,
       (SELECT count(*) FILTER (WHERE r.answer = 'maybe') FROM meeting_rsvps r WHERE r.meeting_id = m.id)::int AS maybe
  FROM meetings m
  LEFT JOIN working_groups g ON g.id = m.working_group_id
  LEFT JOIN meeting_rsvps mine ON mine.meeting_id = m.id AND mine.user_id = $1::uuid`;

interface Raw {
  id: string;
  title: string;
  starts_at: Date;
  ends_at: Date;
  languages: string[];
  interpretation: string[];
  link: string | null;
  agenda: string | null;
  working_group_id: string | null;
  created_by: string | null;
  sequence: number;
  cancelled_at: Date | null;
  created_at: Date;
  updated_at: Date;
  group_name: string | null;
  my_answer: RsvpAnswer | null;
  invited: boolean;
  yes: number;
  no: number;
  maybe: number;
}

function toRow(r: Raw): MeetingRow {
  const meeting = Object.assign(new MeetingEntity(), {
    id: r.id,
    title: r.title,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    languages: r.languages,
    interpretation: r.interpretation,
    link: r.link,
    agenda: r.agenda,
    workingGroupId: r.working_group_id,
    createdBy: r.created_by,
    sequence: r.sequence,
    cancelledAt: r.cancelled_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  });
  return {
    meeting,
    workingGroupName: r.group_name,
    myAnswer: r.my_answer,
    invited: r.invited,
    answers: { yes: r.yes, no: r.no, maybe: r.maybe },
  };
}

@Injectable()
export class MeetingsRepository {
  constructor(private readonly tx: TransactionRunner) {}

  insert(values: Partial<MeetingEntity>, em: EntityManager): Promise<MeetingEntity> {
    return insertReturning(em, MeetingEntity, values);
  }

  /** The meeting as the reader may see it, or null (not there, or not invited). */
  async find(
    id: string,
    reader: MeetingReader,
    em: EntityManager = this.tx.manager,
  ): Promise<MeetingRow | null> {
    const rows: Raw[] = await em.query(`${SELECT} WHERE m.id = $3 AND ${INVITED}`, [
      reader.userId,
      reader.seesAll,
      id,
    ]);
    return rows[0] ? toRow(rows[0]) : null;
  }

  /** Meetings ending at or after `from`, soonest first, keyset-paginated (one extra row). */
  async list(
    reader: MeetingReader,
    page: { from: Date; cursor?: string; limit: number },
  ): Promise<MeetingRow[]> {
    const after = page.cursor ? decodeCursor(page.cursor, ['timestamp', 'uuid']) : null;
    const rows: Raw[] = await this.tx.manager.query(
      `${SELECT} WHERE ${INVITED} AND m.ends_at >= $3
         AND ($4::timestamptz IS NULL OR (m.starts_at, m.id) > ($4::timestamptz, $5::uuid))
       ORDER BY m.starts_at, m.id LIMIT $6`,
      [
        reader.userId,
        reader.seesAll,
        page.from,
        after?.[0] ?? null,
        after?.[1] ?? null,
        page.limit + 1,
      ],
    );
    return rows.map(toRow);
  }

  /** Locks the row for a change; null when there is none. */
  lock(id: string, em: EntityManager): Promise<MeetingEntity | null> {
    return em.findOne(MeetingEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async update(id: string, values: Partial<MeetingEntity>, em: EntityManager): Promise<void> {
    await em.update(MeetingEntity, { id }, values);
  }

  async answer(meetingId: string, userId: string, answer: RsvpAnswer, em: EntityManager) {
    await em.query(
      `INSERT INTO meeting_rsvps (meeting_id, user_id, answer) VALUES ($1, $2, $3)
       ON CONFLICT (meeting_id, user_id) DO UPDATE SET answer = EXCLUDED.answer, answered_at = now()`,
      [meetingId, userId, answer],
    );
  }
}

import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import {
  CASE_EVENT_TYPES,
  CASE_OUTCOMES,
  CASE_STATUSES,
  CaseEventType,
  CaseOutcome,
  CaseStatus,
} from './case-status.machine';
import { CaseEntity } from './case.entity';

export const ANSWERS = ['yes', 'no', 'unknown'] as const;
export type Answer = (typeof ANSWERS)[number];

/** How the platform handled the case, seen through a gender and context lens. */
export interface ResponseQuality {
  reasonGiven: Answer;
  contextUnderstood: Answer;
  harmRecognisedAsGendered: Answer;
  retraumatisingProofRequested: Answer;
  contentRestoredAfterWrongRemoval?: Answer;
}

/** The EU DSA statement of reasons the survivor received, as far as it is known. */
export interface StatementOfReasons {
  received: boolean;
  receivedAt?: string;
  decisionGround?: string;
  platformCategory?: string;
  puid?: string;
}

/**
 * The case's timeline. Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE. Read in
 * (occurredAt, seq) order: events of the same instant keep the order they were recorded in.
 */
@Entity('case_events')
@Index('idx_case_events_case_id', ['caseId', 'occurredAt', 'seq'])
export class CaseEventEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_case_events' })
  id: string;

  /** The order of recording (bigint, read as a string): the timeline's tie-breaker. */
  @Column({ type: 'bigint', generated: 'identity', generatedIdentity: 'ALWAYS' })
  seq: string;

  @Column({ type: 'uuid' })
  caseId: string;

  @ManyToOne(() => CaseEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'case_id', foreignKeyConstraintName: 'fk_case_events_case' })
  case?: CaseEntity;

  @Column({ type: 'enum', enum: CASE_EVENT_TYPES, enumName: 'case_event_type' })
  type: CaseEventType;

  /** When it happened (may be in the past: events are often logged after the fact). */
  @Column({ type: 'timestamptz', precision: 3 })
  occurredAt: Date;

  /** When it was written down. */
  @Column({ type: 'timestamptz', precision: 3, default: () => 'now()' })
  recordedAt: Date;

  /** Null for events the service writes itself. */
  @Column({ type: 'uuid', nullable: true })
  actorUserId: string | null;

  /** The case's status once this event applied. */
  @Column({ type: 'enum', enum: CASE_STATUSES, enumName: 'case_status' })
  statusAfter: CaseStatus;

  @Column({ type: 'varchar', length: 4000, nullable: true })
  note: string | null;

  @Column({ type: 'enum', enum: CASE_OUTCOMES, enumName: 'case_outcome', nullable: true })
  outcome: CaseOutcome | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  platformReference: string | null;

  @Column({ type: 'jsonb', nullable: true })
  quality: ResponseQuality | null;

  @Column({ type: 'jsonb', nullable: true })
  statementOfReasons: StatementOfReasons | null;

  /** Ids only (the departed contact and its successor, the stopped seconds...). */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  details: Record<string, unknown>;
}

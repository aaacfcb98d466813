import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { UserEntity } from '../users/user.entity';
import { WorkingGroupEntity } from './working-group.entity';

export const RSVP_ANSWERS = ['yes', 'no', 'maybe'] as const;
export type RsvpAnswer = (typeof RSVP_ANSWERS)[number];

/**
 * A community meeting: for the whole community (no group) or for one working group. `sequence`
 * grows with every change a calendar must follow (RFC 5545 SEQUENCE); a cancelled meeting stays,
 * so feeds can say STATUS:CANCELLED.
 */
@Entity('meetings')
@Check('ck_meetings_period', `"ends_at" > "starts_at"`)
@Index('idx_meetings_working_group_id', ['workingGroupId'])
@Index('idx_meetings_created_by', ['createdBy'])
@Index('idx_meetings_starts_at', ['startsAt'])
export class MeetingEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_meetings' })
  id: string;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ type: 'timestamptz' })
  startsAt: Date;

  @Column({ type: 'timestamptz' })
  endsAt: Date;

  /** BCP 47 tags of the languages spoken. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  languages: string[];

  /** BCP 47 tags of the languages interpretation is offered into. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  interpretation: string[];

  @Column({ type: 'varchar', length: 500, nullable: true })
  link: string | null;

  @Column({ type: 'varchar', length: 8000, nullable: true })
  agenda: string | null;

  /** Null: the whole community is invited. */
  @Column({ type: 'uuid', nullable: true })
  workingGroupId: string | null;

  @ManyToOne(() => WorkingGroupEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'working_group_id', foreignKeyConstraintName: 'fk_meetings_working_group' })
  workingGroup?: WorkingGroupEntity;

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'fk_meetings_created_by' })
  creator?: UserEntity;

  @Column({ type: 'integer', default: 0 })
  sequence: number;

  @Column({ type: 'timestamptz', nullable: true })
  cancelledAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

/** One invitee's answer to a meeting. */
@Entity('meeting_rsvps')
@Check('ck_meeting_rsvps_answer', `"answer" IN ('yes', 'no', 'maybe')`)
@Index('idx_meeting_rsvps_user_id', ['userId'])
export class MeetingRsvpEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_meeting_rsvps' })
  meetingId: string;

  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_meeting_rsvps' })
  userId: string;

  @ManyToOne(() => MeetingEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'meeting_id', foreignKeyConstraintName: 'fk_meeting_rsvps_meeting' })
  meeting?: MeetingEntity;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_meeting_rsvps_user' })
  user?: UserEntity;

  @Column({ type: 'varchar', length: 5 })
  answer: RsvpAnswer;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  answeredAt: Date;
}

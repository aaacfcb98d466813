import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { Tlp, TLP_LEVELS } from '../common/sharing/tlp';
import { ContactEntity } from '../contacts/contact.entity';
import { OrganizationEntity } from '../organizations/organization.entity';
import { ChannelEntity } from '../platforms/channel.entity';
import { PlatformEntity } from '../platforms/platform.entity';
import { UserEntity } from '../users/user.entity';
import {
  CASE_OUTCOMES,
  CASE_STATUSES,
  CASE_URGENCIES,
  CaseOutcome,
  CaseStatus,
  CaseUrgency,
} from './case-status.machine';

/**
 * An escalation of harm to a platform. Survivor data: every read goes through the TLP fragment
 * of `CasesRepository`. Status, outcome and the response times derive from the timeline
 * (`case_events`) and are stored here so lists and reports need no replay.
 */
@Entity('cases')
@Unique('uq_cases_reference', ['reference'])
// Lists page newest first; the platform+status index serves the commonest filter.
@Index('idx_cases_created', ['createdAt', 'id'])
// Deadlines still to fire: the platform owes an answer, the clock runs, not yet marked overdue.
// Marked cases leave it, so the sweep reads only what is pending, however many cases there are.
@Index('idx_cases_pending_deadline', ['dueAt'], {
  where: `status IN ('escalated', 'acknowledged') AND paused_at IS NULL AND due_at IS NOT NULL AND overdue_for IS DISTINCT FROM due_at`,
})
@Index('idx_cases_next_reminder', ['nextReminderAt'], { where: 'next_reminder_at IS NOT NULL' })
@Index('idx_cases_platform_status', ['platformId', 'status', 'createdAt', 'id'])
@Index('idx_cases_organization_id', ['organizationId', 'createdAt'])
// Also the rollups' recount of one channel and month.
@Index('idx_cases_channel_id', ['channelId', 'escalatedAt'])
@Index('idx_cases_contact_id', ['contactId'])
@Index('idx_cases_created_by', ['createdBy'])
// The retention job's question: closed cases of an organisation whose content is still there.
@Index('idx_cases_retention', ['organizationId', 'closedAt'], {
  where: `status = 'closed' AND content_removed_at IS NULL`,
})
@Index('idx_cases_owner_open', ['organizationId', 'ownerId'], {
  where: `status IN ('draft', 'escalated', 'acknowledged')`,
})
// Full-text search over reference, title and summary: an expression index made by migration.
@Index('idx_cases_search', { synchronize: false })
@Check('ck_cases_paused_seconds', `"paused_seconds" >= 0`)
@Check('ck_cases_pattern_key', `"pattern_key" BETWEEN 0 AND 4095`)
export class CaseEntity {
  /** Chosen by the service, so one statement can write the case and its parts. */
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'pk_cases' })
  id: string;

  /** `ESC-<year>-<6 digits>`, for people; unique, gaps allowed. */
  @Column({ type: 'varchar', length: 20 })
  reference: string;

  @Column({ type: 'uuid' })
  organizationId: string;

  @ManyToOne(() => OrganizationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'fk_cases_organization' })
  organization?: OrganizationEntity;

  @Column({ type: 'uuid' })
  createdBy: string;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'fk_cases_created_by' })
  creator?: UserEntity;

  @Column({ type: 'uuid' })
  platformId: string;

  @ManyToOne(() => PlatformEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'platform_id', foreignKeyConstraintName: 'fk_cases_platform' })
  platform?: PlatformEntity;

  @Column({ type: 'uuid' })
  channelId: string;

  @ManyToOne(() => ChannelEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'channel_id', foreignKeyConstraintName: 'fk_cases_channel' })
  channel?: ChannelEntity;

  @Column({ type: 'uuid', nullable: true })
  contactId: string | null;

  @ManyToOne(() => ContactEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'contact_id', foreignKeyConstraintName: 'fk_cases_contact' })
  contact?: ContactEntity;

  /** Who in the owning organisation follows the case up (null: unassigned). */
  @Column({ type: 'uuid', nullable: true })
  ownerId: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'owner_id', foreignKeyConstraintName: 'fk_cases_owner' })
  owner?: UserEntity;

  @Column({ type: 'varchar', length: 300 })
  title: string;

  @Column({ type: 'varchar', length: 20000 })
  summary: string;

  @Column({ type: 'varchar', length: 60 })
  categoryCode: string;

  @Column({ type: 'varchar', length: 60, nullable: true })
  subcategoryCode: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  targetGroups: string[];

  @Column({ type: 'varchar', length: 2 })
  country: string;

  @Column({ type: 'varchar', length: 35, nullable: true })
  contentLanguage: string | null;

  @Column({ type: 'enum', enum: CASE_URGENCIES, enumName: 'case_urgency', default: 'normal' })
  urgency: CaseUrgency;

  @Column({ type: 'enum', enum: TLP_LEVELS, enumName: 'tlp', default: 'AMBER+STRICT' })
  tlp: Tlp;

  /** Organisations named on the case (TLP AMBER). */
  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  sharedOrganizationIds: string[];

  /** Users named on the case (TLP RED). */
  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  sharedUserIds: string[];

  /** The owner agrees to the anonymised pattern record entering the shared repository. */
  @Column({ type: 'boolean', default: false })
  consentToSharePattern: boolean;

  /** The platform's own ticket number. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  platformReference: string | null;

  @Column({ type: 'enum', enum: CASE_STATUSES, enumName: 'case_status', default: 'draft' })
  status: CaseStatus;

  @Column({ type: 'enum', enum: CASE_OUTCOMES, enumName: 'case_outcome', nullable: true })
  outcome: CaseOutcome | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  escalatedAt: Date | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  dueAt: Date | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  firstResponseAt: Date | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  resolvedAt: Date | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  closedAt: Date | null;

  /** While set, the platform waits for information from us and the deadline clock is stopped. */
  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  pausedAt: Date | null;

  @Column({ type: 'integer', default: 0 })
  pausedSeconds: number;

  /** The dueAt an `overdue` event was written for: each deadline is marked overdue once. */
  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  overdueFor: Date | null;
  /** When the next follow-up reminder is due (overdue cases still waiting for the platform). */
  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  nextReminderAt: Date | null;
  @Column({ type: 'integer', default: 0 })
  remindersSent: number;
  /** Derived by PostgreSQL, so no write path can forget them; reports and rollups read them. */
  @Column({
    type: 'integer',
    nullable: true,
    generatedType: 'STORED',
    asExpression: 'round(extract(epoch FROM first_response_at - escalated_at))::integer',
    insert: false,
    update: false,
  })
  timeToFirstResponseSeconds: number | null;
  @Column({
    type: 'integer',
    nullable: true,
    generatedType: 'STORED',
    asExpression: 'round(extract(epoch FROM resolved_at - escalated_at))::integer',
    insert: false,
    update: false,
  })
  timeToResolutionSeconds: number | null;
  /**
   * The secret record key of the case's pattern record (the cell key method, DISCLOSURE.md):
   * drawn once by PostgreSQL when the case is written, never changed, never answered by any
   * route or export. A cell's noise is read from the sum of its records' keys.
   */
  @Column({
    type: 'smallint',
    default: () => 'pattern_record_key()',
    insert: false,
    update: false,
    select: false,
  })
  patternKey: number;
  /**
   * When the organisation's retention rule removed the case's content (title, summary, items,
   * indicator values, notes of events); the skeleton stays and keeps counting.
   */
  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  contentRemovedAt: Date | null;
  /** The contact the case went through has left the platform; someone should pick a new one. */
  @Column({ type: 'boolean', default: false })
  needsContact: boolean;

  /** Optimistic locking: every change adds one; PATCH must send it back in If-Match. */
  @Column({ type: 'integer', default: 1 })
  version: number;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}

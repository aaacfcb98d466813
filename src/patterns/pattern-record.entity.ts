import { Column, Entity, Index, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { CaseEntity } from '../cases/case.entity';

/**
 * The anonymised projection of a case whose owner consented to share its pattern: the shared
 * aggression repository. Built by the worker from the cases a write noted (`PatternProjection`,
 * `sync_pattern_records`): written when the case is escalated with consent, rewritten when it
 * changes; removed in the writer's transaction when consent is withdrawn or the case moves to
 * TLP:RED (`case.unshared`), and with the case. Month only, codes only: no title,
 * summary, URL, contact, user or exact date. Text dimensions use '' for "none", so rollup keys
 * need no NULLs.
 *
 * `caseId` and `organizationId` are internal (keeping the record in step, counting distinct
 * organisations); no answer ever shows them.
 */
@Entity('pattern_records')
@Index('idx_pattern_records_month', ['month'])
export class PatternRecordEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'pk_pattern_records' })
  caseId: string;

  @OneToOne(() => CaseEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'case_id', foreignKeyConstraintName: 'fk_pattern_records_case' })
  case?: CaseEntity;

  @Column({ type: 'uuid' })
  organizationId: string;

  /** The case's secret record key (0-4095): internal, like the organisation. */
  @Column({ type: 'smallint' })
  recordKey: number;

  /** First day of the month (UTC) the case was escalated in. */
  @Column({ type: 'date' })
  month: string;

  @Column({ type: 'varchar', length: 60 })
  platform: string;

  @Column({ type: 'varchar', length: 60 })
  channel: string;

  @Column({ type: 'varchar', length: 40 })
  channelKind: string;

  @Column({ type: 'varchar', length: 60 })
  category: string;

  @Column({ type: 'varchar', length: 60 })
  subcategory: string;

  /** EU DSA statement-of-reasons category (the gendered one when women or girls were targeted). */
  @Column({ type: 'varchar', length: 80 })
  dsaCategory: string;

  @Column({ type: 'varchar', length: 2 })
  country: string;

  @Column({ type: 'text', array: true })
  targetGroups: string[];

  @Column({ type: 'varchar', length: 20 })
  urgency: string;

  @Column({ type: 'varchar', length: 40 })
  outcome: string;

  /** The platform answered in some way (acknowledged, asked for information or decided). */
  @Column({ type: 'boolean' })
  acknowledged: boolean;

  /** The platform decided (platform_responded). */
  @Column({ type: 'boolean' })
  resolved: boolean;

  @Column({ type: 'boolean' })
  overdue: boolean;

  @Column({ type: 'integer', nullable: true })
  firstResponseSeconds: number | null;

  @Column({ type: 'integer', nullable: true })
  resolutionSeconds: number | null;

  /** Time the clock stood still while the platform waited for information from the helpline. */
  @Column({ type: 'integer' })
  pausedSeconds: number;

  /** Response-quality answers of the latest decision: 'yes', 'no', 'unknown' or ''. */
  @Column({ type: 'varchar', length: 10 })
  reasonGiven: string;

  @Column({ type: 'varchar', length: 10 })
  contextUnderstood: string;

  @Column({ type: 'varchar', length: 10 })
  harmRecognisedAsGendered: string;

  @Column({ type: 'varchar', length: 10 })
  retraumatisingProofRequested: string;

  /** Keyed hashes (INDICATOR_HASH_KEY) of the case's indicators, never the values. */
  @Column({ type: 'char', length: 64, array: true })
  indicatorHashes: string[];
}

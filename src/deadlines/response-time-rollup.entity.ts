import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Response times per platform, channel and month of escalation (UTC), recomputed from the
 * cases whenever one of them changes (see ResponseTimesRepository.refresh). Reports read these
 * rows instead of scanning cases. Percentiles are exact per row; sums and counts add up across
 * rows for longer periods.
 */
@Entity('response_time_rollups')
export class ResponseTimeRollupEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'pk_response_time_rollups' })
  platformId: string;

  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'pk_response_time_rollups' })
  channelId: string;

  /** First day of the month the cases were escalated in. */
  @PrimaryColumn('date', { primaryKeyConstraintName: 'pk_response_time_rollups' })
  month: string;

  /** Escalated cases. */
  @Column({ type: 'integer' })
  cases: number;

  /** Cases with a first platform answer of any kind (acknowledged, asked for information, decided). */
  @Column({ type: 'integer' })
  responded: number;

  /** Cases with a decision (platform_responded), whatever happened afterwards. */
  @Column({ type: 'integer' })
  resolved: number;

  /** Decisions that acted on the content or account. */
  @Column({ type: 'integer' })
  actioned: number;

  /** Closed with no answer from the platform. */
  @Column({ type: 'integer' })
  noResponse: number;

  /** Cases that went past their deadline at least once. */
  @Column({ type: 'integer' })
  overdue: number;

  /** Time the clock stood still waiting on information the platform asked for. */
  @Column({ type: 'bigint' })
  pausedSeconds: string;

  @Column({ type: 'bigint' })
  firstResponseSecondsSum: string;

  @Column({ type: 'integer', nullable: true })
  firstResponseSecondsP50: number | null;

  @Column({ type: 'integer', nullable: true })
  firstResponseSecondsP90: number | null;

  @Column({ type: 'bigint' })
  resolutionSecondsSum: string;

  @Column({ type: 'integer', nullable: true })
  resolutionSecondsP50: number | null;

  @Column({ type: 'integer', nullable: true })
  resolutionSecondsP90: number | null;

  @Column({ type: 'timestamptz', precision: 3 })
  refreshedAt: Date;
}

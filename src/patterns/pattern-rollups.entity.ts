import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/**
 * What the pattern-record triggers log for the rollups: the old version of a changed record
 * with sign -1, the new one with +1. `PatternRollupsRepository.fold` adds them into the rollups
 * and empties the log; counts never need a rescan of the records.
 */
@Entity('pattern_changes')
export class PatternChangeEntity {
  @PrimaryGeneratedColumn('increment', {
    type: 'bigint',
    primaryKeyConstraintName: 'pk_pattern_changes',
  })
  id: string;

  @Column({ type: 'smallint' })
  sign: number;

  /** The record as it was (-1) or is (+1), in `pattern_records` columns. */
  @Column({ type: 'jsonb' })
  record: Record<string, unknown>;
}

/**
 * Trend counts: cases per cell and organisation, at several grains (see `pattern-grains.ts`). A
 * dimension outside the cell's grain holds ''. The organisation is there to count distinct
 * organisations per cell; it never leaves the service.
 */
@Entity('pattern_cells')
@Index('idx_pattern_cells_empty', ['grain'], { where: 'cases = 0' })
export class PatternCellEntity {
  @PrimaryColumn('smallint', { primaryKeyConstraintName: 'pk_pattern_cells' })
  grain: number;

  @PrimaryColumn('date', { primaryKeyConstraintName: 'pk_pattern_cells' })
  month: string;

  @PrimaryColumn('varchar', { length: 60, primaryKeyConstraintName: 'pk_pattern_cells' })
  platform: string;

  @PrimaryColumn('varchar', { length: 40, primaryKeyConstraintName: 'pk_pattern_cells' })
  channelKind: string;

  @PrimaryColumn('varchar', { length: 60, primaryKeyConstraintName: 'pk_pattern_cells' })
  category: string;

  @PrimaryColumn('varchar', { length: 60, primaryKeyConstraintName: 'pk_pattern_cells' })
  subcategory: string;

  @PrimaryColumn('varchar', { length: 80, primaryKeyConstraintName: 'pk_pattern_cells' })
  dsaCategory: string;

  @PrimaryColumn('varchar', { length: 2, primaryKeyConstraintName: 'pk_pattern_cells' })
  country: string;

  @PrimaryColumn('varchar', { length: 40, primaryKeyConstraintName: 'pk_pattern_cells' })
  targetGroup: string;

  @PrimaryColumn('varchar', { length: 40, primaryKeyConstraintName: 'pk_pattern_cells' })
  outcome: string;

  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'pk_pattern_cells' })
  organizationId: string;

  @Column({ type: 'integer' })
  cases: number;

  /** The cell key: the sum of the counted cases' record keys modulo 4096. */
  @Column({ type: 'integer' })
  cellKey: number;
}

/**
 * Scorecard counts per month, platform, channel and organisation: one count per measure
 * (`SCORECARD_MEASURES`: all cases, acknowledged, resolved, ...) with its cell key (the sum of
 * its cases' record keys modulo 4096), so a share's numerator, its denominator and its
 * complement are each a protected cell. One wide row per organisation keeps the scorecard's
 * read to a few thousand rows at a million records.
 */
@Entity('pattern_scorecard_counts')
@Index('idx_pattern_scorecard_counts_empty', ['month'], { where: 'cases = 0' })
export class PatternScorecardCountEntity {
  @PrimaryColumn('date', { primaryKeyConstraintName: 'pk_pattern_scorecard_counts' })
  month: string;

  @PrimaryColumn('varchar', { length: 60, primaryKeyConstraintName: 'pk_pattern_scorecard_counts' })
  platform: string;

  @PrimaryColumn('varchar', { length: 60, primaryKeyConstraintName: 'pk_pattern_scorecard_counts' })
  channel: string;

  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'pk_pattern_scorecard_counts' })
  organizationId: string;

  @Column({ type: 'varchar', length: 40 })
  channelKind: string;

  @Column({ type: 'integer' }) cases: number;
  @Column({ type: 'integer' }) casesKey: number;
  @Column({ type: 'integer' }) acknowledged: number;
  @Column({ type: 'integer' }) acknowledgedKey: number;
  @Column({ type: 'integer' }) resolved: number;
  @Column({ type: 'integer' }) resolvedKey: number;
  @Column({ type: 'integer' }) actioned: number;
  @Column({ type: 'integer' }) actionedKey: number;
  @Column({ type: 'integer' }) noResponse: number;
  @Column({ type: 'integer' }) noResponseKey: number;
  @Column({ type: 'integer' }) overdue: number;
  @Column({ type: 'integer' }) overdueKey: number;
  @Column({ type: 'integer' }) paused: number;
  @Column({ type: 'integer' }) pausedKey: number;
  @Column({ type: 'integer' }) reasonGivenYes: number;
  @Column({ type: 'integer' }) reasonGivenYesKey: number;
  @Column({ type: 'integer' }) reasonGivenAnswered: number;
  @Column({ type: 'integer' }) reasonGivenAnsweredKey: number;
  @Column({ type: 'integer' }) contextUnderstoodYes: number;
  @Column({ type: 'integer' }) contextUnderstoodYesKey: number;
  @Column({ type: 'integer' }) contextUnderstoodAnswered: number;
  @Column({ type: 'integer' }) contextUnderstoodAnsweredKey: number;
  @Column({ type: 'integer' }) harmRecognisedAsGenderedYes: number;
  @Column({ type: 'integer' }) harmRecognisedAsGenderedYesKey: number;
  @Column({ type: 'integer' }) harmRecognisedAsGenderedAnswered: number;
  @Column({ type: 'integer' }) harmRecognisedAsGenderedAnsweredKey: number;
  @Column({ type: 'integer' }) retraumatisingProofRequestedYes: number;
  @Column({ type: 'integer' }) retraumatisingProofRequestedYesKey: number;
  @Column({ type: 'integer' }) retraumatisingProofRequestedAnswered: number;
  @Column({ type: 'integer' }) retraumatisingProofRequestedAnsweredKey: number;
}

/**
 * Response durations per month, platform and channel as a histogram with buckets 10 % wide
 * (see `duration-histogram.ts`), so medians and p90s over any period come from a few rows.
 */
@Entity('pattern_duration_buckets')
export class PatternDurationBucketEntity {
  @PrimaryColumn('date', { primaryKeyConstraintName: 'pk_pattern_duration_buckets' })
  month: string;

  @PrimaryColumn('varchar', { length: 60, primaryKeyConstraintName: 'pk_pattern_duration_buckets' })
  platform: string;

  @PrimaryColumn('varchar', { length: 60, primaryKeyConstraintName: 'pk_pattern_duration_buckets' })
  channel: string;

  /** 'first_response', 'resolution' or 'paused' (cases paused at all). */
  @PrimaryColumn('varchar', { length: 20, primaryKeyConstraintName: 'pk_pattern_duration_buckets' })
  measure: string;

  @PrimaryColumn('smallint', { primaryKeyConstraintName: 'pk_pattern_duration_buckets' })
  bucket: number;

  @Column({ type: 'integer' })
  cases: number;

  /** The cell key of the bucket (its count is perturbed on its own), modulo 4096. */
  @Column({ type: 'integer' })
  cellKey: number;
}

/** The EU DSA category of each taxonomy code, written from taxonomy.json at start-up. */
@Entity('taxonomy_dsa_categories')
export class TaxonomyDsaCategoryEntity {
  @PrimaryColumn('varchar', { length: 60, primaryKeyConstraintName: 'pk_taxonomy_dsa_categories' })
  code: string;

  /** When the targets include women or girls. */
  @Column({ type: 'varchar', length: 80 })
  gendered: string;

  @Column({ type: 'varchar', length: 80 })
  generic: string;
}

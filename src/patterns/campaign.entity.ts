import {
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
import { OrganizationEntity } from '../organizations/organization.entity';
import { PatternRecordEntity } from './pattern-record.entity';

/**
 * Cases of two or more organisations linked by a shared indicator hash within
 * CAMPAIGN_WINDOW_DAYS, found by the campaigns job. Its figures are recomputed from its cases;
 * an organisation sees which cases it may see, never which organisations are involved (unless
 * they opted in to be named).
 */
@Entity('campaigns')
export class CampaignEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_campaigns' })
  id: string;

  @Column({ type: 'date' })
  firstSeen: string;

  @Column({ type: 'date' })
  lastSeen: string;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}

/** A pattern record in a campaign; goes with the record when consent is withdrawn. */
@Entity('campaign_cases')
@Index('idx_campaign_cases_case_id', ['caseId'])
export class CampaignCaseEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'pk_campaign_cases' })
  campaignId: string;

  @ManyToOne(() => CampaignEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'campaign_id', foreignKeyConstraintName: 'fk_campaign_cases_campaign' })
  campaign?: CampaignEntity;

  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'pk_campaign_cases' })
  caseId: string;

  @ManyToOne(() => PatternRecordEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'case_id', foreignKeyConstraintName: 'fk_campaign_cases_record' })
  record?: PatternRecordEntity;
}

/**
 * Alerts already sent: each organisation hears once about a campaign
 * (`campaign:<id>`) or an emerging pattern of a week (`emerging:<week>:<category>:<country>`).
 */
@Entity('pattern_alerts')
export class PatternAlertEntity {
  @PrimaryColumn('varchar', { length: 200, primaryKeyConstraintName: 'pk_pattern_alerts' })
  key: string;

  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'pk_pattern_alerts' })
  organizationId: string;

  @ManyToOne(() => OrganizationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'organization_id',
    foreignKeyConstraintName: 'fk_pattern_alerts_organization',
  })
  organization?: OrganizationEntity;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  alertedAt: Date;
}

import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  OneToOne,
  PrimaryColumn,
} from 'typeorm';
import { OrganizationEntity } from '../organizations/organization.entity';
import { UserEntity } from '../users/user.entity';

/**
 * An organisation's retention rule (GDPR Art. 5(1)(e)): how many months after closing a case
 * keeps its content. No row, or `closedCaseMonths` null: nothing is removed (the default until
 * an org_admin decides).
 */
@Entity('retention_policies')
@Index('idx_retention_policies_updated_by', ['updatedBy'])
@Check('ck_retention_policies_months', `"closed_case_months" BETWEEN 1 AND 240`)
export class RetentionPolicyEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'pk_retention_policies' })
  organizationId: string;

  @OneToOne(() => OrganizationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'organization_id',
    foreignKeyConstraintName: 'fk_retention_policies_organization',
  })
  organization?: OrganizationEntity;

  @Column({ type: 'smallint', nullable: true })
  closedCaseMonths: number | null;

  /** The indicators' keyed hashes stay after their values go (campaign matching goes on). */
  @Column({ type: 'boolean', default: false })
  keepIndicatorHashes: boolean;

  @Column({ type: 'uuid', nullable: true })
  updatedBy: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'updated_by', foreignKeyConstraintName: 'fk_retention_policies_updated_by' })
  updater?: UserEntity;

  @Column({ type: 'timestamptz', precision: 3, default: () => 'now()' })
  updatedAt: Date;
}

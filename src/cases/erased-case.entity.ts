import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Tlp, TLP_LEVELS } from '../common/sharing/tlp';
import { OrganizationEntity } from '../organizations/organization.entity';
import { UserEntity } from '../users/user.entity';

/**
 * What is left of a case erased on a survivor's request: its reference, who could see it (they
 * get 410 Gone, everyone else 404, under the same TLP rule as the case had), who erased it and
 * when. No title, summary, item, indicator, note or pattern: those went with the case.
 */
@Entity('erased_cases')
@Index('idx_erased_cases_organization_id', ['organizationId'])
@Index('idx_erased_cases_created_by', ['createdBy'])
@Index('idx_erased_cases_erased_by', ['erasedBy'])
export class ErasedCaseEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'pk_erased_cases' })
  caseId: string;

  @Column({ type: 'varchar', length: 20 })
  reference: string;

  @Column({ type: 'uuid' })
  organizationId: string;

  @ManyToOne(() => OrganizationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'fk_erased_cases_organization' })
  organization?: OrganizationEntity;

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'fk_erased_cases_created_by' })
  creator?: UserEntity;

  @Column({ type: 'enum', enum: TLP_LEVELS, enumName: 'tlp' })
  tlp: Tlp;

  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  sharedOrganizationIds: string[];

  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  sharedUserIds: string[];

  @Column({ type: 'uuid', nullable: true })
  erasedBy: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'erased_by', foreignKeyConstraintName: 'fk_erased_cases_erased_by' })
  eraser?: UserEntity;

  @Column({ type: 'timestamptz', precision: 3 })
  erasedAt: Date;
}

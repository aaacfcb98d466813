import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { OrganizationEntity } from '../organizations/organization.entity';
import { CaseEntity } from './case.entity';
import { INDICATOR_KINDS, IndicatorKind } from './indicator';

/**
 * A trace of the attacker on a case. The normalised value is case content (TLP applies); the
 * keyed hash is what is compared across organisations.
 */
@Entity('case_indicators')
@Unique('uq_case_indicators_case_hash', ['caseId', 'valueHash'])
@Index('idx_case_indicators_hash', ['valueHash'])
@Index('idx_case_indicators_organization_id', ['organizationId'])
export class CaseIndicatorEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_case_indicators' })
  id: string;

  @Column({ type: 'uuid' })
  caseId: string;

  @ManyToOne(() => CaseEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'case_id', foreignKeyConstraintName: 'fk_case_indicators_case' })
  case?: CaseEntity;

  /** The case's owner, copied so matches count organisations without reading cases. */
  @Column({ type: 'uuid' })
  organizationId: string;

  @ManyToOne(() => OrganizationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({
    name: 'organization_id',
    foreignKeyConstraintName: 'fk_case_indicators_organization',
  })
  organization?: OrganizationEntity;

  @Column({ type: 'enum', enum: INDICATOR_KINDS, enumName: 'indicator_kind' })
  kind: IndicatorKind;

  @Column({ type: 'varchar', length: 2048 })
  value: string;

  /** HMAC-SHA256 (INDICATOR_HASH_KEY) of kind and normalised value, hex. */
  @Column({ type: 'char', length: 64 })
  valueHash: string;
}

import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { Tlp, TLP_LEVELS } from '../common/sharing/tlp';
import { OrganizationEntity } from '../organizations/organization.entity';
import { PlatformEntity } from '../platforms/platform.entity';

export const CONTACT_STATUSES = ['active', 'left', 'unresponsive', 'unverified'] as const;
export type ContactStatus = (typeof CONTACT_STATUSES)[number];

/** A person at a platform whom helplines write to. Visible by TLP (default GREEN). */
@Entity('contacts')
@Index('idx_contacts_platform_id', ['platformId'])
@Index('idx_contacts_organization_id', ['organizationId'])
@Index('idx_contacts_successor_id', ['successorId'])
@Check('ck_contacts_successor_not_self', `"successor_id" IS NULL OR "successor_id" <> "id"`)
export class ContactEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_contacts' })
  id: string;

  @Column({ type: 'uuid' })
  platformId: string;

  @ManyToOne(() => PlatformEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'platform_id', foreignKeyConstraintName: 'fk_contacts_platform' })
  platform?: PlatformEntity;

  /** The organisation that owns the record. */
  @Column({ type: 'uuid' })
  organizationId: string;

  @ManyToOne(() => OrganizationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'fk_contacts_organization' })
  organization?: OrganizationEntity;

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;

  @Column({ type: 'varchar', length: 200 })
  fullName: string;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  languages: string[];

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  countries: string[];

  @Column({ type: 'varchar', length: 4000, nullable: true })
  notes: string | null;

  @Column({ type: 'enum', enum: TLP_LEVELS, enumName: 'tlp', default: 'GREEN' })
  tlp: Tlp;

  /** Organisations named on the record (TLP AMBER). */
  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  sharedOrganizationIds: string[];

  @Column({ type: 'enum', enum: CONTACT_STATUSES, enumName: 'contact_status', default: 'active' })
  status: ContactStatus;

  @Column({ type: 'timestamptz', nullable: true })
  lastVerifiedAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  lastVerifiedBy: string | null;

  @Column({ type: 'date', nullable: true })
  leftOn: string | null;

  /** Who replaced this contact when they left (the chain never loops). */
  @Column({ type: 'uuid', nullable: true })
  successorId: string | null;

  @ManyToOne(() => ContactEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'successor_id', foreignKeyConstraintName: 'fk_contacts_successor' })
  successor?: ContactEntity;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { OrganizationService } from './organization-services';

/** A helpline or initiative: the community's index of who does what, where. */
@Entity('organizations')
@Unique('uq_organizations_slug', ['slug'])
export class OrganizationEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_organizations' })
  id: string;

  @Column({ type: 'varchar', length: 63 })
  slug: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  countries: string[];

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  languages: string[];

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  constituencies: string[];

  @Column({ type: 'varchar', length: 500, nullable: true })
  website: string | null;

  @Column({ type: 'varchar', length: 64, default: 'UTC' })
  timezone: string;

  /** What others may refer a survivor for (ORGANIZATION_SERVICES). */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  services: OrganizationService[];

  /** How the organisation introduces itself to the community. */
  @Column({ type: 'varchar', length: 4000, nullable: true })
  introduction: string | null;

  /** Public contact address for referrals and collaboration. */
  @Column({ type: 'varchar', length: 254, nullable: true })
  contactEmail: string | null;

  /** Public Signal username or number. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  signal: string | null;

  /** Links to its public social media accounts. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  socialAccounts: string[];

  /** When it joined the community. */
  @Column({ type: 'date', default: () => "('now'::text)::date" })
  joinedOn: string;

  /** Campaign alerts and listings may name this organisation to the others involved. */
  @Column({ type: 'boolean', default: false })
  namedInCampaigns: boolean;

  /** Its pattern records may count in the unauthenticated public trends (PUBLIC_TRENDS). */
  @Column({ type: 'boolean', default: false })
  publicStatistics: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

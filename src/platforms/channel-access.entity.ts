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
import { OrganizationEntity } from '../organizations/organization.entity';
import { ChannelEntity } from './channel.entity';

export const CHANNEL_ACCESS_STATUSES = ['claimed', 'approved', 'refused', 'revoked'] as const;
export type ChannelAccessStatus = (typeof CHANNEL_ACCESS_STATUSES)[number];

/**
 * Which organisation may use which channel, in which countries, during which dates: a claim
 * until the community coordination approves it; only approved rows count as access.
 */
@Entity('channel_access')
@Index('idx_channel_access_channel_id', ['channelId'])
@Index('idx_channel_access_status', ['status', 'channelId'])
@Index('idx_channel_access_organization_id', ['organizationId'])
@Check('ck_channel_access_period', `"until" IS NULL OR "until" >= "since"`)
export class ChannelAccessEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_channel_access' })
  id: string;

  @Column({ type: 'uuid' })
  organizationId: string;

  @ManyToOne(() => OrganizationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'organization_id',
    foreignKeyConstraintName: 'fk_channel_access_organization',
  })
  organization?: OrganizationEntity;

  @Column({ type: 'uuid' })
  channelId: string;

  @ManyToOne(() => ChannelEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'channel_id', foreignKeyConstraintName: 'fk_channel_access_channel' })
  channel?: ChannelEntity;

  @Column({ type: 'text', array: true })
  countries: string[];

  @Column({ type: 'date' })
  since: string;

  @Column({ type: 'date', nullable: true })
  until: string | null;

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;

  @Column({
    type: 'enum',
    enum: CHANNEL_ACCESS_STATUSES,
    enumName: 'channel_access_status',
    default: 'claimed',
  })
  status: ChannelAccessStatus;

  /** The organisation's evidence: seen by that organisation and the community admins only. */
  @Column({ type: 'varchar', length: 2000, nullable: true })
  evidenceNote: string | null;

  /** The day the platform confirmed the access. */
  @Column({ type: 'date', nullable: true })
  confirmedOn: string | null;

  /** Who at the platform confirmed it (a role or team; private like the note). */
  @Column({ type: 'varchar', length: 200, nullable: true })
  confirmedBy: string | null;

  @Column({ type: 'uuid', nullable: true })
  decidedBy: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  decidedAt: Date | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  decisionReason: string | null;

  /** Optimistic locking: every change adds one; PATCH must send it back in If-Match. */
  @Column({ type: 'integer', default: 1 })
  version: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { PlatformEntity } from './platform.entity';

export const CHANNEL_KINDS = [
  'public_report',
  'trusted_partner',
  'legal',
  'dsa_notice',
  'ncii_hash',
  'email',
] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** A way to report or escalate to a platform, with the response time we hold it to. */
@Entity('channels')
@Unique('uq_channels_platform_code', ['platformId', 'code'])
@Check('ck_channels_expected_response_hours', `"expected_response_hours" BETWEEN 1 AND 8760`)
export class ChannelEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_channels' })
  id: string;

  @Column({ type: 'uuid' })
  platformId: string;

  @ManyToOne(() => PlatformEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'platform_id', foreignKeyConstraintName: 'fk_channels_platform' })
  platform?: PlatformEntity;

  @Column({ type: 'varchar', length: 60 })
  code: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'enum', enum: CHANNEL_KINDS, enumName: 'channel_kind' })
  kind: ChannelKind;

  @Column({ type: 'varchar', length: 500, nullable: true })
  url: string | null;

  /** The SLA escalations through this channel are measured against. */
  @Column({ type: 'integer' })
  expectedResponseHours: number;

  /** Confirmed in a public source; unverified entries must be checked by a helpline before use. */
  @Column({ type: 'boolean', default: false })
  verified: boolean;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  note: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

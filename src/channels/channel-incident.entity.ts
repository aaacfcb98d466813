import {
  Check,
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
import { ChannelEntity } from '../platforms/channel.entity';
import { UserEntity } from '../users/user.entity';

export const INCIDENT_KINDS = ['broken', 'silent', 'changed'] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

/** A channel that is broken, silent or changed, since a day, until it is resolved. */
@Entity('channel_incidents')
@Index('idx_channel_incidents_channel', ['channelId', 'since'])
@Check('ck_channel_incidents_period', `"resolved_on" IS NULL OR "resolved_on" >= "since"`)
export class ChannelIncidentEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_channel_incidents' })
  id: string;

  @Column({ type: 'uuid' })
  channelId: string;

  @ManyToOne(() => ChannelEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'channel_id', foreignKeyConstraintName: 'fk_channel_incidents_channel' })
  channel?: ChannelEntity;

  @Column({ type: 'enum', enum: INCIDENT_KINDS, enumName: 'channel_incident_kind' })
  kind: IncidentKind;

  @Column({ type: 'date' })
  since: string;

  @Column({ type: 'varchar', length: 2000 })
  description: string;

  @Column({ type: 'uuid', nullable: true })
  reportedBy: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'reported_by', foreignKeyConstraintName: 'fk_channel_incidents_reported_by' })
  reporter?: UserEntity;

  /** The reporting organisation (its members and the admins may resolve the incident). */
  @Column({ type: 'uuid', nullable: true })
  organizationId: string | null;

  @ManyToOne(() => OrganizationEntity, { onDelete: 'SET NULL' })
  @JoinColumn({
    name: 'organization_id',
    foreignKeyConstraintName: 'fk_channel_incidents_organization',
  })
  organization?: OrganizationEntity;

  @Column({ type: 'date', nullable: true })
  resolvedOn: string | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  resolutionNote: string | null;

  @Column({ type: 'uuid', nullable: true })
  resolvedBy: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'resolved_by', foreignKeyConstraintName: 'fk_channel_incidents_resolved_by' })
  resolver?: UserEntity;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

/** One organisation's confirmation that an incident is real (one per organisation). */
@Entity('channel_incident_confirmations')
export class ChannelIncidentConfirmationEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'pk_channel_incident_confirmations' })
  incidentId: string;

  @ManyToOne(() => ChannelIncidentEntity, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'incident_id',
    foreignKeyConstraintName: 'fk_channel_incident_confirmations_incident',
  })
  incident?: ChannelIncidentEntity;

  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'pk_channel_incident_confirmations' })
  organizationId: string;

  @ManyToOne(() => OrganizationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'organization_id',
    foreignKeyConstraintName: 'fk_channel_incident_confirmations_organization',
  })
  organization?: OrganizationEntity;

  @Column({ type: 'uuid', nullable: true })
  userId: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  @JoinColumn({
    name: 'user_id',
    foreignKeyConstraintName: 'fk_channel_incident_confirmations_user',
  })
  user?: UserEntity;

  /** What the confirming organisation sees. */
  @Column({ type: 'varchar', length: 1000, nullable: true })
  note: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}

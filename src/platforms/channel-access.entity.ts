import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { OrganizationEntity } from '../organizations/organization.entity';
import { ChannelEntity } from './channel.entity';

/** Which organisation may use which channel, in which countries, during which dates. */
@Entity('channel_access')
@Index('idx_channel_access_channel_id', ['channelId'])
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

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}

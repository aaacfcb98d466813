import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import {
  CHANNEL_ACCESS_STATUSES,
  ChannelAccessEntity,
  ChannelAccessStatus,
} from '../platforms/channel-access.entity';
import { UserEntity } from '../users/user.entity';

export const ACCESS_HISTORY_ACTIONS = [
  'claimed',
  'recorded',
  'approved',
  'refused',
  'corrected',
  'revoked',
] as const;
export type AccessHistoryAction = (typeof ACCESS_HISTORY_ACTIONS)[number];

/** One change of a channel access record, as it was after the change. */
@Entity('channel_access_history')
@Unique('uq_channel_access_history_version', ['accessId', 'version'])
export class ChannelAccessHistoryEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_channel_access_history' })
  id: string;

  @Column({ type: 'uuid' })
  accessId: string;

  @ManyToOne(() => ChannelAccessEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'access_id', foreignKeyConstraintName: 'fk_channel_access_history_access' })
  access?: ChannelAccessEntity;

  @Column({ type: 'integer' })
  version: number;

  @Column({ type: 'varchar', length: 20 })
  action: AccessHistoryAction;

  @Column({ type: 'enum', enum: CHANNEL_ACCESS_STATUSES, enumName: 'channel_access_status' })
  status: ChannelAccessStatus;

  @Column({ type: 'text', array: true })
  countries: string[];

  @Column({ type: 'date' })
  since: string;

  @Column({ type: 'date', nullable: true })
  until: string | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  reason: string | null;

  @Column({ type: 'uuid', nullable: true })
  actorUserId: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  @JoinColumn({
    name: 'actor_user_id',
    foreignKeyConstraintName: 'fk_channel_access_history_actor',
  })
  actor?: UserEntity;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}

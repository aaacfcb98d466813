import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
} from 'typeorm';
import { OrganizationEntity } from '../organizations/organization.entity';
import { ChannelEntity } from '../platforms/channel.entity';
import { UserEntity } from '../users/user.entity';

/**
 * One version of a channel's playbook (the current one is the highest): how to escalate well
 * through the channel, and for trusted-partner channels who may join and how. Kept by the
 * community; a version is never changed, an edit adds the next one.
 */
@Entity('channel_playbook_versions')
@Check('ck_channel_playbook_versions_version', `"version" >= 1`)
export class ChannelPlaybookVersionEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'pk_channel_playbook_versions' })
  channelId: string;

  @ManyToOne(() => ChannelEntity, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'channel_id',
    foreignKeyConstraintName: 'fk_channel_playbook_versions_channel',
  })
  channel?: ChannelEntity;

  @PrimaryColumn('integer', { primaryKeyConstraintName: 'pk_channel_playbook_versions' })
  version: number;

  /** What evidence the platform asks for. */
  @Column({ type: 'varchar', length: 4000, nullable: true })
  evidence: string | null;

  /** In which language(s) to write. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  language: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  subjectLine: string | null;

  @Column({ type: 'varchar', length: 4000, nullable: true })
  formFields: string | null;

  @Column({ type: 'varchar', length: 4000, nullable: true })
  pitfalls: string | null;

  /** Who may become a partner of this channel ("how to join"). */
  @Column({ type: 'varchar', length: 4000, nullable: true })
  eligibility: string | null;

  @Column({ type: 'varchar', length: 4000, nullable: true })
  howToApply: string | null;

  /** What this version changed, in a line. */
  @Column({ type: 'varchar', length: 300, nullable: true })
  changeNote: string | null;

  @Column({ type: 'uuid', nullable: true })
  authorId: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  @JoinColumn({
    name: 'author_id',
    foreignKeyConstraintName: 'fk_channel_playbook_versions_author',
  })
  author?: UserEntity;

  @Column({ type: 'uuid', nullable: true })
  authorOrganizationId: string | null;

  @ManyToOne(() => OrganizationEntity, { onDelete: 'SET NULL' })
  @JoinColumn({
    name: 'author_organization_id',
    foreignKeyConstraintName: 'fk_channel_playbook_versions_organization',
  })
  authorOrganization?: OrganizationEntity;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}

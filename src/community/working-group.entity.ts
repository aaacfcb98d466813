import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { UserEntity } from '../users/user.entity';

/** A named group of people from several organisations, e.g. "Advocacy with social media platforms". */
@Entity('working_groups')
@Unique('uq_working_groups_name', ['name'])
@Index('idx_working_groups_created_by', ['createdBy'])
export class WorkingGroupEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_working_groups' })
  id: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'varchar', length: 2000, nullable: true })
  description: string | null;

  /** The group's members get the weekly emerging-pattern notices (protected counts) by e-mail. */
  @Column({ type: 'boolean', default: false })
  patternAlerts: boolean;

  /** The group's members hear by e-mail of each channel incident reported (a platform's channel
   * broken, silent or changed). */
  @Column({ type: 'boolean', default: false })
  incidentAlerts: boolean;

  /** Authorship of community-shared content: kept when the user goes (SET NULL). */
  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'fk_working_groups_created_by' })
  creator?: UserEntity;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

/** One member of a working group. */
@Entity('working_group_members')
@Index('idx_working_group_members_user_id', ['userId'])
@Index('idx_working_group_members_added_by', ['addedBy'])
export class WorkingGroupMemberEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_working_group_members' })
  workingGroupId: string;

  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_working_group_members' })
  userId: string;

  @ManyToOne(() => WorkingGroupEntity, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'working_group_id',
    foreignKeyConstraintName: 'fk_working_group_members_group',
  })
  workingGroup?: WorkingGroupEntity;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_working_group_members_user' })
  user?: UserEntity;

  @Column({ type: 'uuid', nullable: true })
  addedBy: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'added_by', foreignKeyConstraintName: 'fk_working_group_members_added_by' })
  adder?: UserEntity;

  @CreateDateColumn({ type: 'timestamptz' })
  addedAt: Date;
}

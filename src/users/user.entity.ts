import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { Role, ROLES } from '../common/auth/actor';
import { OrganizationEntity } from '../organizations/organization.entity';

@Entity('users')
@Unique('uq_users_email', ['email'])
@Check('ck_users_email_lowercase', `"email" = lower("email")`)
@Check('ck_users_failed_login_count', `"failed_login_count" >= 0`)
@Index('idx_users_organization_id', ['organizationId'])
export class UserEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_users' })
  id: string;

  @Column({ type: 'uuid' })
  organizationId: string;

  @ManyToOne(() => OrganizationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'fk_users_organization' })
  organization?: OrganizationEntity;

  /** Always stored in lower case, so uniqueness is case-insensitive. */
  @Column({ type: 'varchar', length: 254 })
  email: string;

  @Column({ type: 'varchar', length: 200 })
  displayName: string;

  @Column({ type: 'enum', enum: ROLES, enumName: 'user_role' })
  role: Role;

  /** argon2id, never leaves the users module. */
  @Column({ type: 'varchar', length: 255 })
  passwordHash: string;

  @Column({ type: 'varchar', length: 35, default: 'en' })
  language: string;

  @Column({ type: 'varchar', length: 64, default: 'UTC' })
  timezone: string;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Column({ type: 'timestamptz', nullable: true })
  lastLoginAt: Date | null;

  /** Failed logins since the last success or lock (LOGIN_LOCKOUT_FAILURES locks the account). */
  @Column({ type: 'integer', default: 0 })
  failedLoginCount: number;

  /** Logins are refused until then; null or past: not locked. */
  @Column({ type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;

  /** Access tokens of an older generation are refused (password change, sign out everywhere). */
  @Column({ type: 'integer', default: 0 })
  sessionGeneration: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

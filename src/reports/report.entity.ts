import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { OrganizationEntity } from '../organizations/organization.entity';
import { UserEntity } from '../users/user.entity';

export const REPORT_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

/**
 * A large export made by a job (`POST /v1/reports`): only the user who asked may read it, and it
 * is deleted REPORT_TTL_HOURS after it was asked for.
 */
@Entity('reports')
@Index('idx_reports_expires_at', ['expiresAt'])
export class ReportEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_reports' })
  id: string;

  @Column({ type: 'uuid' })
  organizationId: string;

  @ManyToOne(() => OrganizationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'fk_reports_organization' })
  organization?: OrganizationEntity;

  @Column({ type: 'uuid' })
  requestedBy: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'requested_by', foreignKeyConstraintName: 'fk_reports_requested_by' })
  requester?: UserEntity;

  @Column({ type: 'varchar', length: 40 })
  kind: string;

  @Column({ type: 'varchar', length: 10 })
  format: string;

  /** The query the report answers (validated parameters only). */
  @Column({ type: 'jsonb' })
  params: Record<string, unknown>;

  @Column({ type: 'varchar', length: 10, default: 'queued' })
  status: ReportStatus;

  @Column({ type: 'smallint', default: 0 })
  progress: number;

  @Column({ type: 'bytea', nullable: true })
  content: Buffer | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  contentType: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  filename: string | null;

  /** A fixed message, never the exception text (it could quote data). */
  @Column({ type: 'varchar', length: 300, nullable: true })
  error: string | null;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  finishedAt: Date | null;

  @Column({ type: 'timestamptz', precision: 3 })
  expiresAt: Date;
}

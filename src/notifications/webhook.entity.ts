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

/**
 * Where an organisation wants its case notifications POSTed. The signing secret is kept in
 * clear (it is needed to sign) and leaves the service only in the answer that created it.
 * Deleting a webhook deactivates it: deliveries stop at once, its delivery log stays.
 */
@Entity('webhooks')
@Index('idx_webhooks_organization_id', ['organizationId'])
@Index('idx_webhooks_created_by', ['createdBy'])
export class WebhookEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_webhooks' })
  id: string;

  @Column({ type: 'uuid' })
  organizationId: string;

  @ManyToOne(() => OrganizationEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'fk_webhooks_organization' })
  organization?: OrganizationEntity;

  @Column({ type: 'varchar', length: 2048 })
  url: string;

  /** `whsec_` + 32 random bytes (base64url). Never returned after creation. */
  @Column({ type: 'varchar', length: 100 })
  secret: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  description: string | null;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Column({ type: 'uuid' })
  createdBy: string;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'fk_webhooks_created_by' })
  creator?: UserEntity;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;
}

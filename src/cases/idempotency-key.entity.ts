import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
} from 'typeorm';
import { CaseEntity } from './case.entity';

/** A POST /v1/cases already answered for this user and key: a retry gets the same case. */
@Entity('idempotency_keys')
@Index('idx_idempotency_keys_case_id', ['caseId'])
export class IdempotencyKeyEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'pk_idempotency_keys' })
  userId: string;

  @PrimaryColumn({ type: 'varchar', length: 200, primaryKeyConstraintName: 'pk_idempotency_keys' })
  key: string;

  /** SHA-256 of the request body, to tell a retry from a different request under the same key. */
  @Column({ type: 'char', length: 64 })
  requestHash: string;

  @Column({ type: 'uuid' })
  caseId: string;

  @ManyToOne(() => CaseEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'case_id', foreignKeyConstraintName: 'fk_idempotency_keys_case' })
  case?: CaseEntity;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}

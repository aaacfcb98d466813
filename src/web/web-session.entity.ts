import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { UserEntity } from '../users/user.entity';

/**
 * A signed-in browser. The cookie holds a random id; only its SHA-256 is stored, so a copy of
 * the table opens no session.
 */
@Entity('web_sessions')
@Unique('uq_web_sessions_token_hash', ['tokenHash'])
@Index('idx_web_sessions_user_id', ['userId'])
@Index('idx_web_sessions_expires_at', ['expiresAt'])
export class WebSessionEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_web_sessions' })
  id: string;

  @Column({ type: 'uuid' })
  userId: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_web_sessions_user' })
  user?: UserEntity;

  @Column({ type: 'char', length: 64 })
  tokenHash: string;

  @Column({ type: 'timestamptz' })
  createdAt: Date;

  /** Last request seen (written at most once a minute): the idle timeout counts from here. */
  @Column({ type: 'timestamptz' })
  lastSeenAt: Date;

  /** The absolute end, whatever the activity. */
  @Column({ type: 'timestamptz' })
  expiresAt: Date;
}

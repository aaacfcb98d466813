import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { WebhookEntity } from './webhook.entity';

/**
 * One attempt to deliver one notification to one webhook: what the receiver answered (status)
 * or why nothing came back (a short error), never the response body.
 */
@Entity('webhook_deliveries')
// Newest first per webhook (`GET /v1/webhooks/:id/deliveries`): a descending index made by the
// migration, which TypeORM's decorators cannot express.
@Index('idx_webhook_deliveries_webhook_attempted', { synchronize: false })
@Check('ck_webhook_deliveries_attempt', `"attempt" >= 1`)
export class WebhookDeliveryEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_webhook_deliveries' })
  id: string;

  @Column({ type: 'uuid' })
  webhookId: string;

  @ManyToOne(() => WebhookEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'webhook_id', foreignKeyConstraintName: 'fk_webhook_deliveries_webhook' })
  webhook?: WebhookEntity;

  /** The notification's key, also sent as `x-escalation-delivery`. */
  @Column({ type: 'varchar', length: 200 })
  notificationKey: string;

  @Column({ type: 'varchar', length: 40 })
  eventType: string;

  /** 1 for the first try, 2 for the first retry, ... */
  @Column({ type: 'integer' })
  attempt: number;

  /** The receiver's HTTP status; null when no answer came (timeout, refused, DNS). */
  @Column({ type: 'smallint', nullable: true })
  httpStatus: number | null;

  /** Why no answer came, in a few words; never the response body. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  error: string | null;

  @Column({ type: 'integer' })
  durationMs: number;

  @Column({ type: 'timestamptz', precision: 3 })
  attemptedAt: Date;
}

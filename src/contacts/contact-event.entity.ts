import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { ContactEntity } from './contact.entity';

export const CONTACT_EVENT_TYPES = [
  'created',
  'updated',
  'verified',
  'marked_unverified',
  'tenure_added',
  'departed',
] as const;
export type ContactEventType = (typeof CONTACT_EVENT_TYPES)[number];

/** The contact's history: every change, with who and when. Append-only (a trigger refuses the rest). */
@Entity('contact_events')
@Index('idx_contact_events_contact_id', ['contactId', 'occurredAt'])
export class ContactEventEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_contact_events' })
  id: string;

  @Column({ type: 'uuid' })
  contactId: string;

  @ManyToOne(() => ContactEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'contact_id', foreignKeyConstraintName: 'fk_contact_events_contact' })
  contact?: ContactEntity;

  @Column({ type: 'timestamptz', precision: 3, default: () => 'now()' })
  occurredAt: Date;

  /** Null when the service itself made the change (the staleness sweep). */
  @Column({ type: 'uuid', nullable: true })
  actorUserId: string | null;

  @Column({ type: 'varchar', length: 40 })
  type: ContactEventType;

  /** `{field: {from, to}}` for updates; ids and reasons for the other types. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  changes: Record<string, unknown>;
}

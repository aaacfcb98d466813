import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { ContactEntity } from './contact.entity';

export const CONTACT_CHANNEL_KINDS = ['email', 'signal', 'phone'] as const;
export type ContactChannelKind = (typeof CONTACT_CHANNEL_KINDS)[number];

/**
 * How to reach a contact. Changing an address retires the old row instead of overwriting it, so
 * mail from an old address is still recognised; a departure retires them all.
 */
@Entity('contact_channels')
@Index('idx_contact_channels_contact_id', ['contactId'])
@Index('idx_contact_channels_kind_value', ['kind', 'value'])
export class ContactChannelEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_contact_channels' })
  id: string;

  @Column({ type: 'uuid' })
  contactId: string;

  @ManyToOne(() => ContactEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'contact_id', foreignKeyConstraintName: 'fk_contact_channels_contact' })
  contact?: ContactEntity;

  @Column({ type: 'enum', enum: CONTACT_CHANNEL_KINDS, enumName: 'contact_channel_kind' })
  kind: ContactChannelKind;

  /** Normalised: e-mail in lower case, phone and Signal numbers in E.164. */
  @Column({ type: 'varchar', length: 320 })
  value: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  since: Date;

  /** Set when the address stopped being current (changed, or the contact left). */
  @Column({ type: 'timestamptz', nullable: true })
  until: Date | null;
}

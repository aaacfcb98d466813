import { CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { PlatformEntity } from '../platforms/platform.entity';
import { ContactEntity } from './contact.entity';

/**
 * A further platform a contact works for besides their own (`contacts.platform_id`), always of
 * the same parent company: Meta's partner managers answer for Facebook, Instagram, WhatsApp,
 * Messenger and Threads at once. The service checks the company on every write.
 */
@Entity('contact_platforms')
@Index('idx_contact_platforms_platform_id', ['platformId'])
export class ContactPlatformEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_contact_platforms' })
  contactId: string;

  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_contact_platforms' })
  platformId: string;

  @ManyToOne(() => ContactEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'contact_id', foreignKeyConstraintName: 'fk_contact_platforms_contact' })
  contact?: ContactEntity;

  @ManyToOne(() => PlatformEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'platform_id', foreignKeyConstraintName: 'fk_contact_platforms_platform' })
  platform?: PlatformEntity;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}

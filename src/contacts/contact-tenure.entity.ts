import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { ContactEntity } from './contact.entity';

/** A period in a role at the platform; the tenures are the contact's turnover history. */
@Entity('contact_tenures')
@Index('idx_contact_tenures_contact_id', ['contactId', 'startedOn'])
@Check('ck_contact_tenures_period', `"ended_on" IS NULL OR "ended_on" >= "started_on"`)
export class ContactTenureEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_contact_tenures' })
  id: string;

  @Column({ type: 'uuid' })
  contactId: string;

  @ManyToOne(() => ContactEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'contact_id', foreignKeyConstraintName: 'fk_contact_tenures_contact' })
  contact?: ContactEntity;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  team: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  countries: string[];

  @Column({ type: 'date' })
  startedOn: string;

  @Column({ type: 'date', nullable: true })
  endedOn: string | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  endReason: string | null;

  @Column({ type: 'varchar', length: 4000, nullable: true })
  handoverNotes: string | null;

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}

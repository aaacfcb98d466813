import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { CaseEntity } from './case.entity';

export const CASE_ITEM_KINDS = [
  'post',
  'comment',
  'profile',
  'message',
  'image',
  'video',
  'group',
  'page',
  'other',
] as const;
export type CaseItemKind = (typeof CASE_ITEM_KINDS)[number];

/** A URL of the reported content, with the hash of the evidence captured, if any. */
@Entity('case_items')
@Index('idx_case_items_case_id', ['caseId', 'position'])
export class CaseItemEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_case_items' })
  id: string;

  @Column({ type: 'uuid' })
  caseId: string;

  @ManyToOne(() => CaseEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'case_id', foreignKeyConstraintName: 'fk_case_items_case' })
  case?: CaseEntity;

  /** Order as given by the client. */
  @Column({ type: 'smallint' })
  position: number;

  @Column({ type: 'varchar', length: 2048 })
  url: string;

  @Column({ type: 'enum', enum: CASE_ITEM_KINDS, enumName: 'case_item_kind' })
  kind: CaseItemKind;

  @Column({ type: 'char', length: 64, nullable: true })
  contentSha256: string | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  capturedAt: Date | null;
}

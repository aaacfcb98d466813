import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';

@Entity('platforms')
@Unique('uq_platforms_code', ['code'])
export class PlatformEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_platforms' })
  id: string;

  /** Stable machine code, e.g. `facebook`. */
  @Column({ type: 'varchar', length: 40 })
  code: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  parentCompany: string | null;

  /** Designated a Very Large Online Platform under the EU DSA (null: unknown). */
  @Column({ type: 'boolean', nullable: true })
  dsaVlop: boolean | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

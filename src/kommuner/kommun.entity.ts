import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'kommuner' })
export class KommunEntity {
  /** SCB's four-digit kommun code, e.g. 1980 for Västerås. */
  @PrimaryColumn({ type: 'char', length: 4 })
  code!: string;

  @Column({ type: 'text' })
  name!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}

import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'school_units' })
export class SchoolUnitEntity {
  @PrimaryColumn({ type: 'char', length: 4 })
  kommunCode!: string;

  /** Skolenhetskod: Skolverket's eight-digit school unit code. */
  @PrimaryColumn({ type: 'char', length: 8 })
  code!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', array: true })
  schoolTypes!: string[];

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}

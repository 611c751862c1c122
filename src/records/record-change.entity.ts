import { Column, Entity, PrimaryColumn } from 'typeorm';

export type ChangeType = 'created' | 'updated' | 'deleted';

@Entity({ name: 'record_changes' })
export class RecordChangeEntity {
  @PrimaryColumn({ type: 'bigint' })
  seq!: string;

  @Column({ type: 'char', length: 4 })
  kommunCode!: string;

  @Column({ type: 'uuid' })
  recordId!: string;

  @Column({ type: 'text' })
  changeType!: ChangeType;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'timestamptz' })
  changedAt!: Date;
}

import { Injectable } from '@nestjs/common';
import { sql } from '../database/sql';
import { TenantDb } from '../database/tenant-db';
import type { LearnerRecord } from './learner-record.types';

export interface TombstonedRecord {
  id: string;
  deletedAt: Date;
  /** The sections still held. */
  sections: (keyof LearnerRecord)[];
}

/**
 * What happens to a record after the pupil has left or asked for erasure: sections are purged as the
 * kommun's retention rules fall due, and the row itself when nothing is left to keep. Used by the
 * scheduled purge and by erasure requests; nothing else removes personal data.
 */
@Injectable()
export class RecordRetentionService {
  constructor(private readonly db: TenantDb) {}

  /** Deleted records, oldest deletion first, after a cursor (the purge walks them in pages). */
  tombstoned(kommunCode: string, afterId: string | null, limit: number): Promise<TombstonedRecord[]> {
    return this.db.once<TombstonedRecord>(
      kommunCode,
      sql`SELECT id, deleted_at AS "deletedAt", ARRAY(SELECT jsonb_object_keys(record)) AS sections
            FROM learner_records
           WHERE kommun_code = ${kommunCode} AND deleted_at IS NOT NULL
             AND (${afterId}::uuid IS NULL OR id > ${afterId}::uuid)
           ORDER BY id LIMIT ${limit}`,
    );
  }

  /** Removes these sections from a deleted record's stored content. */
  async purgeSections(kommunCode: string, id: string, sections: (keyof LearnerRecord)[]): Promise<void> {
    if (sections.length === 0) return;
    await this.db.once(
      kommunCode,
      sql`UPDATE learner_records SET record = record - ${sections as string[]}::text[]
           WHERE kommun_code = ${kommunCode} AND id = ${id}::uuid AND deleted_at IS NOT NULL`,
    );
  }

  /** Removes a deleted record for good, with its changes and consents. */
  async remove(kommunCode: string, id: string): Promise<void> {
    await this.db.once(
      kommunCode,
      sql`DELETE FROM learner_records WHERE kommun_code = ${kommunCode} AND id = ${id}::uuid AND deleted_at IS NOT NULL`,
    );
  }
}

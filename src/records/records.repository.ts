import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { LearnerRecord } from './learner-record.types';
import type { ChangeType } from './record-change.entity';

export interface StoredRecord {
  id: string;
  kommunCode: string;
  sourcePlatform: string;
  sourceId: string;
  version: number;
  contentHash: string;
  record: LearnerRecord;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

export interface UpsertRow {
  sourcePlatform: string;
  sourceId: string;
  contentHash: string;
  /** The record as JSON text: serialised once, by the caller. */
  recordJson: string;
}

export interface UpsertOutcome {
  id: string;
  sourcePlatform: string;
  sourceId: string;
  version: number;
  inserted: boolean;
}

export interface ListFilter {
  afterId?: string;
  schoolUnit?: string;
  schoolYear?: number;
  updatedSince?: Date;
  limit: number;
  today: string;
}

export interface ChangeRow {
  seq: string;
  recordId: string;
  changeType: ChangeType;
  version: number;
  changedAt: Date;
  sourcePlatform: string;
  sourceId: string;
}

const COLUMNS = `id, kommun_code AS "kommunCode", source_platform AS "sourcePlatform", source_id AS "sourceId",
  version, content_hash AS "contentHash", record, created_at AS "createdAt", updated_at AS "updatedAt",
  deleted_at AS "deletedAt"`;

/**
 * SQL for learner records and their changes feed. Every method takes the EntityManager of a tenant
 * transaction, so row-level security applies; the kommun is still named in every query.
 */
@Injectable()
export class RecordsRepository {
  /**
   * Inserts or updates many records in one statement (unnest), and writes their changes-feed rows
   * in the same statement. Rows whose content hash is unchanged are not touched and not returned.
   */
  async upsertMany(em: EntityManager, kommunCode: string, rows: UpsertRow[]): Promise<UpsertOutcome[]> {
    if (rows.length === 0) return [];
    return em.query(
      `WITH input AS (
         SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS i(source_platform, source_id, content_hash, record)
       ), upserted AS (
         INSERT INTO learner_records AS lr (kommun_code, source_platform, source_id, content_hash, record)
         SELECT $1, i.source_platform, i.source_id, i.content_hash, i.record::jsonb FROM input i
         ON CONFLICT (kommun_code, source_platform, source_id) DO UPDATE
           SET record = EXCLUDED.record, content_hash = EXCLUDED.content_hash, version = lr.version + 1,
               updated_at = now(), deleted_at = NULL
           WHERE lr.content_hash <> EXCLUDED.content_hash OR lr.deleted_at IS NOT NULL
         RETURNING lr.id, lr.source_platform, lr.source_id, lr.version, (lr.xmax = 0) AS inserted
       ), changes AS (
         INSERT INTO record_changes (kommun_code, record_id, change_type, version)
         SELECT $1, u.id, CASE WHEN u.inserted THEN 'created' ELSE 'updated' END, u.version FROM upserted u
       )
       SELECT id, source_platform AS "sourcePlatform", source_id AS "sourceId", version, inserted FROM upserted`,
      [
        kommunCode,
        rows.map((r) => r.sourcePlatform),
        rows.map((r) => r.sourceId),
        rows.map((r) => r.contentHash),
        rows.map((r) => r.recordJson),
      ],
    );
  }

  async findById(em: EntityManager, kommunCode: string, id: string, forUpdate = false): Promise<StoredRecord | undefined> {
    const rows = await em.query(
      `SELECT ${COLUMNS} FROM learner_records WHERE kommun_code = $1 AND id = $2${forUpdate ? ' FOR UPDATE' : ''}`,
      [kommunCode, id],
    );
    return rows[0];
  }

  async findBySource(
    em: EntityManager,
    kommunCode: string,
    sourcePlatform: string,
    sourceId: string,
    forUpdate = false,
  ): Promise<StoredRecord | undefined> {
    const rows = await em.query(
      `SELECT ${COLUMNS} FROM learner_records
        WHERE kommun_code = $1 AND source_platform = $2 AND source_id = $3${forUpdate ? ' FOR UPDATE' : ''}`,
      [kommunCode, sourcePlatform, sourceId],
    );
    return rows[0];
  }

  /** Replaces a live record's content; the caller has checked the version under FOR UPDATE. */
  async replace(em: EntityManager, kommunCode: string, id: string, contentHash: string, recordJson: string): Promise<StoredRecord> {
    const rows = await em.query(
      `WITH updated AS (
         UPDATE learner_records SET record = $4::jsonb, content_hash = $3, version = version + 1, updated_at = now()
          WHERE kommun_code = $1 AND id = $2 RETURNING ${COLUMNS}
       ), changes AS (
         INSERT INTO record_changes (kommun_code, record_id, change_type, version)
         SELECT $1, u.id, 'updated', u.version FROM updated u
       )
       SELECT * FROM updated`,
      [kommunCode, id, contentHash, recordJson],
    );
    return rows[0];
  }

  /** Marks a record deleted (a tombstone in the feed); erasure is for the retention rules. */
  async markDeleted(em: EntityManager, kommunCode: string, id: string): Promise<void> {
    await em.query(
      `WITH deleted AS (
         UPDATE learner_records SET deleted_at = now(), version = version + 1, updated_at = now()
          WHERE kommun_code = $1 AND id = $2 AND deleted_at IS NULL RETURNING id, version
       )
       INSERT INTO record_changes (kommun_code, record_id, change_type, version)
       SELECT $1, d.id, 'deleted', d.version FROM deleted d`,
      [kommunCode, id],
    );
  }

  /**
   * Live records in id order after a cursor. The school unit and year filters ask for a current
   * enrolment (not cancelled, not ended before today); the generated array columns narrow by index first.
   */
  async list(em: EntityManager, kommunCode: string, f: ListFilter): Promise<StoredRecord[]> {
    const where = ['kommun_code = $1', 'deleted_at IS NULL'];
    const params: unknown[] = [kommunCode];
    const add = (sql: (n: string) => string, value: unknown): void => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (f.afterId) add((p) => `id > ${p}`, f.afterId);
    if (f.updatedSince) add((p) => `updated_at >= ${p}`, f.updatedSince);
    if (f.schoolUnit !== undefined) add((p) => `school_unit_codes @> ARRAY[${p}::text]`, f.schoolUnit);
    if (f.schoolYear !== undefined) add((p) => `school_years @> ARRAY[${p}::smallint]`, f.schoolYear);
    if (f.schoolUnit !== undefined || f.schoolYear !== undefined) {
      const conditions = ['@.cancelled != true', '(!exists(@.endDate) || @.endDate >= $today)'];
      if (f.schoolUnit !== undefined) conditions.push('@.schoolUnitCode == $unit');
      if (f.schoolYear !== undefined) conditions.push('@.schoolYear == $year');
      add(
        (p) => `jsonb_path_exists(record, '$.enrolments[*] ? (${conditions.join(' && ')})', ${p}::jsonb)`,
        JSON.stringify({ today: f.today, unit: f.schoolUnit ?? null, year: f.schoolYear ?? null }),
      );
    }
    params.push(f.limit);
    return em.query(
      `SELECT ${COLUMNS} FROM learner_records WHERE ${where.join(' AND ')} ORDER BY id LIMIT $${params.length}`,
      params,
    );
  }

  /**
   * Changes after `afterSeq`, oldest first. Rows written by transactions still in flight are held
   * back (txid below the snapshot's xmin), so a reader never skips a change that commits late.
   */
  async changesAfter(em: EntityManager, kommunCode: string, afterSeq: string, limit: number): Promise<ChangeRow[]> {
    return em.query(
      `SELECT c.seq::text AS seq, c.record_id AS "recordId", c.change_type AS "changeType", c.version,
              c.changed_at AS "changedAt", r.source_platform AS "sourcePlatform", r.source_id AS "sourceId"
         FROM record_changes c JOIN learner_records r ON r.id = c.record_id
        WHERE c.kommun_code = $1 AND c.seq > $2::bigint AND c.txid < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY c.seq LIMIT $3`,
      [kommunCode, afterSeq, limit],
    );
  }
}

import { Injectable } from '@nestjs/common';
import { GroupBatcher, MissingResult } from '../common/batching/group-batcher';
import { isDatabaseUnavailable } from '../common/problem/error-mapping';
import { Sql, sql } from '../database/sql';
import { TenantDb } from '../database/tenant-db';
import { metaColumns, RecordMeta, UpsertRow } from './records.repository';

export interface UpsertOneResult {
  meta: RecordMeta;
  /** The stored content as JSON text when it was left unchanged; otherwise it is what was sent. */
  storedJson: string | undefined;
  inserted: boolean;
  changed: boolean;
}

const LR_META = new Sql(metaColumns('lr'));
const keyOf = (row: { sourcePlatform: string; sourceId: string }): string =>
  `${row.sourcePlatform}\u0000${row.sourceId}`;

/**
 * Group commit for single-record upserts: the upserts of one kommun that arrive while the database
 * is busy are written together, in one statement, one round trip and one commit (one WAL flush)
 * instead of one each. Measured here, round trips and commits, not the SQL, were what single
 * upserts cost. Each record is still all or nothing: a batch that fails for any reason but the
 * database being down is retried one record at a time, so one bad record fails only itself.
 */
@Injectable()
export class UpsertBatcher {
  private readonly batcher = new GroupBatcher<UpsertRow, UpsertOneResult>({
    maxBatch: 64,
    maxInFlight: 2,
    keyOf,
    run: (kommunCode, rows) => this.writeBatch(kommunCode, rows),
  });

  constructor(private readonly db: TenantDb) {}

  async upsert(kommunCode: string, row: UpsertRow): Promise<UpsertOneResult> {
    try {
      return await this.batcher.submit(kommunCode, row);
    } catch (err) {
      if (isDatabaseUnavailable(err)) throw err;
      // Alone now: either the batch failed (perhaps for another record's sake), or a concurrent
      // insert of this source committed after the batch's snapshot. Twice at most.
      for (let attempt = 0; attempt < 2; attempt++) {
        const r = (await this.writeBatch(kommunCode, [row])).get(keyOf(row));
        if (r) return r;
      }
      throw err instanceof MissingResult
        ? new Error('upsert found neither a new nor an existing row twice')
        : err;
    }
  }

  private async writeBatch(kommunCode: string, batch: UpsertRow[]): Promise<Map<string, UpsertOneResult>> {
    const values = batch.map(
      (row) => sql`(${row.sourcePlatform}, ${row.sourceId}, ${row.contentHash}, ${row.recordJson}::jsonb)`,
    );
    const rows = await this.db.once<
      RecordMeta & { recordJson: string | null; inserted: boolean; changed: boolean }
    >(
      kommunCode,
      sql`WITH input (source_platform, source_id, content_hash, record) AS (VALUES ${new Sql(values.map((v) => v.text).join(',\n'))}),
          upserted AS (
            INSERT INTO learner_records AS lr (kommun_code, source_platform, source_id, content_hash, record)
            SELECT ${kommunCode}, source_platform, source_id, content_hash, record FROM input
            ON CONFLICT (kommun_code, source_platform, source_id) DO UPDATE
              SET record = EXCLUDED.record, content_hash = EXCLUDED.content_hash, version = lr.version + 1,
                  updated_at = now(), deleted_at = NULL
              WHERE lr.content_hash <> EXCLUDED.content_hash OR lr.deleted_at IS NOT NULL
            RETURNING ${LR_META}, (lr.xmax = 0) AS inserted
          ), changes AS (
            INSERT INTO record_changes (kommun_code, record_id, change_type, version)
            SELECT ${kommunCode}, u.id, CASE WHEN u.inserted THEN 'created' ELSE 'updated' END, u.version FROM upserted u
          )
          SELECT *, NULL::text AS "recordJson", true AS changed FROM upserted
          UNION ALL
          SELECT ${LR_META}, false AS inserted, lr.record::text AS "recordJson", false AS changed
            FROM input i JOIN learner_records lr
              ON lr.kommun_code = ${kommunCode} AND lr.source_platform = i.source_platform AND lr.source_id = i.source_id
           WHERE NOT EXISTS (SELECT 1 FROM upserted u WHERE u."sourcePlatform" = i.source_platform AND u."sourceId" = i.source_id)`,
    );
    const byKey = new Map<string, UpsertOneResult>();
    for (const { recordJson, inserted, changed, ...meta } of rows) {
      byKey.set(keyOf(meta), { meta, storedJson: recordJson ?? undefined, inserted, changed });
    }
    return byKey;
  }
}

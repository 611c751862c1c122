import { Injectable } from '@nestjs/common';
import { GroupBatcher } from '../common/batching/group-batcher';
import { Sql, sql } from '../database/sql';
import { TenantDb } from '../database/tenant-db';
import { metaColumns, StoredRecordText } from './records.repository';

const META = new Sql(metaColumns());

/**
 * Reads of single records, coalesced: the GETs of one kommun that arrive together are answered by
 * one query (`id = ANY(…)`), one round trip. A record that is not there resolves to undefined.
 */
@Injectable()
export class RecordReader {
  private readonly batcher = new GroupBatcher<string, StoredRecordText | undefined>({
    maxBatch: 100,
    maxInFlight: 2,
    keyOf: (id) => id,
    run: async (kommunCode, ids) => {
      const rows = await this.db.once<StoredRecordText>(
        kommunCode,
        sql`SELECT ${META}, record::text AS "recordJson" FROM learner_records
             WHERE kommun_code = ${kommunCode} AND id = ANY(${ids}::uuid[])`,
      );
      const byId = new Map<string, StoredRecordText | undefined>(ids.map((id) => [id, undefined]));
      for (const r of rows) byId.set(r.id, r);
      return byId;
    },
  });

  constructor(private readonly db: TenantDb) {}

  /** The record with its content as stored JSON text, or undefined. `id` must be a lower-case UUID. */
  find(kommunCode: string, id: string): Promise<StoredRecordText | undefined> {
    return this.batcher.submit(kommunCode, id);
  }
}

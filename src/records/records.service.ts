import { Injectable } from '@nestjs/common';
import { decodeCursor, encodeCursor } from '../common/http/cursor';
import { etagFor, etagMatches } from '../common/http/etag';
import { IdempotencyService, StoredResponse } from '../common/idempotency/idempotency.service';
import { TenantTransactions } from '../database/tenant-transactions';
import { KommunerService } from '../kommuner/kommuner.service';
import { ChangeResource, RecordResource, toChangeResource, toRecordResource } from './record.mapper';
import { checkRecord, PreparedRecord, prepareRecord } from './record-intake';
import { ChangesQueryDto, ListRecordsQueryDto } from './records.dto';
import {
  preconditionFailed,
  preconditionRequired,
  recordDeleted,
  recordNotFound,
  sourceImmutable,
} from './records.errors';
import { RecordsRepository, StoredRecord } from './records.repository';

export type UpsertResult = 'created' | 'updated' | 'unchanged';

export interface UpsertResponse {
  status: number;
  resource: RecordResource;
  result: UpsertResult;
  replayed: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SEQ = /^[0-9]{1,19}$/;

/** The records API: upsert by source, read, replace with optimistic locking, delete, list, changes. */
@Injectable()
export class RecordsService {
  constructor(
    private readonly tenants: TenantTransactions,
    private readonly kommuner: KommunerService,
    private readonly repository: RecordsRepository,
    private readonly idempotency: IdempotencyService,
  ) {}

  /**
   * Creates or updates the record of (kommun, source platform, source id). Identical content is a
   * no-op that still answers with the stored record. An If-Match header guards an existing record.
   */
  async upsert(
    kommunCode: string,
    body: unknown,
    opts: { ifMatch?: string; idempotencyKey?: string; requestHash: string },
  ): Promise<UpsertResponse> {
    await this.kommuner.assertExists(kommunCode);
    const prepared = prepareRecord(checkRecord(body), { adapter: 'api', adapterVersion: '1', importedAt: new Date().toISOString() });
    return this.tenants.run(kommunCode, async (em) => {
      const work = async (): Promise<StoredResponse<RecordResource> & { result: UpsertResult }> => {
        const { platform, id } = prepared.record.source;
        if (opts.ifMatch !== undefined) {
          const current = await this.repository.findBySource(em, kommunCode, platform, id, true);
          if (!current || !etagMatches(opts.ifMatch, current.version)) throw preconditionFailed(current?.version ?? 0);
        }
        const [outcome] = await this.repository.upsertMany(em, kommunCode, [prepared.row]);
        const stored = (await this.repository.findBySource(em, kommunCode, platform, id))!;
        const result: UpsertResult = !outcome ? 'unchanged' : outcome.inserted ? 'created' : 'updated';
        const headers: Record<string, string> = { etag: etagFor(stored.version), 'x-upsert-result': result };
        if (result === 'created') headers.location = `/v1/kommuner/${kommunCode}/records/${stored.id}`;
        return { status: result === 'created' ? 201 : 200, body: toRecordResource(stored), headers, result };
      };
      if (opts.idempotencyKey === undefined) {
        const r = await work();
        return { status: r.status, resource: r.body, result: r.result, replayed: false };
      }
      const r = await this.idempotency.run(em, kommunCode, opts.idempotencyKey, opts.requestHash, work);
      return { status: r.status, resource: r.body, result: r.headers['x-upsert-result'] as UpsertResult, replayed: r.replayed };
    });
  }

  async get(kommunCode: string, id: string): Promise<RecordResource> {
    await this.kommuner.assertExists(kommunCode);
    const stored = await this.tenants.run(kommunCode, (em) => this.repository.findById(em, kommunCode, id));
    return toRecordResource(this.live(stored, id));
  }

  /** Replaces a record's content. If-Match is required: a blind overwrite would lose others' changes. */
  async replace(kommunCode: string, id: string, body: unknown, ifMatch: string | undefined): Promise<RecordResource> {
    if (ifMatch === undefined) throw preconditionRequired();
    await this.kommuner.assertExists(kommunCode);
    const prepared = prepareRecord(checkRecord(body), { adapter: 'api', adapterVersion: '1', importedAt: new Date().toISOString() });
    return this.tenants.run(kommunCode, async (em) => {
      const current = this.live(await this.repository.findById(em, kommunCode, id, true), id);
      if (!etagMatches(ifMatch, current.version)) throw preconditionFailed(current.version);
      if (current.sourcePlatform !== prepared.row.sourcePlatform || current.sourceId !== prepared.row.sourceId) {
        throw sourceImmutable();
      }
      if (current.contentHash === prepared.row.contentHash) return toRecordResource(current);
      return toRecordResource(await this.repository.replace(em, kommunCode, id, prepared.row.contentHash, prepared.row.recordJson));
    });
  }

  async delete(kommunCode: string, id: string, ifMatch: string | undefined): Promise<void> {
    await this.kommuner.assertExists(kommunCode);
    await this.tenants.run(kommunCode, async (em) => {
      const current = this.live(await this.repository.findById(em, kommunCode, id, true), id);
      if (ifMatch !== undefined && !etagMatches(ifMatch, current.version)) throw preconditionFailed(current.version);
      await this.repository.markDeleted(em, kommunCode, id);
    });
  }

  async list(kommunCode: string, q: ListRecordsQueryDto): Promise<{ data: RecordResource[]; nextCursor: string | null }> {
    await this.kommuner.assertExists(kommunCode);
    const afterId = decodeCursor('records', q.cursor, (p) => UUID.test(p));
    const rows = await this.tenants.run(kommunCode, (em) =>
      this.repository.list(em, kommunCode, {
        afterId,
        schoolUnit: q.schoolUnit,
        schoolYear: q.schoolYear,
        updatedSince: q.updatedSince ? new Date(q.updatedSince) : undefined,
        limit: q.limit + 1,
        today: new Date().toISOString().slice(0, 10),
      }),
    );
    const page = rows.slice(0, q.limit);
    const more = rows.length > q.limit;
    return { data: page.map(toRecordResource), nextCursor: more ? encodeCursor('records', page[page.length - 1].id) : null };
  }

  /**
   * The changes feed, as SS 12000 clients sync: read until `hasMore` is false, keep `nextCursor`,
   * come back later with it. The cursor always moves forward and is returned even on an empty page.
   */
  async changes(
    kommunCode: string,
    q: ChangesQueryDto,
  ): Promise<{ data: ChangeResource[]; nextCursor: string; hasMore: boolean }> {
    await this.kommuner.assertExists(kommunCode);
    const after = decodeCursor('changes', q.cursor, (p) => SEQ.test(p)) ?? '0';
    const rows = await this.tenants.run(kommunCode, (em) => this.repository.changesAfter(em, kommunCode, after, q.limit + 1));
    const page = rows.slice(0, q.limit);
    const last = page.length > 0 ? page[page.length - 1].seq : after;
    return { data: page.map(toChangeResource), nextCursor: encodeCursor('changes', last), hasMore: rows.length > q.limit };
  }

  /** Used by the bulk path and the seed: many prepared records in one statement. */
  async upsertPrepared(kommunCode: string, records: PreparedRecord[]): Promise<{ created: number; updated: number; unchanged: number }> {
    // Last one wins when a batch names the same source twice (ON CONFLICT cannot touch a row twice).
    const bySource = new Map(records.map((p) => [`${p.row.sourcePlatform}\u0000${p.row.sourceId}`, p.row]));
    const outcomes = await this.tenants.run(kommunCode, (em) => this.repository.upsertMany(em, kommunCode, [...bySource.values()]));
    const created = outcomes.filter((o) => o.inserted).length;
    return { created, updated: outcomes.length - created, unchanged: bySource.size - outcomes.length };
  }

  private live(stored: StoredRecord | undefined, id: string): StoredRecord {
    if (!stored) throw recordNotFound(id);
    if (stored.deletedAt) throw recordDeleted(id);
    return stored;
  }
}


import { Injectable } from '@nestjs/common';
import { isUuid } from '../common/http/uuid';
import { decodeCursor, encodeCursor } from '../common/http/cursor';
import { etagMatches } from '../common/http/etag';
import { IdempotencyService, StoredResponse } from '../common/idempotency/idempotency.service';
import { TenantDb, type TenantTx } from '../database/tenant-db';
import { KommunerService } from '../kommuner/kommuner.service';
import {
  ChangeResource,
  RecordResource,
  RecordResourceText,
  toChangeResource,
  toRecordResource,
  toRecordResourceText,
} from './record.mapper';
import { checkRecord, PreparedRecord, prepareRecord } from './record-intake';
import { ChangesQueryDto, ListRecordsQueryDto } from './records.dto';
import {
  foreignSource,
  outsideSchoolUnits,
  preconditionFailed,
  preconditionRequired,
  recordDeleted,
  recordNotFound,
  sourceImmutable,
} from './records.errors';
import type { LearnerRecord } from './learner-record.types';
import {
  checkWritable,
  limitsRecords,
  RecordScope,
  recordInScope,
  scopeCondition,
  WHOLE_KOMMUN,
  withinSections,
} from './record-scope';
import { RecordMeta, RecordsRepository, type StoredRecord } from './records.repository';
import type { ProvenanceDefaults } from './record-content';
import { RecordReader } from './record-reader';
import { UpsertBatcher } from './upsert-batcher';

export type UpsertResult = 'created' | 'updated' | 'unchanged';

export interface UpsertResponse {
  status: number;
  id: string;
  version: number;
  /** The response body, already serialised. */
  json: string;
  result: UpsertResult;
  replayed: boolean;
}

const SEQ = /^[0-9]{1,19}$/;
const apiProvenance = () => ({ adapter: 'api', adapterVersion: '1', importedAt: new Date().toISOString() });

/** The records API: upsert by source, read, replace with optimistic locking, delete, list, changes. */
@Injectable()
export class RecordsService {
  constructor(
    private readonly db: TenantDb,
    private readonly kommuner: KommunerService,
    private readonly repository: RecordsRepository,
    private readonly idempotency: IdempotencyService,
    private readonly batcher: UpsertBatcher,
    private readonly reader: RecordReader,
  ) {}

  /**
   * Creates or updates the record of (kommun, source platform, source id). Identical content is a
   * no-op that still answers with the stored record. An If-Match header guards an existing record.
   */
  async upsert(
    kommunCode: string,
    body: unknown,
    opts: { ifMatch?: string; idempotencyKey?: string; requestHash: string; normalised?: boolean },
    scope: RecordScope = WHOLE_KOMMUN,
  ): Promise<UpsertResponse> {
    await this.kommuner.assertExists(kommunCode);
    const prepared = prepareRecord(checkRecord(body, { normalised: opts.normalised }), apiProvenance());
    checkWritable(prepared.record, scope);
    const narrowed =
      limitsRecords(scope) || scope.sections !== undefined || scope.sourcePlatform !== undefined;
    if (opts.ifMatch === undefined && opts.idempotencyKey === undefined && !narrowed) {
      // The common case: group-committed with other upserts of this kommun (see UpsertBatcher).
      const r = await this.batcher.upsert(kommunCode, prepared.row);
      const result: UpsertResult = r.inserted ? 'created' : r.changed ? 'updated' : 'unchanged';
      const text = toRecordResourceText({ ...r.meta, recordJson: r.storedJson ?? prepared.row.recordJson });
      return {
        status: r.inserted ? 201 : 200,
        id: text.id,
        version: text.version,
        json: text.json,
        result,
        replayed: false,
      };
    }
    return this.db.transaction(kommunCode, async (tx) => {
      const work = async (): Promise<StoredResponse<RecordResource>> => {
        const { platform, id } = prepared.record.source;
        if (limitsRecords(scope)) {
          const existing = await this.repository.findBySource(tx, kommunCode, platform, id);
          // Someone else's pupil under the same source: as if it were not there to see, but not to overwrite.
          if (existing && !recordInScope(existing.record, scope)) throw outsideSchoolUnits();
        }
        if (opts.ifMatch !== undefined) {
          const current = await this.repository.findBySourceForUpdate(tx, kommunCode, platform, id);
          if (!current || !etagMatches(opts.ifMatch, current.version))
            throw preconditionFailed(current?.version ?? 0);
        }
        const [outcome] = await this.repository.upsertMany(tx, kommunCode, [prepared.row]);
        const stored = (await this.repository.findBySource(tx, kommunCode, platform, id))!;
        const result: UpsertResult = !outcome ? 'unchanged' : outcome.inserted ? 'created' : 'updated';
        return {
          status: result === 'created' ? 201 : 200,
          body: present(toRecordResource(stored), scope),
          headers: { 'x-upsert-result': result },
        };
      };
      const r =
        opts.idempotencyKey === undefined
          ? { ...(await work()), replayed: false }
          : await this.idempotency.run(tx, kommunCode, opts.idempotencyKey, opts.requestHash, work);
      return {
        status: r.status,
        id: r.body.id,
        version: r.body.version,
        json: JSON.stringify(r.body),
        result: r.headers['x-upsert-result'] as UpsertResult,
        replayed: r.replayed,
      };
    });
  }

  /** One record, with its content as stored JSON text (the hot path: no parse, no re-stringify). */
  async get(kommunCode: string, id: string, scope: RecordScope = WHOLE_KOMMUN): Promise<RecordResourceText> {
    await this.kommuner.assertExists(kommunCode);
    const stored = await this.reader.find(kommunCode, id.toLowerCase());
    const text = toRecordResourceText(this.live(stored, id));
    if (scope === WHOLE_KOMMUN || (!limitsRecords(scope) && !scope.sections)) return text;
    const resource = text.parsed();
    // Out of the caller's scope is the same as not there: nothing tells that the pupil exists.
    if (!recordInScope(resource.record, scope)) throw recordNotFound(id);
    const json = JSON.stringify(present(resource, scope));
    return { id: text.id, version: text.version, json, parsed: () => JSON.parse(json) as RecordResource };
  }

  /** Replaces a record's content. If-Match is required: a blind overwrite would lose others' changes. */
  async replace(
    kommunCode: string,
    id: string,
    body: unknown,
    opts: { ifMatch: string | undefined; normalised?: boolean },
    scope: RecordScope = WHOLE_KOMMUN,
  ): Promise<RecordResource> {
    const { ifMatch } = opts;
    if (ifMatch === undefined) throw preconditionRequired();
    await this.kommuner.assertExists(kommunCode);
    const prepared = prepareRecord(checkRecord(body, { normalised: opts.normalised }), apiProvenance());
    checkWritable(prepared.record, scope);
    return this.db.transaction(kommunCode, async (tx) => {
      const current = this.inScope(
        this.live(await this.repository.findForUpdate(tx, kommunCode, id), id),
        scope,
      );
      if (!etagMatches(ifMatch, current.version)) throw preconditionFailed(current.version);
      if (scope.sourcePlatform !== undefined && current.sourcePlatform !== scope.sourcePlatform) {
        throw foreignSource(scope.sourcePlatform);
      }
      if (
        current.sourcePlatform !== prepared.row.sourcePlatform ||
        current.sourceId !== prepared.row.sourceId
      ) {
        throw sourceImmutable();
      }
      if (current.contentHash === prepared.row.contentHash) return present(toRecordResource(current), scope);
      return present(
        toRecordResource(
          await this.repository.replace(
            tx,
            kommunCode,
            id,
            prepared.row.contentHash,
            prepared.row.recordJson,
          ),
        ),
        scope,
      );
    });
  }

  async delete(
    kommunCode: string,
    id: string,
    ifMatch: string | undefined,
    scope: RecordScope = WHOLE_KOMMUN,
  ): Promise<void> {
    await this.kommuner.assertExists(kommunCode);
    await this.db.transaction(kommunCode, async (tx) => {
      const current = this.inScope(
        this.live(await this.repository.findForUpdate(tx, kommunCode, id), id),
        scope,
      );
      if (scope.sourcePlatform !== undefined && current.sourcePlatform !== scope.sourcePlatform) {
        throw foreignSource(scope.sourcePlatform);
      }
      if (ifMatch !== undefined && !etagMatches(ifMatch, current.version))
        throw preconditionFailed(current.version);
      await this.repository.markDeleted(tx, kommunCode, id);
    });
  }

  async list(
    kommunCode: string,
    q: ListRecordsQueryDto,
    scope: RecordScope = WHOLE_KOMMUN,
  ): Promise<{ data: RecordResource[]; nextCursor: string | null }> {
    await this.kommuner.assertExists(kommunCode);
    const afterId = decodeCursor('records', q.cursor, isUuid);
    const rows = await this.repository.list(kommunCode, {
      afterId,
      schoolUnit: q.schoolUnit,
      schoolYear: q.schoolYear,
      updatedSince: q.updatedSince ? new Date(q.updatedSince) : undefined,
      search: q.q?.trim() || undefined,
      limit: q.limit + 1,
      today: new Date().toISOString().slice(0, 10),
      scope: scopeCondition(scope),
    });
    const page = rows.slice(0, q.limit);
    const more = rows.length > q.limit;
    return {
      data: page.map((r) => present(toRecordResource(r), scope)),
      nextCursor: more ? encodeCursor('records', page[page.length - 1].id) : null,
    };
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
    const rows = await this.repository.changesAfter(kommunCode, after, q.limit + 1);
    const page = rows.slice(0, q.limit);
    const last = page.length > 0 ? page[page.length - 1].seq : after;
    return {
      data: page.map(toChangeResource),
      nextCursor: encodeCursor('changes', last),
      hasMore: rows.length > q.limit,
    };
  }

  /** Used by the bulk path and the seed: many prepared records in one statement. */
  async upsertPrepared(
    kommunCode: string,
    records: PreparedRecord[],
  ): Promise<{ created: number; updated: number; unchanged: number }> {
    // Last one wins when a batch names the same source twice (ON CONFLICT cannot touch a row twice).
    const bySource = new Map(records.map((p) => [`${p.row.sourcePlatform}\u0000${p.row.sourceId}`, p.row]));
    const outcomes = await this.db.transaction(kommunCode, (tx) =>
      this.repository.upsertMany(tx, kommunCode, [...bySource.values()]),
    );
    const created = outcomes.filter((o) => o.inserted).length;
    return { created, updated: outcomes.length - created, unchanged: bySource.size - outcomes.length };
  }

  /**
   * Writes records inside the caller's transaction, keyed by their sources like every upsert, with
   * provenance filled in where items have none: for flows that must commit the records together with
   * their own state (transfers accepted in the same transaction as their inbox rows). Two records
   * of one source in one call are not allowed (the upsert cannot touch a row twice).
   */
  async upsertWithin(
    tx: TenantTx,
    kommunCode: string,
    bodies: unknown[],
    provenance: ProvenanceDefaults,
  ): Promise<Array<{ id: string; version: number; result: UpsertResult }>> {
    // Each record checked (and refused) on its own; then all written in few statements.
    const prepared = bodies.map((body) => prepareRecord(checkRecord(body), provenance));
    const key = (platform: string, id: string) => `${platform}\u0000${id}`;
    const changed = new Map(
      (
        await this.repository.upsertMany(
          tx,
          kommunCode,
          prepared.map((p) => p.row),
        )
      ).map((o) => [key(o.sourcePlatform, o.sourceId), o]),
    );
    const stored = new Map(
      (
        await this.repository.findBySources(
          tx,
          kommunCode,
          prepared.map((p) => ({ platform: p.row.sourcePlatform, id: p.row.sourceId })),
        )
      ).map((r) => [key(r.sourcePlatform, r.sourceId), r]),
    );
    return prepared.map((p) => {
      const k = key(p.row.sourcePlatform, p.row.sourceId);
      const outcome = changed.get(k);
      const row = stored.get(k)!;
      const result: UpsertResult = !outcome ? 'unchanged' : outcome.inserted ? 'created' : 'updated';
      return { id: row.id, version: row.version, result };
    });
  }

  /**
   * What the kommun already holds of a pupil: the record under `source` (if any) and the live
   * records of the same civic number, newest first, at most `limit`. For comparisons before a write
   * (a transfer's dry-run diff); the caller's own scope checks apply before it.
   */
  async holdings(
    kommunCode: string,
    source: { platform: string; id: string },
    civicNo: string | undefined,
    limit = 10,
  ): Promise<{ bySource: StoredRecord | undefined; byCivicNo: StoredRecord[] }> {
    return this.db.transaction(kommunCode, async (tx) => ({
      bySource: await this.repository.findBySource(tx, kommunCode, source.platform, source.id),
      byCivicNo: civicNo ? await this.repository.findByCivicNo(tx, kommunCode, civicNo, limit) : [],
    }));
  }

  private inScope<T extends RecordMeta & { record: LearnerRecord }>(stored: T, scope: RecordScope): T {
    if (!recordInScope(stored.record, scope)) throw recordNotFound(stored.id);
    return stored;
  }

  private live<T extends RecordMeta>(stored: T | undefined, id: string): T {
    if (!stored) throw recordNotFound(id);
    if (stored.deletedAt) throw recordDeleted(id);
    return stored;
  }
}

/** The resource as the caller may see it: only the sections their scope grants. */
const present = (resource: RecordResource, scope: RecordScope): RecordResource =>
  scope.sections ? { ...resource, record: withinSections(resource.record, scope) } : resource;

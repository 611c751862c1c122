import { Injectable } from '@nestjs/common';
import { join, Sql, sql } from '../database/sql';
import { TenantDb } from '../database/tenant-db';
import { GENESIS_HASH } from './audit-canonical';
import { AuditEntry, ChainHead } from './audit-entry';

/** A signed checkpoint as stored: the chain's hash at `seq`, and the JWS over it. */
export interface StoredCheckpoint {
  kommunCode: string;
  seq: number;
  hash: string;
  time: string;
  jws: string;
}

/** Filters of the entry list and the DPO export. `to` is exclusive. */
export interface EntryFilter {
  recordId?: string;
  from?: Date;
  to?: Date;
  action?: string;
  outcome?: string;
}

const COLUMNS = `kommun_code, seq, v, occurred_at, actor_kind, actor_subject, actor_role, on_behalf_of,
  action, outcome, pupil_record_ids, pupil_civic_no_hashes, sections, legal_basis, request_id, purpose,
  recipient, detail, prev_hash, hash`;

// Microseconds spelled out: a value changed below the millisecond must still change the hash input.
const SELECT = new Sql(`kommun_code AS "kommunCode", seq, v,
  to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "occurredAt",
  actor_kind AS "actorKind", actor_subject AS "actorSubject", actor_role AS "actorRole",
  on_behalf_of AS "onBehalfOf", action, outcome, pupil_record_ids::text[] AS "pupilRecordIds",
  pupil_civic_no_hashes AS "pupilCivicNoHashes", sections, legal_basis AS "legalBasis",
  request_id AS "requestId", purpose, recipient, detail, prev_hash AS "prevHash", hash`);

const CHECKPOINT_SELECT = new Sql(`kommun_code AS "kommunCode", seq, hash,
  to_char(made_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS time, jws`);

type EntryRow = Omit<AuditEntry, 'seq' | 'actor' | 'v'> & {
  seq: string;
  v: number;
  actorKind: AuditEntry['actor']['kind'];
  actorSubject: string | null;
  actorRole: string | null;
};

/** The stored row as the entry that was hashed; what a superuser changed shows as a different entry. */
function toEntry(row: EntryRow): AuditEntry {
  const { actorKind, actorSubject, actorRole, seq, occurredAt, ...rest } = row;
  return {
    ...rest,
    v: row.v as 1,
    seq: Number(seq),
    occurredAt: occurredAt.replace(/(\.[0-9]{3})000Z$/, '$1Z'),
    actor: { kind: actorKind, subject: actorSubject, role: actorRole },
  };
}

const toCheckpoint = (row: Omit<StoredCheckpoint, 'seq'> & { seq: string }): StoredCheckpoint => ({
  ...row,
  seq: Number(row.seq),
});

const jsonOrNull = (value: unknown): string | null => (value === null ? null : JSON.stringify(value));

function values(e: AuditEntry): Sql {
  return sql`(${e.kommunCode}, ${e.seq}, ${e.v}, ${e.occurredAt}::timestamptz, ${e.actor.kind},
    ${e.actor.subject}::text, ${e.actor.role}::text, ${e.onBehalfOf}::text, ${e.action}, ${e.outcome},
    ${e.pupilRecordIds}::uuid[], ${e.pupilCivicNoHashes}::text[], ${e.sections}::text[],
    ${jsonOrNull(e.legalBasis)}::jsonb, ${e.requestId}::text, ${e.purpose}::text, ${e.recipient}::text,
    ${JSON.stringify(e.detail)}::jsonb, ${e.prevHash}, ${e.hash})`;
}

/**
 * One kommun's appends wait for each other (and for no other kommun's) on this transaction-level
 * advisory lock, on every instance that shares the database. The two-key form keeps it apart from
 * the single-key locks other modules take.
 */
const lockChain = (kommunCode: string): Sql =>
  sql`SELECT pg_advisory_xact_lock(hashtext('portabel.audit_log'), ${Number(kommunCode)})`;

/**
 * The chain's last entry. The embedded database has no autovacuum, hence no statistics, and its
 * planner would then sort all of the kommun's entries to find the last one; without sorts the
 * primary key read backwards is the only plan left (the one the server chooses anyway).
 */
const headOf = (kommunCode: string): Sql[] => [
  sql`SELECT set_config('enable_sort', 'off', true)`,
  sql`SELECT seq, hash FROM audit_log WHERE kommun_code = ${kommunCode} ORDER BY seq DESC LIMIT 1`,
];

const toHead = (row: { seq: string; hash: string } | undefined): ChainHead =>
  row ? { seq: Number(row.seq), hash: row.hash } : { seq: 0, hash: GENESIS_HASH };

/** Another writer appended at a seq this batch wanted: its head was stale. */
const isTakenSeq = (err: unknown): boolean =>
  (err as { code?: string; constraint?: string }).code === '23505' &&
  (err as { constraint?: string }).constraint === 'pk_audit_log';

/** The audit_log and audit_checkpoints tables, always through TenantDb (row-level security by kommun). */
@Injectable()
export class AuditLogRepository {
  constructor(private readonly db: TenantDb) {}

  async head(kommunCode: string): Promise<ChainHead> {
    const [row] = await this.db.once<{ seq: string; hash: string }>(kommunCode, ...headOf(kommunCode));
    return toHead(row);
  }

  /**
   * Inserts the chained entries in one round trip and one commit, if `expected` is still the
   * chain's head once the kommun's lock is held; false (nothing written) if another writer moved it.
   * Checked without reading the head: the entry at expected.seq must have expected.hash (a primary
   * key lookup), and the batch's seqs must be free (the primary key refuses them otherwise).
   */
  async appendIfHead(kommunCode: string, expected: ChainHead, entries: AuditEntry[]): Promise<boolean> {
    const after =
      expected.seq === 0
        ? sql`TRUE`
        : sql`EXISTS (SELECT 1 FROM audit_log WHERE kommun_code = ${kommunCode}
                        AND seq = ${expected.seq} AND hash = ${expected.hash})`;
    try {
      const rows = await this.db.once(
        kommunCode,
        lockChain(kommunCode),
        // A statement of its own after the lock: under READ COMMITTED its snapshot sees every
        // append committed before the lock was granted.
        sql`INSERT INTO audit_log (${new Sql(COLUMNS)})
            SELECT * FROM (VALUES ${join(entries.map(values), ',\n')}) AS v (${new Sql(COLUMNS)})
             WHERE ${after}
            RETURNING seq`,
      );
      if (rows.length !== 0 && rows.length !== entries.length) {
        throw new Error('audit append wrote part of a batch');
      }
      return rows.length === entries.length;
    } catch (err) {
      if (isTakenSeq(err)) return false;
      throw err;
    }
  }

  /** Takes the kommun's lock, reads the head, chains the entries onto it and inserts them. */
  appendLocked(kommunCode: string, chain: (head: ChainHead) => AuditEntry[]): Promise<AuditEntry[]> {
    return this.db.transaction(kommunCode, async (tx) => {
      await tx.query(lockChain(kommunCode).text);
      const [sorts, read] = headOf(kommunCode);
      await tx.query(sorts.text);
      const [row] = await tx.query<{ seq: string; hash: string }>(read.text);
      const entries = chain(toHead(row));
      await tx.query(
        sql`INSERT INTO audit_log (${new Sql(COLUMNS)}) VALUES ${join(entries.map(values), ',\n')}`.text,
      );
      return entries;
    });
  }

  /**
   * Entries with afterSeq < seq <= min(uptoSeq, afterSeq + limit), oldest first: a window of seqs,
   * so that the query reads no more than a page whatever plan the database picks (seqs are
   * consecutive in an intact chain; a window with gaps simply holds fewer entries).
   */
  async range(kommunCode: string, afterSeq: number, uptoSeq: number, limit: number): Promise<AuditEntry[]> {
    const rows = await this.db.once<EntryRow>(
      kommunCode,
      sql`SELECT ${SELECT} FROM audit_log
           WHERE kommun_code = ${kommunCode} AND seq > ${afterSeq} AND seq <= ${Math.min(uptoSeq, afterSeq + limit)}
           ORDER BY seq`,
    );
    return rows.map(toEntry);
  }

  /** Newest first, before `beforeSeq` when given. */
  async list(
    kommunCode: string,
    filter: EntryFilter,
    beforeSeq: number | undefined,
    limit: number,
  ): Promise<AuditEntry[]> {
    const where = [...conditions(kommunCode, filter)];
    if (beforeSeq !== undefined) where.push(sql`seq < ${beforeSeq}`);
    const rows = await this.db.once<EntryRow>(
      kommunCode,
      sql`SELECT ${SELECT} FROM audit_log WHERE ${join(where, ' AND ')} ORDER BY seq DESC LIMIT ${limit}`,
    );
    return rows.map(toEntry);
  }

  /** The entries that pass the filter with afterSeq < seq <= uptoSeq, oldest first: a window of the export. */
  async filteredRange(
    kommunCode: string,
    filter: EntryFilter,
    afterSeq: number,
    uptoSeq: number,
  ): Promise<AuditEntry[]> {
    const where = [...conditions(kommunCode, filter), sql`seq > ${afterSeq}`, sql`seq <= ${uptoSeq}`];
    const rows = await this.db.once<EntryRow>(
      kommunCode,
      sql`SELECT ${SELECT} FROM audit_log WHERE ${join(where, ' AND ')} ORDER BY seq`,
    );
    return rows.map(toEntry);
  }

  /** Stores a checkpoint; one at a seq is enough, so a second (another instance's) is dropped. */
  async insertCheckpoint(c: StoredCheckpoint): Promise<void> {
    await this.db.once(
      c.kommunCode,
      sql`INSERT INTO audit_checkpoints (kommun_code, seq, hash, made_at, jws)
          VALUES (${c.kommunCode}, ${c.seq}, ${c.hash}, ${c.time}::timestamptz, ${c.jws})
          ON CONFLICT (kommun_code, seq) DO NOTHING`,
    );
  }

  /** Checkpoints with fromSeq <= seq <= toSeq (toSeq absent: to the end), oldest first. */
  async checkpoints(
    kommunCode: string,
    fromSeq: number,
    toSeq?: number,
    limit = 10_000,
  ): Promise<StoredCheckpoint[]> {
    const upper = toSeq === undefined ? sql`` : sql`AND seq <= ${toSeq}`;
    const rows = await this.db.once<Omit<StoredCheckpoint, 'seq'> & { seq: string }>(
      kommunCode,
      sql`SELECT ${CHECKPOINT_SELECT} FROM audit_checkpoints
           WHERE kommun_code = ${kommunCode} AND seq >= ${fromSeq} ${upper} ORDER BY seq LIMIT ${limit}`,
    );
    return rows.map(toCheckpoint);
  }

  /** Newest first, before `beforeSeq` when given. */
  async listCheckpoints(
    kommunCode: string,
    beforeSeq: number | undefined,
    limit: number,
  ): Promise<StoredCheckpoint[]> {
    const before = beforeSeq === undefined ? sql`` : sql`AND seq < ${beforeSeq}`;
    const rows = await this.db.once<Omit<StoredCheckpoint, 'seq'> & { seq: string }>(
      kommunCode,
      sql`SELECT ${CHECKPOINT_SELECT} FROM audit_checkpoints
           WHERE kommun_code = ${kommunCode} ${before} ORDER BY seq DESC LIMIT ${limit}`,
    );
    return rows.map(toCheckpoint);
  }
}

function conditions(kommunCode: string, filter: EntryFilter): Sql[] {
  const where = [sql`kommun_code = ${kommunCode}`];
  if (filter.recordId) where.push(sql`pupil_record_ids @> ARRAY[${filter.recordId}]::uuid[]`);
  if (filter.from) where.push(sql`occurred_at >= ${filter.from}`);
  if (filter.to) where.push(sql`occurred_at < ${filter.to}`);
  if (filter.action) where.push(sql`action = ${filter.action}`);
  if (filter.outcome) where.push(sql`outcome = ${filter.outcome}`);
  return where;
}

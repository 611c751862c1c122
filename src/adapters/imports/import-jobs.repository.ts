import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Sql, sql } from '../../database/sql';
import { TenantDb, TenantTx } from '../../database/tenant-db';
import { accumulate, type AccumulatingSection } from '../../records/accumulating-sections';
import type { LearnerRecord } from '../../records/learner-record.types';
import type { StagedRow } from './staged-batch';

export type ImportState = 'queued' | 'running' | 'succeeded' | 'failed' | 'refused';

export interface ImportCounts {
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  deleted: number;
}

export interface ImportJobRow {
  id: string;
  kommunCode: string;
  platformId: string | null;
  sourcePlatform: string;
  adapter: string;
  options: Record<string, unknown>;
  fileName: string | null;
  mediaType: string | null;
  size: string;
  sha256: string;
  dryRun: boolean;
  mode: 'delta' | 'snapshot';
  confirmDeletions: boolean;
  deletionThreshold: number;
  state: ImportState;
  processed: number;
  total: number | null;
  counts: Partial<ImportCounts>;
  lossSummary: Record<string, number>;
  problem: Record<string, unknown> | null;
  attempts: number;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
}

/** What a staged item is: a pupil's record, a deletion, or a pupil refused (with why). */
export const STAGED_KINDS = ['record', 'deletion', 'rejected'] as const;
export type StagedKind = (typeof STAGED_KINDS)[number];

export interface StagedItem {
  seq: number;
  kind: StagedKind;
  sourceId: string | null;
  contentHash: string | null;
  recordJson: string | null;
  loss: unknown[];
  errors: unknown[];
  location: Record<string, unknown>;
}

const JOB_COLUMNS =
  new Sql(`id, kommun_code AS "kommunCode", platform_id AS "platformId", source_platform AS "sourcePlatform",
  adapter, options, file_name AS "fileName", media_type AS "mediaType", size, sha256, dry_run AS "dryRun", mode,
  confirm_deletions AS "confirmDeletions", deletion_threshold AS "deletionThreshold", state, processed, total, counts,
  loss_summary AS "lossSummary", problem, attempts, created_at AS "createdAt", started_at AS "startedAt",
  finished_at AS "finishedAt", updated_at AS "updatedAt"`);

const CHUNK = 1024 * 1024;
/** Pupils merged at a time: each holds a staged and a live record in memory. */
const ACCUMULATE_BATCH = 100;

/** SQL of import jobs: the job row, its file, its staging area and the final, atomic apply. */
@Injectable()
export class ImportJobsRepository {
  constructor(
    private readonly db: TenantDb,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async insertJob(
    kommunCode: string,
    job: {
      platformId: string | null;
      sourcePlatform: string;
      adapter: string;
      options: Record<string, unknown>;
      fileName: string | null;
      mediaType: string | null;
      size: number;
      sha256: string;
      dryRun: boolean;
      mode: string;
      confirmDeletions: boolean;
      deletionThreshold: number;
    },
    file: AsyncIterable<Buffer>,
  ): Promise<ImportJobRow> {
    return this.db.transaction(kommunCode, async (tx) => {
      const [row] = await tx.query<ImportJobRow>(
        `INSERT INTO import_jobs (kommun_code, platform_id, source_platform, adapter, options, file_name, media_type, size,
           sha256, dry_run, mode, confirm_deletions, deletion_threshold)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING ${JOB_COLUMNS.text}`,
        [
          kommunCode,
          job.platformId,
          job.sourcePlatform,
          job.adapter,
          JSON.stringify(job.options),
          job.fileName,
          job.mediaType,
          job.size,
          job.sha256,
          job.dryRun,
          job.mode,
          job.confirmDeletions,
          job.deletionThreshold,
        ],
      );
      let seq = 0;
      let pending: Buffer[] = [];
      let pendingSize = 0;
      const flush = async () => {
        if (pendingSize === 0) return;
        await tx.query(
          `INSERT INTO import_file_chunks (job_id, seq, kommun_code, data) VALUES ($1, $2, $3, $4)`,
          [row.id, seq++, kommunCode, Buffer.concat(pending)],
        );
        pending = [];
        pendingSize = 0;
      };
      for await (const chunk of file) {
        pending.push(chunk);
        pendingSize += chunk.length;
        if (pendingSize >= CHUNK) await flush();
      }
      await flush();
      return row;
    });
  }

  async findJob(kommunCode: string, id: string): Promise<ImportJobRow | undefined> {
    const rows = await this.db.once<ImportJobRow>(
      kommunCode,
      sql`SELECT ${JOB_COLUMNS} FROM import_jobs WHERE kommun_code = ${kommunCode} AND id = ${id}::uuid`,
    );
    return rows[0];
  }

  /**
   * Jobs of every kommun that are queued or running but have not moved for `seconds`. A system
   * task across tenants: it runs on the service's own connection (not as the tenant role) and reads
   * only ids.
   */
  /**
   * A kommun's jobs that have not moved for `seconds`. Asked kommun by kommun, as a tenant: the
   * service's own role owns the table, and row-level security is forced on owners too (only a
   * superuser would see every kommun's rows at once).
   */
  stalledJobs(kommunCode: string, seconds: number): Promise<Array<{ id: string; kommunCode: string }>> {
    return this.db.once<{ id: string; kommunCode: string }>(
      kommunCode,
      sql`SELECT id, kommun_code AS "kommunCode" FROM import_jobs
           WHERE kommun_code = ${kommunCode} AND state IN ('queued', 'running')
             AND updated_at < now() - make_interval(secs => ${seconds})`,
    );
  }

  /**
   * Newest first, after the job `beforeId` when given. The position is read from that job's own row so
   * that it keeps created_at to the microsecond (a millisecond in a cursor would skip jobs made in the
   * same millisecond); a job gone since (purged) ends the list.
   */
  listJobs(kommunCode: string, limit: number, beforeId?: string): Promise<ImportJobRow[]> {
    const after = beforeId
      ? sql` AND (created_at, id) < (SELECT created_at, id FROM import_jobs WHERE kommun_code = ${kommunCode} AND id = ${beforeId}::uuid)`
      : sql``;
    return this.db.once<ImportJobRow>(
      kommunCode,
      sql`SELECT ${JOB_COLUMNS} FROM import_jobs WHERE kommun_code = ${kommunCode}${after} ORDER BY created_at DESC, id DESC LIMIT ${limit}`,
    );
  }

  /** The uploaded file's chunks, one at a time (never the whole file in memory). */
  async *fileChunks(kommunCode: string, id: string): AsyncGenerator<Buffer> {
    for (let seq = 0; ; seq++) {
      const [row] = await this.db.once<{ data: Buffer }>(
        kommunCode,
        sql`SELECT data FROM import_file_chunks WHERE kommun_code = ${kommunCode} AND job_id = ${id}::uuid AND seq = ${seq}`,
      );
      if (!row) return;
      yield row.data;
    }
  }

  async markRunning(kommunCode: string, id: string): Promise<void> {
    await this.db.once(
      kommunCode,
      sql`UPDATE import_jobs SET state = 'running', attempts = attempts + 1, started_at = coalesce(started_at, now()), updated_at = now()
          WHERE kommun_code = ${kommunCode} AND id = ${id}::uuid`,
    );
  }

  async stagedCount(kommunCode: string, id: string): Promise<number> {
    const [row] = await this.db.once<{ n: number }>(
      kommunCode,
      sql`SELECT coalesce(max(seq), 0)::int AS n FROM import_staging WHERE kommun_code = ${kommunCode} AND job_id = ${id}::uuid`,
    );
    return row.n;
  }

  /** Stages a batch and moves the job's progress in the same transaction: a crash loses neither or both. */
  async stage(kommunCode: string, id: string, items: StagedRow[]): Promise<void> {
    if (items.length === 0) return;
    await this.db.transaction(kommunCode, async (tx) => {
      const params: unknown[] = [id, kommunCode];
      const values = items.map((it) => {
        const p = params.length;
        params.push(
          it.seq,
          it.kind,
          it.sourceId,
          it.contentHash,
          it.recordJsonb, // jsonb's binary input: the bytes go to PostgreSQL as they are
          JSON.stringify(it.loss),
          JSON.stringify(it.errors),
          JSON.stringify(it.location),
        );
        return `($1, $${p + 1}, $2, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}::jsonb, $${p + 6}::jsonb, $${p + 7}::jsonb, $${p + 8}::jsonb)`;
      });
      await tx.query(
        `INSERT INTO import_staging (job_id, seq, kommun_code, kind, source_id, content_hash, record, loss, errors, location)
         VALUES ${values.join(',')} ON CONFLICT (job_id, seq) DO NOTHING`,
        params,
      );
      await tx.query(
        `UPDATE import_jobs SET processed = $3, updated_at = now() WHERE kommun_code = $1 AND id = $2`,
        [kommunCode, id, items[items.length - 1].seq],
      );
    });
  }

  /**
   * For an adapter whose sections accumulate, a delta import's staged pupils are made whole before
   * the plan: each takes the live record's items it does not bring again (accumulating-sections.ts),
   * so what the plan counts and apply writes is the merged record. A pupil with nothing new is staged
   * as the live record's hash, and counts as unchanged; one whose sections would overflow is
   * rejected. Two imports of one platform concluding at once add up, the second merging onto what
   * the first wrote: they take turns (a lock of the platform, held to the commit), which also covers
   * a pupil both bring for the first time; the live rows are locked against other writers.
   */
  async accumulate(tx: TenantTx, job: ImportJobRow, sections: readonly AccumulatingSection[]): Promise<void> {
    await tx.query(
      `SELECT pg_advisory_xact_lock(hashtextextended('import-accumulate:' || $1 || ':' || $2, 0))`,
      [job.kommunCode, job.sourcePlatform],
    );
    for (let after = 0; ;) {
      const rows = await tx.query<{
        seq: number;
        record: LearnerRecord;
        live: LearnerRecord;
        liveHash: string;
      }>(
        `SELECT st.seq, st.record, lr.record AS live, lr.content_hash AS "liveHash"
           FROM import_staging st
           JOIN learner_records lr ON lr.kommun_code = $2 AND lr.source_platform = $3 AND lr.source_id = st.source_id
                                  AND lr.deleted_at IS NULL
          WHERE st.job_id = $1 AND st.kind = 'record' AND st.seq > $4
          ORDER BY st.seq LIMIT ${ACCUMULATE_BATCH}
          FOR UPDATE OF lr`,
        [job.id, job.kommunCode, job.sourcePlatform, after],
      );
      if (rows.length === 0) return;
      after = rows[rows.length - 1].seq;
      const updates = rows.map(({ seq, record, live, liveHash }) => {
        const outcome = accumulate(record, live, sections);
        if (outcome.kind === 'tooMany') return { seq, kind: 'rejected', errors: outcome.errors };
        if (outcome.kind === 'unchanged') return { seq, kind: 'record', hash: liveHash };
        return { seq, kind: 'record', hash: outcome.contentHash, record: outcome.record };
      });
      // An unchanged pupil keeps its staged record: the plan and apply go by the hash.
      await tx.query(
        `UPDATE import_staging st
            SET kind = u.kind, content_hash = u.hash, errors = coalesce(u.errors, st.errors),
                record = CASE WHEN u.kind = 'rejected' THEN NULL ELSE coalesce(u.record, st.record) END
           FROM jsonb_to_recordset($2::jsonb) AS u(seq int, kind text, hash text, record jsonb, errors jsonb)
          WHERE st.job_id = $1 AND st.seq = u.seq`,
        [job.id, JSON.stringify(updates)],
      );
    }
  }

  /** What applying the staged items would do, pupil by pupil, counted. */
  async plan(
    tx: TenantTx,
    job: ImportJobRow,
  ): Promise<ImportCounts & { liveBefore: number; loss: Record<string, number> }> {
    const [row] = await tx.query<ImportCounts & { liveBefore: number; loss: Record<string, number> | null }>(
      `WITH s AS (
         SELECT DISTINCT ON (source_id) source_id, kind, content_hash FROM import_staging
          WHERE job_id = $1 AND kind IN ('record', 'deletion') ORDER BY source_id, seq DESC
       ), live AS (
         SELECT source_id, content_hash FROM learner_records
          WHERE kommun_code = $2 AND source_platform = $3 AND deleted_at IS NULL
       )
       SELECT
         (SELECT count(*) FROM s LEFT JOIN learner_records lr ON lr.kommun_code = $2 AND lr.source_platform = $3 AND lr.source_id = s.source_id
           WHERE s.kind = 'record' AND lr.id IS NULL)::int AS created,
         (SELECT count(*) FROM s JOIN learner_records lr ON lr.kommun_code = $2 AND lr.source_platform = $3 AND lr.source_id = s.source_id
           WHERE s.kind = 'record' AND (lr.content_hash <> s.content_hash OR lr.deleted_at IS NOT NULL))::int AS updated,
         (SELECT count(*) FROM s JOIN live ON live.source_id = s.source_id WHERE s.kind = 'record' AND live.content_hash = s.content_hash)::int AS unchanged,
         (SELECT count(*) FROM import_staging WHERE job_id = $1 AND kind = 'rejected')::int AS rejected,
         (CASE WHEN $4 = 'snapshot'
            THEN (SELECT count(*) FROM live WHERE NOT EXISTS (SELECT 1 FROM import_staging st WHERE st.job_id = $1 AND st.source_id = live.source_id))
            ELSE (SELECT count(*) FROM s JOIN live ON live.source_id = s.source_id WHERE s.kind = 'deletion') END)::int AS deleted,
         (SELECT count(*) FROM learner_records WHERE kommun_code = $2 AND deleted_at IS NULL)::int AS "liveBefore",
         (SELECT jsonb_object_agg(kind, n) FROM (SELECT e->>'kind' AS kind, count(*) AS n FROM import_staging,
            jsonb_array_elements(loss) e WHERE job_id = $1 GROUP BY 1) k) AS loss`,
      [job.id, job.kommunCode, job.sourcePlatform, job.mode],
    );
    return { ...row, loss: row.loss ?? {} };
  }

  /** Writes every staged pupil and deletion in the caller's transaction: all of the import or none. */
  async apply(
    tx: TenantTx,
    job: ImportJobRow,
  ): Promise<{ created: number; updated: number; deleted: number }> {
    const [upserts] = await tx.query<{ created: number; updated: number }>(
      `WITH s AS (
         -- The last staged item per pupil wins, found by key: the wide records are never sorted.
         SELECT st.source_id, st.content_hash, st.record FROM import_staging st
           JOIN (SELECT max(seq) AS seq FROM import_staging WHERE job_id = $1 AND kind = 'record' GROUP BY source_id) latest
             ON latest.seq = st.seq
          WHERE st.job_id = $1
       ), upserted AS (
         INSERT INTO learner_records AS lr (kommun_code, source_platform, source_id, content_hash, record)
         SELECT $2, $3, source_id, content_hash, record FROM s
         ON CONFLICT (kommun_code, source_platform, source_id) DO UPDATE
           SET record = EXCLUDED.record, content_hash = EXCLUDED.content_hash, version = lr.version + 1,
               updated_at = now(), deleted_at = NULL
           WHERE lr.content_hash <> EXCLUDED.content_hash OR lr.deleted_at IS NOT NULL
         RETURNING lr.id, lr.version, (lr.xmax = 0) AS inserted
       ), changes AS (
         INSERT INTO record_changes (kommun_code, record_id, change_type, version)
         SELECT $2, u.id, CASE WHEN u.inserted THEN 'created' ELSE 'updated' END, u.version FROM upserted u
       )
       SELECT count(*) FILTER (WHERE inserted)::int AS created, count(*) FILTER (WHERE NOT inserted)::int AS updated FROM upserted`,
      [job.id, job.kommunCode, job.sourcePlatform],
    );
    const gone =
      job.mode === 'snapshot'
        ? `lr.source_id NOT IN (SELECT source_id FROM import_staging WHERE job_id = $1 AND source_id IS NOT NULL)`
        : `lr.source_id IN (SELECT source_id FROM import_staging WHERE job_id = $1 AND kind = 'deletion')`;
    const [deletions] = await tx.query<{ deleted: number }>(
      `WITH d AS (
         UPDATE learner_records lr SET deleted_at = now(), version = version + 1, updated_at = now()
          WHERE lr.kommun_code = $2 AND lr.source_platform = $3 AND lr.deleted_at IS NULL AND ${gone}
          RETURNING lr.id, lr.version
       ), changes AS (
         INSERT INTO record_changes (kommun_code, record_id, change_type, version) SELECT $2, d.id, 'deleted', d.version FROM d
       )
       SELECT count(*)::int AS deleted FROM d`,
      [job.id, job.kommunCode, job.sourcePlatform],
    );
    return { ...upserts, deleted: deletions.deleted };
  }

  /**
   * Refreshes the planner's statistics of the learner records after an import changed many of them.
   * A bulk load leaves them stale until autovacuum's next analyze (which may be off, or minutes
   * away); meanwhile the planner guesses one row per kommun and an export's paging reads every
   * record of the kommun for each page. Runs as the service's own role (the table's owner), outside
   * any tenant; a role that may not analyze only gets PostgreSQL's warning.
   */
  async refreshStatistics(): Promise<void> {
    await this.dataSource.query('ANALYZE learner_records');
  }

  async finish(
    tx: TenantTx,
    kommunCode: string,
    id: string,
    state: ImportState,
    fields: {
      counts?: ImportCounts;
      loss?: Record<string, number>;
      problem?: Record<string, unknown>;
      total?: number;
    },
  ): Promise<void> {
    await tx.query(
      `UPDATE import_jobs SET state = $3, counts = coalesce($4::jsonb, counts), loss_summary = coalesce($5::jsonb, loss_summary),
         problem = $6::jsonb, total = coalesce($7, total), finished_at = now(), updated_at = now()
        WHERE kommun_code = $1 AND id = $2`,
      [
        kommunCode,
        id,
        state,
        fields.counts ? JSON.stringify(fields.counts) : null,
        fields.loss ? JSON.stringify(fields.loss) : null,
        fields.problem ? JSON.stringify(fields.problem) : null,
        fields.total ?? null,
      ],
    );
    // The upload is no longer needed once the job has an outcome; staged records are trimmed to
    // their outcome (kept for the per-pupil listing), except in a dry run, which is all listing.
    await tx.query(`DELETE FROM import_file_chunks WHERE job_id = $1`, [id]);
  }

  /** Per-pupil outcomes of a job, in input order after `afterSeq`. */
  items(kommunCode: string, job: ImportJobRow, afterSeq: number, limit: number, kind?: StagedKind) {
    return this.db.once<{
      seq: number;
      kind: string;
      sourceId: string | null;
      outcome: string;
      errors: unknown[];
      loss: unknown[];
      location: Record<string, unknown>;
    }>(
      kommunCode,
      sql`SELECT s.seq, s.kind, s.source_id AS "sourceId", s.errors, s.loss, s.location,
                 CASE WHEN s.kind = 'rejected' THEN 'rejected'
                      WHEN s.kind = 'deletion' THEN 'deleted'
                      WHEN ${job.state} = 'succeeded' AND NOT ${job.dryRun} THEN 'written'
                      WHEN lr.id IS NULL THEN 'created'
                      WHEN lr.content_hash = s.content_hash AND lr.deleted_at IS NULL THEN 'unchanged'
                      ELSE 'updated' END AS outcome
            FROM import_staging s
            LEFT JOIN learner_records lr ON lr.kommun_code = ${kommunCode} AND lr.source_platform = ${job.sourcePlatform}
                                        AND lr.source_id = s.source_id
           WHERE s.kommun_code = ${kommunCode} AND s.job_id = ${job.id}::uuid AND s.seq > ${afterSeq}
             ${kind ? sql`AND s.kind = ${kind}` : sql``}
           ORDER BY s.seq LIMIT ${limit}`,
    );
  }
}

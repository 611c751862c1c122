import { Injectable } from '@nestjs/common';
import { Sql, sql } from '../../database/sql';
import { TenantDb, TenantTx } from '../../database/tenant-db';
import type { TransferManifest } from '../package/package-format';
import type { TransferState } from '../transfer-states';

export interface TransferRow {
  id: string;
  kommunCode: string;
  jti: string | null;
  recordId: string;
  purpose: 'transfer' | 'portability';
  receiverKommun: string;
  receiverSchoolUnit: string | null;
  deliver: 'push' | 'download';
  state: TransferState;
  batchId: string | null;
  subjectRequestId: string | null;
  createdBy: string;
  createdByRole: string;
  packageSha256: string | null;
  manifest: TransferManifest | null;
  loss: unknown[] | null;
  attempts: number;
  nextAttemptAt: Date;
  leaseUntil: Date | null;
  lastError: Record<string, unknown> | null;
  problem: Record<string, unknown> | null;
  outcomeReason: string | null;
  receipt: string | null;
  createdAt: Date;
  sealedAt: Date | null;
  deliveredAt: Date | null;
  acknowledgedAt: Date | null;
  cancelledAt: Date | null;
  downloadedAt: Date | null;
}

export interface NewTransfer {
  recordId: string;
  purpose: 'transfer' | 'portability';
  receiverKommun: string;
  receiverSchoolUnit: string | null;
  deliver: 'push' | 'download';
  batchId?: string | null;
  subjectRequestId?: string | null;
  createdBy: string;
  createdByRole: string;
}

export interface BatchRow {
  id: string;
  kommunCode: string;
  receiverKommun: string;
  receiverSchoolUnit: string | null;
  deliver: 'push' | 'download';
  selection: { recordIds?: string[]; schoolUnit?: string; schoolYear?: number };
  state: 'queued' | 'created';
  pupils: number | null;
  createdBy: string;
  createdAt: Date;
}

const COLUMNS = new Sql(`id, kommun_code AS "kommunCode", jti, record_id AS "recordId", purpose,
  receiver_kommun AS "receiverKommun", receiver_school_unit AS "receiverSchoolUnit", deliver, state,
  batch_id AS "batchId", subject_request_id AS "subjectRequestId", created_by AS "createdBy",
  created_by_role AS "createdByRole", package_sha256 AS "packageSha256", manifest, loss, attempts,
  next_attempt_at AS "nextAttemptAt", lease_until AS "leaseUntil", last_error AS "lastError", problem,
  outcome_reason AS "outcomeReason", receipt, created_at AS "createdAt", sealed_at AS "sealedAt",
  delivered_at AS "deliveredAt", acknowledged_at AS "acknowledgedAt", cancelled_at AS "cancelledAt",
  downloaded_at AS "downloadedAt"`);

const BATCH_COLUMNS = new Sql(`id, kommun_code AS "kommunCode", receiver_kommun AS "receiverKommun",
  receiver_school_unit AS "receiverSchoolUnit", deliver, selection, state, pupils, created_by AS "createdBy",
  created_at AS "createdAt"`);

/** What the outbox works on: transfers to seal, and pushed packages whose next attempt is due. */
const DUE = `state IN ('created', 'sealed', 'delivering') AND NOT (state = 'sealed' AND deliver = 'download')`;

/** SQL of the sending side: the transfers outbox and its batches. */
@Injectable()
export class TransfersRepository {
  constructor(private readonly db: TenantDb) {}

  async insert(kommunCode: string, rows: NewTransfer[], tx?: TenantTx): Promise<TransferRow[]> {
    if (rows.length === 0) return [];
    const run = async (t: TenantTx) => {
      const params: unknown[] = [kommunCode];
      const values = rows.map((r) => {
        const p = params.length;
        params.push(
          r.recordId,
          r.purpose,
          r.receiverKommun,
          r.receiverSchoolUnit,
          r.deliver,
          r.batchId ?? null,
          r.subjectRequestId ?? null,
          r.createdBy,
          r.createdByRole,
        );
        return `($1, ${Array.from({ length: 9 }, (_, i) => `$${p + i + 1}`).join(', ')})`;
      });
      return t.query<TransferRow>(
        `INSERT INTO transfers (kommun_code, record_id, purpose, receiver_kommun, receiver_school_unit, deliver,
           batch_id, subject_request_id, created_by, created_by_role)
         VALUES ${values.join(',')}
         ON CONFLICT (batch_id, record_id) WHERE batch_id IS NOT NULL DO NOTHING
         RETURNING ${COLUMNS.text}`,
        params,
      );
    };
    return tx ? run(tx) : this.db.transaction(kommunCode, run);
  }

  async find(kommunCode: string, id: string): Promise<TransferRow | undefined> {
    const rows = await this.db.once<TransferRow>(
      kommunCode,
      sql`SELECT ${COLUMNS} FROM transfers WHERE kommun_code = ${kommunCode} AND id = ${id}::uuid`,
    );
    return rows[0];
  }

  async findByJti(tx: TenantTx, kommunCode: string, jti: string): Promise<TransferRow | undefined> {
    const rows = await tx.query<TransferRow>(
      `SELECT ${COLUMNS.text} FROM transfers WHERE kommun_code = $1 AND jti = $2 FOR UPDATE`,
      [kommunCode, jti],
    );
    return rows[0];
  }

  async findBySubjectRequest(kommunCode: string, requestIds: string[]): Promise<TransferRow[]> {
    if (requestIds.length === 0) return [];
    return this.db.once<TransferRow>(
      kommunCode,
      sql`SELECT ${COLUMNS} FROM transfers WHERE kommun_code = ${kommunCode} AND subject_request_id = ANY(${requestIds}::uuid[])`,
    );
  }

  list(
    kommunCode: string,
    f: { state?: string; batchId?: string; beforeId?: string; limit: number },
  ): Promise<TransferRow[]> {
    const conditions = [sql`kommun_code = ${kommunCode}`];
    if (f.state) conditions.push(sql`state = ${f.state}`);
    if (f.batchId) conditions.push(sql`batch_id = ${f.batchId}::uuid`);
    // The position is read from the row itself: created_at to the microsecond. (A millisecond cursor
    // skipped the rest of a class, whose transfers share one transaction's now().)
    if (f.beforeId)
      conditions.push(
        sql`(created_at, id) < (SELECT created_at, id FROM transfers WHERE kommun_code = ${kommunCode} AND id = ${f.beforeId}::uuid)`,
      );
    return this.db.once<TransferRow>(
      kommunCode,
      sql`SELECT ${COLUMNS} FROM transfers WHERE ${new Sql(conditions.map((c) => c.text).join(' AND '))}
          ORDER BY created_at DESC, id DESC LIMIT ${f.limit}`,
    );
  }

  /**
   * Takes up to `limit` due transfers for this worker: each gets a lease, and nobody else takes it
   * until the lease ends (a worker that dies mid-delivery leaves it to the next after the lease).
   */
  claimDue(kommunCode: string, limit: number, leaseMs: number): Promise<TransferRow[]> {
    return this.db.once<TransferRow>(
      kommunCode,
      sql`UPDATE transfers SET lease_until = now() + make_interval(secs => ${leaseMs / 1000}), updated_at = now()
           WHERE id IN (SELECT id FROM transfers
                         WHERE kommun_code = ${kommunCode} AND ${new Sql(DUE)} AND next_attempt_at <= now()
                           AND (lease_until IS NULL OR lease_until < now())
                         ORDER BY next_attempt_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
           RETURNING ${COLUMNS}`,
    );
  }

  /** When the outbox has work next (the earliest due time of a transfer waiting), if it has any. */
  async nextDue(kommunCode: string): Promise<Date | undefined> {
    const [row] = await this.db.once<{ at: Date | null }>(
      kommunCode,
      sql`SELECT min(greatest(next_attempt_at, coalesce(lease_until, next_attempt_at))) AS at FROM transfers
           WHERE kommun_code = ${kommunCode} AND ${new Sql(DUE)}`,
    );
    return row?.at ?? undefined;
  }

  async markSealed(
    kommunCode: string,
    id: string,
    sealed: { jti: string; jwe: string; sha256: string; manifest: TransferManifest; loss: unknown[] },
  ): Promise<boolean> {
    const rows = await this.db.once(
      kommunCode,
      sql`UPDATE transfers SET state = 'sealed', jti = ${sealed.jti}::uuid, package = ${sealed.jwe},
            package_sha256 = ${sealed.sha256}, manifest = ${JSON.stringify(sealed.manifest)}::jsonb,
            loss = ${JSON.stringify(sealed.loss)}::jsonb, sealed_at = now(), updated_at = now()
          WHERE kommun_code = ${kommunCode} AND id = ${id}::uuid AND state = 'created' RETURNING id`,
    );
    return rows.length === 1;
  }

  async packageOf(kommunCode: string, id: string): Promise<string | null> {
    const [row] = await this.db.once<{ package: string | null }>(
      kommunCode,
      sql`SELECT package FROM transfers WHERE kommun_code = ${kommunCode} AND id = ${id}::uuid`,
    );
    return row?.package ?? null;
  }

  /** An attempt starts: counted, and the state says so. The package to send; none if cancelled meanwhile. */
  async startAttempt(kommunCode: string, id: string): Promise<string | undefined> {
    const [row] = await this.db.once<{ package: string | null }>(
      kommunCode,
      sql`UPDATE transfers SET state = 'delivering', attempts = attempts + 1, updated_at = now()
          WHERE kommun_code = ${kommunCode} AND id = ${id}::uuid AND state IN ('sealed', 'delivering')
          RETURNING package`,
    );
    return row?.package ?? undefined;
  }

  /** The receiver has it. A receipt that came first (the answer was lost) has already moved it further. */
  async markDelivered(kommunCode: string, id: string): Promise<void> {
    await this.db.once(
      kommunCode,
      sql`UPDATE transfers SET state = CASE WHEN state = 'delivering' THEN 'delivered' ELSE state END,
            delivered_at = coalesce(delivered_at, now()), lease_until = NULL, last_error = NULL, updated_at = now()
          WHERE kommun_code = ${kommunCode} AND id = ${id}::uuid`,
    );
  }

  async scheduleRetry(
    kommunCode: string,
    id: string,
    at: Date,
    error: Record<string, unknown>,
  ): Promise<void> {
    await this.db.once(
      kommunCode,
      sql`UPDATE transfers SET next_attempt_at = ${at}, last_error = ${JSON.stringify(error)}::jsonb,
            lease_until = NULL, updated_at = now()
          WHERE kommun_code = ${kommunCode} AND id = ${id}::uuid`,
    );
  }

  /** Gives up: the problem says why. Only from a state that is still on its way. */
  async markFailed(kommunCode: string, id: string, problem: Record<string, unknown>): Promise<boolean> {
    const rows = await this.db.once(
      kommunCode,
      sql`UPDATE transfers SET state = 'failed', problem = ${JSON.stringify(problem)}::jsonb, lease_until = NULL,
            updated_at = now()
          WHERE kommun_code = ${kommunCode} AND id = ${id}::uuid AND state IN ('created', 'sealed', 'delivering')
          RETURNING id`,
    );
    return rows.length === 1;
  }

  async releaseLease(kommunCode: string, id: string): Promise<void> {
    await this.db.once(
      kommunCode,
      sql`UPDATE transfers SET lease_until = NULL WHERE kommun_code = ${kommunCode} AND id = ${id}::uuid`,
    );
  }

  /** Cancels unless delivered or in flight; says which when it cannot. */
  async cancel(kommunCode: string, id: string): Promise<'cancelled' | 'in-flight' | 'not-cancellable'> {
    const rows = await this.db.once<{ id: string }>(
      kommunCode,
      sql`UPDATE transfers SET state = 'cancelled', cancelled_at = now(), package = NULL, updated_at = now()
          WHERE kommun_code = ${kommunCode} AND id = ${id}::uuid AND state IN ('created', 'sealed', 'delivering')
            AND (lease_until IS NULL OR lease_until < now()) RETURNING id`,
    );
    if (rows.length === 1) return 'cancelled';
    const current = await this.find(kommunCode, id);
    return current && ['created', 'sealed', 'delivering'].includes(current.state)
      ? 'in-flight'
      : 'not-cancellable';
  }

  async markDownloaded(kommunCode: string, id: string): Promise<void> {
    await this.db.once(
      kommunCode,
      sql`UPDATE transfers SET downloaded_at = coalesce(downloaded_at, now()), updated_at = now()
          WHERE kommun_code = ${kommunCode} AND id = ${id}::uuid`,
    );
  }

  /** The receiver's signed decision, in the caller's transaction (which holds the row). */
  async acknowledge(
    tx: TenantTx,
    kommunCode: string,
    id: string,
    outcome: 'accepted' | 'rejected',
    reason: string | null,
    receipt: string,
  ): Promise<void> {
    await tx.query(
      `UPDATE transfers SET state = $3, outcome_reason = $4, receipt = $5, acknowledged_at = now(),
         delivered_at = coalesce(delivered_at, now()), lease_until = NULL, package = NULL, updated_at = now()
        WHERE kommun_code = $1 AND id = $2`,
      [kommunCode, id, outcome, reason, receipt],
    );
  }

  async insertBatch(
    kommunCode: string,
    b: Omit<BatchRow, 'id' | 'kommunCode' | 'state' | 'pupils' | 'createdAt'>,
  ): Promise<BatchRow> {
    const [row] = await this.db.once<BatchRow>(
      kommunCode,
      sql`INSERT INTO transfer_batches (kommun_code, receiver_kommun, receiver_school_unit, deliver, selection, created_by)
          VALUES (${kommunCode}, ${b.receiverKommun}, ${b.receiverSchoolUnit}, ${b.deliver},
                  ${JSON.stringify(b.selection)}::jsonb, ${b.createdBy})
          RETURNING ${BATCH_COLUMNS}`,
    );
    return row;
  }

  async findBatch(kommunCode: string, id: string): Promise<BatchRow | undefined> {
    const rows = await this.db.once<BatchRow>(
      kommunCode,
      sql`SELECT ${BATCH_COLUMNS} FROM transfer_batches WHERE kommun_code = ${kommunCode} AND id = ${id}::uuid`,
    );
    return rows[0];
  }

  async batchCounts(kommunCode: string, id: string): Promise<Record<string, number>> {
    const rows = await this.db.once<{ state: string; n: number }>(
      kommunCode,
      sql`SELECT state, count(*)::int AS n FROM transfers WHERE kommun_code = ${kommunCode} AND batch_id = ${id}::uuid GROUP BY state`,
    );
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  }

  async batchCreated(tx: TenantTx, kommunCode: string, id: string, pupils: number): Promise<void> {
    await tx.query(
      `UPDATE transfer_batches SET state = 'created', pupils = $3, updated_at = now() WHERE kommun_code = $1 AND id = $2`,
      [kommunCode, id, pupils],
    );
  }

  /** Batches whose job has not made their transfers yet (the job resumes them after a restart). */
  queuedBatches(kommunCode: string): Promise<Array<{ id: string }>> {
    return this.db.once<{ id: string }>(
      kommunCode,
      sql`SELECT id FROM transfer_batches WHERE kommun_code = ${kommunCode} AND state = 'queued'`,
    );
  }
}

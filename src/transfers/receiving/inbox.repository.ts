import { Injectable } from '@nestjs/common';
import { Sql, sql } from '../../database/sql';
import { TenantDb, TenantTx } from '../../database/tenant-db';
import type { LearnerRecord } from '../../records/learner-record.types';
import type { TransferManifest } from '../package/package-format';
import type { InboxState } from '../transfer-states';

export interface InboxRow {
  id: string;
  kommunCode: string;
  jti: string;
  packageSha256: string;
  senderKommun: string;
  senderKid: string;
  purpose: string;
  manifest: TransferManifest;
  record: LearnerRecord | null;
  loss: unknown[];
  state: InboxState;
  reason: string | null;
  recordId: string | null;
  decidedBy: string | null;
  receivedAt: Date;
  decidedAt: Date | null;
  receipt: string | null;
  receiptState: 'pending' | 'sent' | 'failed' | null;
  receiptAttempts: number;
  receiptNextAt: Date | null;
  receiptError: Record<string, unknown> | null;
  receiptSentAt: Date | null;
}

const COLUMNS = new Sql(`id, kommun_code AS "kommunCode", jti, package_sha256 AS "packageSha256",
  sender_kommun AS "senderKommun", sender_kid AS "senderKid", purpose, manifest, record, loss, state, reason,
  record_id AS "recordId", decided_by AS "decidedBy", received_at AS "receivedAt", decided_at AS "decidedAt",
  receipt, receipt_state AS "receiptState", receipt_attempts AS "receiptAttempts",
  receipt_next_at AS "receiptNextAt", receipt_error AS "receiptError", receipt_sent_at AS "receiptSentAt"`);
/** The list leaves the record out but for the names a screen shows. */
const SUMMARY = new Sql(
  COLUMNS.text.replace(
    /\brecord, /,
    `jsonb_build_object('pupil', jsonb_build_object('givenName', record->'pupil'->'givenName', 'familyName', record->'pupil'->'familyName', 'birthDate', record->'pupil'->'birthDate')) AS record, `,
  ),
);

/** SQL of the receiving side: the inbox, the registrar's decisions, and the acknowledgements' outbox. */
@Injectable()
export class InboxRepository {
  constructor(private readonly db: TenantDb) {}

  /** The package already here with exactly these bytes (a redelivery), if any. */
  async findBySha256(kommunCode: string, sha256: string): Promise<InboxRow | undefined> {
    const rows = await this.db.once<InboxRow>(
      kommunCode,
      sql`SELECT ${COLUMNS} FROM transfer_inbox WHERE kommun_code = ${kommunCode} AND package_sha256 = ${sha256}`,
    );
    return rows[0];
  }

  async hasJti(kommunCode: string, jti: string): Promise<boolean> {
    const rows = await this.db.once(
      kommunCode,
      sql`SELECT 1 FROM transfer_inbox WHERE kommun_code = ${kommunCode} AND jti = ${jti}::uuid`,
    );
    return rows.length > 0;
  }

  /** Stores a package that opened; undefined when its `jti` is already here (a replay). */
  async insert(
    kommunCode: string,
    item: {
      jti: string;
      sha256: string;
      senderKommun: string;
      senderKid: string;
      purpose: string;
      manifest: TransferManifest;
      record: LearnerRecord;
      loss: unknown[];
    },
  ): Promise<InboxRow | undefined> {
    const rows = await this.db.once<InboxRow>(
      kommunCode,
      sql`INSERT INTO transfer_inbox (kommun_code, jti, package_sha256, sender_kommun, sender_kid, purpose, manifest, record, loss)
          VALUES (${kommunCode}, ${item.jti}::uuid, ${item.sha256}, ${item.senderKommun}, ${item.senderKid}, ${item.purpose},
                  ${JSON.stringify(item.manifest)}::jsonb, ${JSON.stringify(item.record)}::jsonb, ${JSON.stringify(item.loss)}::jsonb)
          ON CONFLICT (kommun_code, jti) DO NOTHING
          RETURNING ${COLUMNS}`,
    );
    return rows[0];
  }

  async find(kommunCode: string, id: string): Promise<InboxRow | undefined> {
    const rows = await this.db.once<InboxRow>(
      kommunCode,
      sql`SELECT ${COLUMNS} FROM transfer_inbox WHERE kommun_code = ${kommunCode} AND id = ${id}::uuid`,
    );
    return rows[0];
  }

  async findMany(kommunCode: string, ids: string[]): Promise<InboxRow[]> {
    return this.db.once<InboxRow>(
      kommunCode,
      sql`SELECT ${COLUMNS} FROM transfer_inbox WHERE kommun_code = ${kommunCode} AND id = ANY(${ids}::uuid[])`,
    );
  }

  async findManyForUpdate(tx: TenantTx, kommunCode: string, ids: string[]): Promise<InboxRow[]> {
    return tx.query<InboxRow>(
      `SELECT ${COLUMNS.text} FROM transfer_inbox WHERE kommun_code = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR UPDATE`,
      [kommunCode, ids],
    );
  }

  async findForUpdate(tx: TenantTx, kommunCode: string, id: string): Promise<InboxRow | undefined> {
    const rows = await tx.query<InboxRow>(
      `SELECT ${COLUMNS.text} FROM transfer_inbox WHERE kommun_code = $1 AND id = $2 FOR UPDATE`,
      [kommunCode, id],
    );
    return rows[0];
  }

  list(kommunCode: string, f: { state?: string; beforeId?: string; limit: number }): Promise<InboxRow[]> {
    const conditions = [sql`kommun_code = ${kommunCode}`];
    if (f.state) conditions.push(sql`state = ${f.state}`);
    // The position from the row itself, to the microsecond (see the transfers list).
    if (f.beforeId)
      conditions.push(
        sql`(received_at, id) < (SELECT received_at, id FROM transfer_inbox WHERE kommun_code = ${kommunCode} AND id = ${f.beforeId}::uuid)`,
      );
    return this.db.once<InboxRow>(
      kommunCode,
      sql`SELECT ${SUMMARY} FROM transfer_inbox WHERE ${new Sql(conditions.map((c) => c.text).join(' AND '))}
          ORDER BY received_at DESC, id DESC LIMIT ${f.limit}`,
    );
  }

  /**
   * The registrar's decision and the acknowledgement to send, in the caller's transaction (with the
   * record's import, for an accept): committed together, so the acknowledgement is never lost and
   * never made twice. The decrypted record is dropped from the inbox either way (accepted, it lives
   * in the learner records; rejected, it must not stay).
   */
  async decide(
    tx: TenantTx,
    kommunCode: string,
    id: string,
    d: {
      state: 'accepted' | 'rejected';
      reason: string | null;
      recordId: string | null;
      decidedBy: string;
      receipt: string;
    },
  ): Promise<void> {
    await tx.query(
      `UPDATE transfer_inbox SET state = $3, reason = $4, record_id = $5, decided_by = $6, decided_at = now(),
         record = NULL, receipt = $7, receipt_state = 'pending', receipt_next_at = now()
        WHERE kommun_code = $1 AND id = $2`,
      [kommunCode, id, d.state, d.reason, d.recordId, d.decidedBy, d.receipt],
    );
  }

  claimReceipts(kommunCode: string, limit: number, leaseMs: number): Promise<InboxRow[]> {
    return this.db.once<InboxRow>(
      kommunCode,
      sql`UPDATE transfer_inbox SET receipt_lease_until = now() + make_interval(secs => ${leaseMs / 1000})
           WHERE id IN (SELECT id FROM transfer_inbox
                         WHERE kommun_code = ${kommunCode} AND receipt_state = 'pending' AND receipt_next_at <= now()
                           AND (receipt_lease_until IS NULL OR receipt_lease_until < now())
                         ORDER BY receipt_next_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
           RETURNING ${COLUMNS}`,
    );
  }

  async nextReceiptDue(kommunCode: string): Promise<Date | undefined> {
    const [row] = await this.db.once<{ at: Date | null }>(
      kommunCode,
      sql`SELECT min(greatest(receipt_next_at, coalesce(receipt_lease_until, receipt_next_at))) AS at FROM transfer_inbox
           WHERE kommun_code = ${kommunCode} AND receipt_state = 'pending'`,
    );
    return row?.at ?? undefined;
  }

  async receiptSent(kommunCode: string, id: string): Promise<void> {
    await this.db.once(
      kommunCode,
      sql`UPDATE transfer_inbox SET receipt_state = 'sent', receipt_sent_at = now(), receipt_attempts = receipt_attempts + 1,
            receipt_lease_until = NULL, receipt_error = NULL
          WHERE kommun_code = ${kommunCode} AND id = ${id}::uuid`,
    );
  }

  async receiptRetry(
    kommunCode: string,
    id: string,
    at: Date,
    error: Record<string, unknown>,
  ): Promise<void> {
    await this.db.once(
      kommunCode,
      sql`UPDATE transfer_inbox SET receipt_attempts = receipt_attempts + 1, receipt_next_at = ${at},
            receipt_error = ${JSON.stringify(error)}::jsonb, receipt_lease_until = NULL
          WHERE kommun_code = ${kommunCode} AND id = ${id}::uuid`,
    );
  }

  async receiptFailed(kommunCode: string, id: string, error: Record<string, unknown>): Promise<void> {
    await this.db.once(
      kommunCode,
      sql`UPDATE transfer_inbox SET receipt_state = 'failed', receipt_attempts = receipt_attempts + 1,
            receipt_error = ${JSON.stringify(error)}::jsonb, receipt_lease_until = NULL
          WHERE kommun_code = ${kommunCode} AND id = ${id}::uuid`,
    );
  }
}

import { Injectable } from '@nestjs/common';
import { Sql, sql, join } from '../database/sql';
import { TenantDb, TenantTx } from '../database/tenant-db';
import type { RequestKind, RequestStatus } from './subject-requests.texts';

export interface RequestRow {
  id: string;
  kommunCode: string;
  recordId: string;
  kind: RequestKind;
  status: RequestStatus;
  requesterRole: string;
  requesterSubject: string;
  requesterCivicNo: string | null;
  details: { description?: string; deliverToKommun?: string; articles?: string[] };
  resolution: { reason: string | null; decidedAt: string; by: string } | null;
  receivedAt: Date;
  deadlineAt: Date;
  completedAt: Date | null;
  packageSha256: string | null;
  packageSize: string | null;
  packageExpiresAt: Date | null;
}

export interface EventRow {
  status: RequestStatus;
  at: Date;
  note: string | null;
}

const COLUMNS = new Sql(`id, kommun_code AS "kommunCode", record_id AS "recordId", kind, status,
  requester_role AS "requesterRole", requester_subject AS "requesterSubject", requester_civic_no AS "requesterCivicNo",
  details, resolution, received_at AS "receivedAt", deadline_at AS "deadlineAt", completed_at AS "completedAt",
  package_sha256 AS "packageSha256", package_size::text AS "packageSize", package_expires_at AS "packageExpiresAt"`);

const CHUNK = 1024 * 1024;

/** Data-subject requests, their workflow events and export packages (in 1 MB pieces). */
@Injectable()
export class SubjectRequestsRepository {
  constructor(private readonly db: TenantDb) {}

  insert(
    kommunCode: string,
    r: Pick<
      RequestRow,
      'recordId' | 'kind' | 'requesterRole' | 'requesterSubject' | 'requesterCivicNo' | 'details'
    > & {
      receivedAt: Date;
      deadlineAt: Date;
    },
  ): Promise<RequestRow> {
    return this.db.transaction(kommunCode, async (tx) => {
      const [row] = await tx.query<RequestRow>(
        `INSERT INTO subject_requests (kommun_code, record_id, kind, requester_role, requester_subject,
                                       requester_civic_no, details, received_at, deadline_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS.text}`,
        [
          kommunCode,
          r.recordId,
          r.kind,
          r.requesterRole,
          r.requesterSubject,
          r.requesterCivicNo,
          JSON.stringify(r.details),
          r.receivedAt,
          r.deadlineAt,
        ],
      );
      await this.event(tx, kommunCode, row.id, 'received', r.requesterRole, null);
      return row;
    });
  }

  async get(kommunCode: string, id: string): Promise<RequestRow | undefined> {
    const [row] = await this.db.once<RequestRow>(
      kommunCode,
      sql`SELECT ${COLUMNS} FROM subject_requests WHERE kommun_code = ${kommunCode} AND id = ${id}::uuid`,
    );
    return row;
  }

  list(
    kommunCode: string,
    f: { requesterCivicNo?: string; open?: boolean; limit: number },
  ): Promise<RequestRow[]> {
    const where: Sql[] = [sql`kommun_code = ${kommunCode}`];
    if (f.requesterCivicNo) where.push(sql`requester_civic_no = ${f.requesterCivicNo}`);
    if (f.open) where.push(sql`completed_at IS NULL`);
    const order = f.open ? sql`deadline_at, received_at` : sql`received_at DESC`;
    return this.db.once<RequestRow>(
      kommunCode,
      sql`SELECT ${COLUMNS} FROM subject_requests WHERE ${join(where, ' AND ')} ORDER BY ${order} LIMIT ${f.limit}`,
    );
  }

  events(kommunCode: string, ids: string[]): Promise<Array<EventRow & { requestId: string }>> {
    return this.db.once(
      kommunCode,
      sql`SELECT request_id AS "requestId", status, at, note FROM subject_request_events
           WHERE kommun_code = ${kommunCode} AND request_id = ANY(${ids}::uuid[]) ORDER BY request_id, seq`,
    );
  }

  /** Moves the request on, with an event; `from` guards against a concurrent move (false: it moved). */
  move(
    kommunCode: string,
    id: string,
    from: readonly RequestStatus[],
    to: RequestStatus,
    actor: string,
    extra: { note?: string | null; resolution?: RequestRow['resolution']; completed?: boolean } = {},
  ): Promise<boolean> {
    return this.db.transaction(kommunCode, async (tx) => {
      const moved = await tx.execute(
        `UPDATE subject_requests SET status = $3, updated_at = now(),
                resolution = coalesce($4::jsonb, resolution),
                completed_at = CASE WHEN $5 THEN now() ELSE completed_at END
          WHERE kommun_code = $1 AND id = $2 AND status = ANY($6::text[])`,
        [
          kommunCode,
          id,
          to,
          extra.resolution ? JSON.stringify(extra.resolution) : null,
          extra.completed ?? false,
          from,
        ],
      );
      if (moved.rowCount === 0) return false;
      await this.event(tx, kommunCode, id, to, actor, extra.note ?? null);
      return true;
    });
  }

  /** Stores the finished package and its download key (hashed), and marks the request ready. */
  storePackage(
    kommunCode: string,
    id: string,
    pkg: { bytes: Buffer; sha256: string; expiresAt: Date; tokenHash: string; articles: string[] },
  ): Promise<void> {
    return this.db.transaction(kommunCode, async (tx) => {
      await tx.query(`DELETE FROM subject_request_files WHERE request_id = $1`, [id]);
      for (let seq = 0, at = 0; at < pkg.bytes.length; seq++, at += CHUNK) {
        await tx.query(
          `INSERT INTO subject_request_files (request_id, seq, kommun_code, data) VALUES ($1, $2, $3, $4)`,
          [id, seq, kommunCode, pkg.bytes.subarray(at, at + CHUNK)],
        );
      }
      await tx.query(
        `UPDATE subject_requests SET status = 'ready', updated_at = now(), completed_at = now(),
                package_sha256 = $3, package_size = $4, package_expires_at = $5, download_token_hash = $6,
                details = details || jsonb_build_object('articles', $7::jsonb)
          WHERE kommun_code = $1 AND id = $2`,
        [
          kommunCode,
          id,
          pkg.sha256,
          pkg.bytes.length,
          pkg.expiresAt,
          pkg.tokenHash,
          JSON.stringify(pkg.articles),
        ],
      );
      await this.event(tx, kommunCode, id, 'ready', 'system', null);
    });
  }

  /** The request a download key opens, if it is still valid. */
  async byToken(kommunCode: string, tokenHash: string): Promise<RequestRow | undefined> {
    const [row] = await this.db.once<RequestRow>(
      kommunCode,
      sql`SELECT ${COLUMNS} FROM subject_requests
           WHERE kommun_code = ${kommunCode} AND download_token_hash = ${tokenHash} AND package_expires_at > now()`,
    );
    return row;
  }

  async packageBytes(kommunCode: string, id: string): Promise<Buffer> {
    const rows = await this.db.once<{ data: Buffer }>(
      kommunCode,
      sql`SELECT data FROM subject_request_files WHERE kommun_code = ${kommunCode} AND request_id = ${id}::uuid ORDER BY seq`,
    );
    return Buffer.concat(rows.map((r) => r.data));
  }

  /** Packages past their time: their bytes go, the request stays (with the hash of what was sent). */
  purgeExpiredPackages(kommunCode: string): Promise<Array<{ id: string; recordId: string }>> {
    return this.db.transaction(kommunCode, async (tx) => {
      const rows = await tx.query<{ id: string; recordId: string }>(
        `UPDATE subject_requests SET download_token_hash = NULL, updated_at = now()
          WHERE kommun_code = $1 AND package_expires_at <= now() AND download_token_hash IS NOT NULL
          RETURNING id, record_id AS "recordId"`,
        [kommunCode],
      );
      if (rows.length) {
        await tx.query(
          `DELETE FROM subject_request_files WHERE kommun_code = $1 AND request_id = ANY($2::uuid[])`,
          [kommunCode, rows.map((r) => r.id)],
        );
      }
      return rows;
    });
  }

  private async event(
    tx: TenantTx,
    kommunCode: string,
    id: string,
    status: RequestStatus,
    actor: string,
    note: string | null,
  ) {
    await tx.query(
      `INSERT INTO subject_request_events (request_id, seq, kommun_code, status, actor, note)
       SELECT $1, coalesce(max(seq), 0) + 1, $2, $3, $4, $5 FROM subject_request_events WHERE request_id = $1`,
      [id, kommunCode, status, actor, note],
    );
  }
}

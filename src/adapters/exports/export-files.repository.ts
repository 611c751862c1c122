import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { binaryCopyRows } from '../../database/copy-binary';
import { sql } from '../../database/sql';
import { TenantDb } from '../../database/tenant-db';

/** What an export job keeps: the file, and beside it the complete loss report. */
export type ExportPart = 'file' | 'loss-report';

/** Pieces of about this size are one row each. */
const CHUNK = 1024 * 1024;
/** Pieces read in one round trip. */
const PIECES_PER_READ = 8;

/**
 * An export's outputs, stored in PostgreSQL in 1 MB pieces so that any instance can serve the
 * download, and written and read a piece at a time (never whole in memory).
 */
@Injectable()
export class ExportFilesRepository {
  constructor(private readonly db: TenantDb) {}

  /** Removes what an earlier attempt of the job stored. */
  async clear(kommunCode: string, jobId: string): Promise<void> {
    await this.db.once(kommunCode, sql`DELETE FROM export_file_chunks WHERE job_id = ${jobId}::uuid`);
  }

  /** Stores the pieces as they come; their total size and SHA-256. */
  async store(
    kommunCode: string,
    jobId: string,
    part: ExportPart,
    pieces: AsyncIterable<string | Buffer>,
  ): Promise<{ size: number; sha256: string }> {
    const hash = createHash('sha256');
    let size = 0;
    let seq = 0;
    let pending: Buffer[] = [];
    let pendingSize = 0;
    const flush = async () => {
      if (pendingSize === 0) return;
      const data = Buffer.concat(pending);
      pending = [];
      pendingSize = 0;
      // A parameter, not a literal: the piece goes as binary bytea (a base64 literal of it was
      // encoded here and decoded by the server, a third larger on the wire).
      await this.db.transaction(kommunCode, (tx) =>
        tx.query(
          `INSERT INTO export_file_chunks (job_id, part, seq, kommun_code, data) VALUES ($1::uuid, $2, $3, $4, $5)`,
          [jobId, part, seq++, kommunCode, data],
        ),
      );
    };
    for await (const piece of pieces) {
      const buf = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
      hash.update(buf);
      size += buf.length;
      pending.push(buf);
      pendingSize += buf.length;
      if (pendingSize >= CHUNK) await flush();
    }
    await flush();
    return { size, sha256: hash.digest('hex') };
  }

  /**
   * The stored pieces in order, read eight at a time (8 MB: a download holds a connection only while
   * they are read). They come by binary COPY: an ordinary query hands bytea over as hex text, which
   * the server encodes and the service decodes, twice the bytes on the wire.
   */
  async *read(kommunCode: string, jobId: string, part: ExportPart): AsyncGenerator<Buffer> {
    for (let from = 0; ; from += PIECES_PER_READ) {
      const select = sql`SELECT data FROM export_file_chunks
          WHERE kommun_code = ${kommunCode} AND job_id = ${jobId}::uuid AND part = ${part}
            AND seq >= ${from} AND seq < ${from + PIECES_PER_READ} ORDER BY seq`;
      const copy = await this.db.transaction(kommunCode, (tx) =>
        tx.copyOut(`COPY (${select.text}) TO STDOUT (FORMAT binary)`),
      );
      const rows = binaryCopyRows(copy);
      for (const [data] of rows) if (data) yield data;
      if (rows.length < PIECES_PER_READ) return;
    }
  }
}

import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { canonicalize } from './audit-canonical';
import { ChainHead } from './audit-entry';
import { AuditLogRepository, EntryFilter } from './audit-log.repository';
import { AuditSigner, EXPORT_TYP } from './audit-signer';

/** Seqs read per query (at most this many entries held at once). */
export const EXPORT_WINDOW = 5000;

/** What the export's last line signs (its JCS form); a DPO keeps it as proof of what the log held. */
export interface ExportStatement {
  kommun: string;
  exportedAt: string;
  filter: { recordId: string | null; from: string | null; to: string | null };
  /** Entry lines before the signature line. */
  entries: number;
  /** SHA-256 (hex) of every byte before the signature line. */
  sha256: string;
  /** The chain's head when the export began: no entry after it is included. */
  head: ChainHead;
}

/**
 * The DPO's export of a pupil or a period: NDJSON, one entry per line in its JCS form (so each
 * line's hash can be recomputed as is), oldest first, read a page at a time; then one last line
 * `{"signature":"<compact JWS>"}` whose payload (ExportStatement) names the SHA-256 of all the lines
 * before it, signed with the kommun's key (typ audit-export+jws). Checking it needs only the file
 * and the kommun's JWKS (README, "Audit log").
 */
@Injectable()
export class AuditExporter {
  constructor(
    private readonly repository: AuditLogRepository,
    private readonly signer: AuditSigner,
  ) {}

  /** The export's lines; `done` is called with what was signed once the last line is made. */
  async *lines(
    kommunCode: string,
    filter: Pick<EntryFilter, 'recordId' | 'from' | 'to'>,
    done: (statement: ExportStatement) => Promise<void>,
  ): AsyncGenerator<string> {
    const head = await this.repository.head(kommunCode);
    const digest = createHash('sha256');
    let entries = 0;
    // Windows of seqs, not pages of matches: each query reads a bounded slice of the chain, whatever
    // plan the database picks for the filter.
    for (let cursor = 0; cursor < head.seq; cursor += EXPORT_WINDOW) {
      const upto = Math.min(head.seq, cursor + EXPORT_WINDOW);
      for (const entry of await this.repository.filteredRange(kommunCode, filter, cursor, upto)) {
        const line = `${canonicalize(entry)}\n`;
        digest.update(line, 'utf8');
        entries++;
        yield line;
      }
    }
    const statement: ExportStatement = {
      kommun: kommunCode,
      exportedAt: new Date().toISOString(),
      filter: {
        recordId: filter.recordId ?? null,
        from: filter.from?.toISOString() ?? null,
        to: filter.to?.toISOString() ?? null,
      },
      entries,
      sha256: digest.digest('hex'),
      head,
    };
    const signature = await this.signer.sign(kommunCode, statement, EXPORT_TYP);
    await done(statement);
    yield `${JSON.stringify({ signature })}\n`;
  }
}

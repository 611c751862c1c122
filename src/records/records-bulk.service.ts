import { Injectable } from '@nestjs/common';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parseStrictJson } from '../common/http/strict-json';
import { DomainError, FieldError } from '../common/problem/domain-error';
import { KommunerService } from '../kommuner/kommuner.service';
import { checkRecord, PreparedRecord, prepareRecord } from './record-intake';
import { RecordsService } from './records.service';

export interface BulkSummary {
  received: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** Per rejected line: the line number and what is wrong there (at most 1000 listed). */
  errors: Array<FieldError & { line: number }>;
}

const BATCH = 500;
const MAX_LISTED_ERRORS = 1000;

/**
 * The fast path for many records: NDJSON streamed line by line, checked one by one, and written
 * 500 at a time in single statements. Each record is written whole or not at all; a bad line is
 * reported by number and does not stop the others.
 */
@Injectable()
export class RecordsBulkService {
  constructor(
    private readonly kommuner: KommunerService,
    private readonly records: RecordsService,
  ) {}

  async ingest(kommunCode: string, input: Readable): Promise<BulkSummary> {
    await this.kommuner.assertExists(kommunCode);
    const summary: BulkSummary = {
      received: 0,
      created: 0,
      updated: 0,
      unchanged: 0,
      rejected: 0,
      errors: [],
    };
    const importedAt = new Date().toISOString();
    let batch: PreparedRecord[] = [];
    // One batch is written while the next is parsed and checked: PostgreSQL and Node work in parallel.
    let writing: Promise<void> = Promise.resolve();
    const flush = async (): Promise<void> => {
      await writing;
      if (batch.length === 0) return;
      const full = batch;
      batch = [];
      writing = this.records.upsertPrepared(kommunCode, full).then((r) => {
        summary.created += r.created;
        summary.updated += r.updated;
        summary.unchanged += r.unchanged;
      });
      // Surface a failure at the next await, not as an unhandled rejection.
      writing.catch(() => undefined);
    };
    let line = 0;
    for await (const text of createInterface({ input, crlfDelay: Infinity })) {
      line++;
      if (text.trim() === '') continue;
      summary.received++;
      try {
        // readline decoded the stream as UTF-8 already; the text goes straight to the strict parser.
        const record = checkRecord(parseStrictJson(text), { normalised: true });
        batch.push(prepareRecord(record, { adapter: 'api-bulk', adapterVersion: '1', importedAt }));
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        summary.rejected++;
        for (const e of err.errors ?? [{ detail: err.detail }]) {
          if (summary.errors.length < MAX_LISTED_ERRORS) summary.errors.push({ line, ...e });
        }
        continue;
      }
      if (batch.length >= BATCH) await flush();
    }
    await flush();
    await writing;
    return summary;
  }
}

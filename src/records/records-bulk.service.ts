import { Inject, Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/env.schema';
import { ndjsonLines } from '../common/http/ndjson-lines';
import { parseStrictJson } from '../common/http/strict-json';
import { DomainError, FieldError } from '../common/problem/domain-error';
import { KommunerService } from '../kommuner/kommuner.service';
import { checkRecord, PreparedRecord, prepareRecord } from './record-intake';
import { checkWritable, limitsRecords, RecordScope, WHOLE_KOMMUN } from './record-scope';
import { bulkNeedsWholeKommun } from './records.errors';
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
/** Batches written at once, each on its own connection, while the next is parsed and checked. */
const WRITES_IN_FLIGHT = 2;
const MAX_LISTED_ERRORS = 1000;

interface Write {
  sources: Set<string>;
  done: Promise<void>;
}

const sourceKey = (p: PreparedRecord): string => `${p.row.sourcePlatform}\u0000${p.row.sourceId}`;

/**
 * The fast path for many records: NDJSON streamed line by line, checked one by one, and written
 * 500 at a time in single statements, two batches in flight so that Node and PostgreSQL work at
 * once. Each record is written whole or not at all; a bad line is reported by number and does not
 * stop the others. A source named again in a later batch waits for the earlier write, so the last
 * line still wins.
 */
@Injectable()
export class RecordsBulkService {
  constructor(
    private readonly kommuner: KommunerService,
    private readonly records: RecordsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async ingest(kommunCode: string, input: Readable, scope: RecordScope = WHOLE_KOMMUN): Promise<BulkSummary> {
    // Checking each line against someone else's pupils would cost a read per line: bulk is for callers
    // who may write the whole kommun (a platform still only its own records and granted sections).
    if (limitsRecords(scope)) throw bulkNeedsWholeKommun();
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
    const reject = (line: number, errors: FieldError[]): void => {
      summary.rejected++;
      for (const e of errors)
        if (summary.errors.length < MAX_LISTED_ERRORS) summary.errors.push({ ...e, line }); // the NDJSON line, not the line inside it
    };

    let inFlight: Write[] = [];
    let batch: PreparedRecord[] = [];
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const full = batch;
      batch = [];
      const sources = new Set(full.map(sourceKey));
      const conflicting = inFlight.filter((w) => [...sources].some((s) => w.sources.has(s)));
      await Promise.all(conflicting.map((w) => w.done));
      while (inFlight.length >= WRITES_IN_FLIGHT) await Promise.race(inFlight.map((w) => w.done));
      const write: Write = {
        sources,
        done: this.records.upsertPrepared(kommunCode, full).then((r) => {
          summary.created += r.created;
          summary.updated += r.updated;
          summary.unchanged += r.unchanged;
          inFlight = inFlight.filter((w) => w !== write);
        }),
      };
      write.done.catch(() => undefined); // surfaced by the awaits below, not as an unhandled rejection
      inFlight.push(write);
    };

    try {
      for await (const { number, bytes } of ndjsonLines(input, this.config.BODY_LIMIT)) {
        if (bytes === undefined) {
          summary.received++;
          reject(number, [{ detail: `The line is longer than ${this.config.BODY_LIMIT} bytes.` }]);
          continue;
        }
        if (bytes.length === 0 || (bytes.length < 8 && bytes.toString('utf8').trim() === '')) continue;
        summary.received++;
        try {
          const record = checkRecord(parseStrictJson(bytes), { normalised: true });
          checkWritable(record, scope);
          batch.push(prepareRecord(record, { adapter: 'api-bulk', adapterVersion: '1', importedAt }));
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          reject(number, err.errors ?? [{ detail: err.detail }]);
          continue;
        }
        if (batch.length >= BATCH) await flush();
      }
      await flush();
    } finally {
      await Promise.allSettled(inFlight.map((w) => w.done));
    }
    await Promise.all(inFlight.map((w) => w.done));
    return summary;
  }
}

// How released records cross from the main thread to the export's writer thread: their bytes as
// PostgreSQL sent them, in one buffer per batch that is transferred, not copied, and parsed and cut
// to what may go on the writer's thread. (Parsing a kommun's 300 MB of records on the main thread
// and cloning the objects to the writer took half of the main thread's time in an export.)
import { withoutSections } from '../../consent/minimise';
import type { LearnerRecord } from '../../records/learner-record.types';
import { withinSections, type RecordScope } from '../../records/record-scope';
import { jsonbText } from '../../database/jsonb-binary';
import type { ReleasedRecord } from './export-record.source';

/** A batch as it crosses: the records' jsonb one after another, where each ends, what each leaves out. */
export interface ReleasedBatch {
  bytes: Uint8Array;
  ends: number[];
  withheld: string[][];
}

/** The batch in one fresh buffer (never Node's shared pool: it is transferred), to post with it. */
export function packReleased(records: ReleasedRecord[]): { batch: ReleasedBatch; buffer: ArrayBuffer } {
  let size = 0;
  for (const r of records) size += r.jsonb.length;
  const buffer = new ArrayBuffer(size);
  const bytes = new Uint8Array(buffer);
  const ends: number[] = [];
  let at = 0;
  for (const r of records) {
    bytes.set(r.jsonb, at);
    at += r.jsonb.length;
    ends.push(at);
  }
  return { batch: { bytes, ends, withheld: records.map((r) => r.withheld) }, buffer };
}

/**
 * The batch's records as the writer gets them: parsed, without the sections the decision point
 * withheld, and within the requester's grant (`scope`), as the records API would give them.
 */
export function unpackReleased(batch: ReleasedBatch, scope: RecordScope): LearnerRecord[] {
  const all = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength);
  const cuts = new Map<string, Set<string>>(); // most records of an export share one decision
  let start = 0;
  return batch.ends.map((end, i) => {
    const record = JSON.parse(jsonbText(all.subarray(start, end))) as LearnerRecord;
    start = end;
    const key = batch.withheld[i].join();
    let withheld = cuts.get(key);
    if (!withheld) cuts.set(key, (withheld = new Set(batch.withheld[i])));
    return withinSections(withoutSections(record, withheld), scope);
  });
}

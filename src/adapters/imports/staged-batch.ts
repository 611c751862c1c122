// How a batch of staged rows crosses from the conversion thread to the main thread. Each record's
// JSON goes as jsonb's binary input in one buffer per batch that is transferred, not copied: the main
// thread hands the bytes to PostgreSQL as they are, instead of receiving a kommun's 300 MB of JSON as
// strings, encoding them again for the wire and collecting them afterwards (a third of its CPU).
import { JSONB_BINARY_VERSION, jsonbText } from '../../database/jsonb-binary';
import type { StagedItem } from './import-jobs.repository';

/** A staged row as the main thread writes it. */
export interface StagedRow extends Omit<StagedItem, 'recordJson'> {
  /** The record as jsonb's binary input (a view into its batch's buffer), or null for none. */
  recordJsonb: Uint8Array | null;
}

/** The batch's rows, their records in one fresh buffer (never Node's shared pool: it is transferred). */
export function packBatch(items: StagedItem[]): { rows: StagedRow[]; buffer: ArrayBuffer } {
  let size = 0;
  for (const item of items)
    if (item.recordJson !== null) size += 1 + Buffer.byteLength(item.recordJson, 'utf8');
  const buffer = new ArrayBuffer(size);
  const bytes = Buffer.from(buffer);
  let at = 0;
  const rows = items.map(({ recordJson, ...rest }): StagedRow => {
    if (recordJson === null) return { ...rest, recordJsonb: null };
    const start = at;
    bytes[at++] = JSONB_BINARY_VERSION;
    at += bytes.write(recordJson, at, 'utf8');
    return { ...rest, recordJsonb: new Uint8Array(buffer, start, at - start) };
  });
  return { rows, buffer };
}

/** The JSON text of a row's record (for tests and tools; the service hands the bytes on as they are). */
export function recordJsonOf(row: StagedRow): string | null {
  if (row.recordJsonb === null) return null;
  const { buffer, byteOffset, byteLength } = row.recordJsonb;
  return jsonbText(Buffer.from(buffer, byteOffset, byteLength));
}

import type { LearnerRecord } from './learner-record.types';
import type { ChangeRow, RecordMeta, StoredRecord, StoredRecordText } from './records.repository';

/** A learner record as the API shows it: the canonical content with its identity and version. */
export interface RecordResource {
  id: string;
  kommunCode: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  record: LearnerRecord;
}

/** The same resource with its content still as JSON text: `json` is the whole response body. */
export interface RecordResourceText {
  id: string;
  version: number;
  json: string;
  parsed(): RecordResource;
}

export interface ChangeResource {
  type: ChangeRow['changeType'];
  recordId: string;
  version: number;
  changedAt: string;
  source: { platform: string; id: string };
}

const iso = (d: Date | string): string => (d instanceof Date ? d : new Date(d)).toISOString();

const meta = (r: RecordMeta) => ({
  id: r.id,
  kommunCode: r.kommunCode,
  version: r.version,
  createdAt: iso(r.createdAt),
  updatedAt: iso(r.updatedAt),
});

export const toRecordResource = (r: StoredRecord): RecordResource => ({ ...meta(r), record: r.record });

/** Splices the stored JSON text into the resource: the same bytes as JSON.stringify(toRecordResource). */
export function toRecordResourceText(r: StoredRecordText): RecordResourceText {
  const head = JSON.stringify(meta(r));
  const json = `${head.slice(0, -1)},"record":${r.recordJson}}`;
  return { id: r.id, version: r.version, json, parsed: () => JSON.parse(json) as RecordResource };
}

export const toChangeResource = (c: ChangeRow): ChangeResource => ({
  type: c.changeType,
  recordId: c.recordId,
  version: c.version,
  changedAt: iso(c.changedAt),
  source: { platform: c.sourcePlatform, id: c.sourceId },
});

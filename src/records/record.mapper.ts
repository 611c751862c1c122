import type { LearnerRecord } from './learner-record.types';
import type { ChangeRow, StoredRecord } from './records.repository';

/** A learner record as the API shows it: the canonical content with its identity and version. */
export interface RecordResource {
  id: string;
  kommunCode: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  record: LearnerRecord;
}

export interface ChangeResource {
  type: ChangeRow['changeType'];
  recordId: string;
  version: number;
  changedAt: string;
  source: { platform: string; id: string };
}

const iso = (d: Date | string): string => (d instanceof Date ? d : new Date(d)).toISOString();

export const toRecordResource = (r: StoredRecord): RecordResource => ({
  id: r.id,
  kommunCode: r.kommunCode,
  version: r.version,
  createdAt: iso(r.createdAt),
  updatedAt: iso(r.updatedAt),
  record: r.record,
});

export const toChangeResource = (c: ChangeRow): ChangeResource => ({
  type: c.changeType,
  recordId: c.recordId,
  version: c.version,
  changedAt: iso(c.changedAt),
  source: { platform: c.sourcePlatform, id: c.sourceId },
});

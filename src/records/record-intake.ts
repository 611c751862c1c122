import type { LearnerRecord } from './learner-record.types';
import { checkLearnerRecord } from './learner-record.validator';
import { normaliseUnicode, ProvenanceDefaults, sha256Hex, withProvenance } from './record-content';
import { recordInvalid, recordRejected } from './records.errors';
import type { UpsertRow } from './records.repository';

export interface PreparedRecord {
  record: LearnerRecord;
  row: UpsertRow;
}

/**
 * Accepts a candidate learner record or throws: 400 with a pointer per field when it does not fit
 * the schema, 422 when it fits but breaks a rule (a civic number that fails Luhn, say).
 * Strings are normalised to NFC first (unless the caller says parseStrictJson already did), so what
 * is checked is what is stored.
 */
export function checkRecord(input: unknown, opts: { normalised?: boolean } = {}): LearnerRecord {
  const candidate = opts.normalised ? input : normaliseUnicode(input);
  const { schemaErrors, ruleErrors } = checkLearnerRecord(candidate);
  if (schemaErrors.length > 0) throw recordInvalid(schemaErrors);
  if (ruleErrors.length > 0) throw recordRejected(ruleErrors);
  return candidate as LearnerRecord;
}

/**
 * Takes a record from checkRecord. Hashes the content as sent (so a resend of the same content is recognised as unchanged), then
 * fills in provenance and serialises once for storage.
 */
export function prepareRecord(record: LearnerRecord, provenance: ProvenanceDefaults): PreparedRecord {
  // The content as sent, in NFC: a resend of the same JSON is recognised as unchanged. (A resend
  // with its keys in another order counts as a change; sorting every object cost a fifth of ingest.)
  const contentHash = sha256Hex(JSON.stringify(record));
  const stored = withProvenance(record, provenance);
  return {
    record: stored,
    row: {
      sourcePlatform: record.source.platform,
      sourceId: record.source.id,
      contentHash,
      recordJson: JSON.stringify(stored),
    },
  };
}

import type { LearnerRecord } from './learner-record.types';
import { checkLearnerRecord, type FieldError } from './learner-record.validator';
import { toNfc } from '../common/unicode/nfc';
import {
  hasProvenance,
  normaliseUnicode,
  ProvenanceDefaults,
  sha256Hex,
  withProvenance,
} from './record-content';
import { recordInvalid, recordRejected } from './records.errors';
import type { UpsertRow } from './records.repository';

export interface PreparedRecord {
  record: LearnerRecord;
  row: UpsertRow;
}

/**
 * Records this thread has checked, as they were checked, with their JSON: checkRecord passes them
 * without a second look and prepareRecord hashes the JSON already made. An adapter that builds a
 * record checks it itself (to place each error in its input), and an import would otherwise check
 * and serialise every record twice, a tenth of a kommun's import.
 */
const CHECKED = new WeakMap<object, string>();

/**
 * Normalises a candidate record to NFC and checks it, returning the problems instead of throwing
 * (schema errors first, rule errors only for a record that fits). A record that passes is marked,
 * and checkRecord takes it as it is.
 */
export function checkCandidate(input: unknown): { record: LearnerRecord } | { errors: FieldError[] } {
  let candidate = input;
  let json = JSON.stringify(candidate);
  // NFC of the whole text equals the text exactly when every string in it is NFC (JSON's own
  // characters compose with nothing): one native pass instead of a walk over every string.
  if (toNfc(json) !== json) {
    candidate = normaliseUnicode(input);
    json = JSON.stringify(candidate);
  }
  const { schemaErrors, ruleErrors } = checkLearnerRecord(candidate);
  if (schemaErrors.length > 0) return { errors: schemaErrors };
  if (ruleErrors.length > 0) return { errors: ruleErrors };
  CHECKED.set(candidate as object, json);
  return { record: candidate as LearnerRecord };
}

/**
 * Accepts a candidate learner record or throws: 400 with a pointer per field when it does not fit
 * the schema, 422 when it fits but breaks a rule (a civic number that fails Luhn, say).
 * Strings are normalised to NFC first (unless the caller says parseStrictJson already did), so what
 * is checked is what is stored.
 */
export function checkRecord(input: unknown, opts: { normalised?: boolean } = {}): LearnerRecord {
  if (typeof input === 'object' && input !== null && CHECKED.has(input)) return input as LearnerRecord;
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
  const checkedJson = CHECKED.get(record);
  const contentHash = sha256Hex(withoutImportTimes(checkedJson ?? JSON.stringify(record)));
  const row = { sourcePlatform: record.source.platform, sourceId: record.source.id, contentHash };
  // An adapter's records carry provenance on every item already: what is stored is what was checked,
  // and its JSON is the one already made (jsonb keeps no key order, so where provenance sits in the
  // text does not matter). A second stringify was a twentieth of an import's conversion.
  if (checkedJson !== undefined && hasProvenance(record))
    return { record, row: { ...row, recordJson: checkedJson } };
  const stored = withProvenance(record, provenance);
  return {
    record: stored,
    row: { ...row, recordJson: JSON.stringify(stored) },
  };
}

/**
 * The record's JSON with every provenance `importedAt` and verification `checkedAt` blanked: when an
 * item was imported, or a credential in it verified, is not its content, and an adapter stamps each
 * import's own time on every item (and the CLR adapter verifies each credential anew), so the same
 * file imported again would otherwise count every pupil as updated. (In JSON.stringify's text a
 * quote inside a string is escaped, so the pattern only meets real keys.)
 */
export function withoutImportTimes(json: string): string {
  return json.replace(IMPORT_TIMES, '"$1":""');
}
const IMPORT_TIMES = /"(importedAt|checkedAt)":"[^"]*"/g;

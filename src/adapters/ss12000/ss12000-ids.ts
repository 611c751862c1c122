import { createHash } from 'node:crypto';

/**
 * Deterministic ids for the SS 12000 objects portabel has no id of its own for (organisations, programmes,
 * syllabuses, memberships, grades): name-based UUIDs (RFC 9562 version 5, SHA-1), so the same canonical
 * data always exports the same ids and a platform's sync sees no churn.
 */
const NAMESPACE = Buffer.from('6f1b2c4e8a9d4f0b9c3e5a7d1e2f3a4b', 'hex');

export function nameUuid(name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Ids of shared entities (organisations, syllabuses…) recur for every pupil: hash each name once. */
const shared = new Map<string, string>();
const MAX_SHARED = 100_000;
function sharedUuid(name: string): string {
  let id = shared.get(name);
  if (id === undefined) {
    if (shared.size >= MAX_SHARED) shared.clear();
    shared.set(name, (id = nameUuid(name)));
  }
  return id;
}

/**
 * Ids of one pupil's numbered items (grades, attendance): one hash for the pupil, the index in the last
 * twelve hex digits, so a kommun's million grades cost one hash per pupil.
 */
export function itemUuids(kind: string, personId: string): (index: number) => string {
  const base = nameUuid(`${kind}:${personId}`).slice(0, 24);
  return (index) => `${base}${index.toString(16).padStart(12, '0')}`;
}

/** The huvudman (the kommun as organiser). */
export const organiserId = (kommunCode: string): string => sharedUuid(`huvudman:${kommunCode}`);

/** A skolenhet under its organiser: the same unit under two organisers is two organisations. */
export const schoolUnitId = (organiserCode: string, schoolUnitCode: string): string =>
  sharedUuid(`skolenhet:${organiserCode}:${schoolUnitCode}`);

export const programmeId = (programmeCode: string): string => sharedUuid(`programme:${programmeCode}`);

export const syllabusId = (subjectCode: string, courseCode = '', curriculum = ''): string =>
  sharedUuid(`syllabus:${subjectCode}:${courseCode}:${curriculum}`);

/** The activity aggregated attendance of a school unit refers to (portabel keeps absence per term and unit). */
export const attendanceActivityId = (organiserCode: string, schoolUnitCode: string): string =>
  sharedUuid(`attendance-activity:${organiserCode}:${schoolUnitCode}`);

export const membershipId = (groupId: string, personId: string): string =>
  nameUuid(`membership:${groupId}:${personId}`);

/** A guardian as the read API refers to it: scoped by the record, whose guardian ids are only unique within it. */
export const guardianRefId = (recordId: string, guardianId: string): string =>
  nameUuid(`guardian:${recordId}:${guardianId}`);

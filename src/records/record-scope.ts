import { Sql, sql } from '../database/sql';
import type { LearnerRecord } from './learner-record.types';
import { foreignSource, outsideSchoolUnits, sectionsNotGranted } from './records.errors';

/**
 * Which records, and which parts of them, a caller may see or change: set by the access guard's
 * decision (src/auth), applied here where records are read and written. The empty scope is all.
 */
export interface RecordScope {
  /** Only records with an enrolment at one of these school units (a registrar limited to them). */
  schoolUnits?: readonly string[];
  /** Only a guardian's children in their custody, or a pupil's own record. */
  person?: { civicNo: string; as: 'guardian' | 'pupil' };
  /** Writes only to records of this source platform (a platform writes its own records only). */
  sourcePlatform?: string;
  /** The sections a platform was granted (plus `civicNo` for civic numbers); absent: all. */
  sections?: ReadonlySet<string>;
}

export const WHOLE_KOMMUN: RecordScope = Object.freeze({});

/** Sections granted one by one; `pupil` (names, security marking) always goes with a record. */
const SECTIONS = [
  'contact',
  'guardians',
  'enrolments',
  'groups',
  'grades',
  'assessments',
  'attendance',
  'supportMeasures',
  'achievements',
  'evidence',
] as const;

/** Whether the scope limits which records are visible (not only which sections). */
export const limitsRecords = (scope: RecordScope): boolean =>
  scope.schoolUnits !== undefined || scope.person !== undefined;

/** Whether the record is one the scope may see (content already parsed). */
export function recordInScope(record: LearnerRecord, scope: RecordScope): boolean {
  if (scope.schoolUnits) {
    const units = new Set(scope.schoolUnits);
    if (!(record.enrolments ?? []).some((e) => units.has(e.schoolUnitCode))) return false;
  }
  if (scope.person) {
    const { civicNo, as } = scope.person;
    if (as === 'pupil') return record.pupil.civicNo?.value === civicNo;
    // A guardian acts for the child only with custody (the record says so: custody === true).
    return (record.guardians ?? []).some((g) => g.civicNo?.value === civicNo && g.custody === true);
  }
  return true;
}

/** The same condition in SQL, for lists (the guardian and civic-number indexes serve it). */
export function scopeCondition(scope: RecordScope): Sql[] {
  const where: Sql[] = [];
  if (scope.schoolUnits) where.push(sql`school_unit_codes && ${scope.schoolUnits}::text[]`);
  if (scope.person?.as === 'pupil')
    where.push(sql`record #>> '{pupil,civicNo,value}' = ${scope.person.civicNo}`);
  if (scope.person?.as === 'guardian') {
    const match = JSON.stringify([{ civicNo: { value: scope.person.civicNo }, custody: true }]);
    where.push(sql`record -> 'guardians' @> ${match}::jsonb`);
  }
  return where;
}

/** The record without the sections the scope does not grant (data minimisation for platforms). */
export function withinSections(record: LearnerRecord, scope: RecordScope): LearnerRecord {
  const granted = scope.sections;
  if (!granted) return record;
  const out: LearnerRecord = { ...record };
  for (const section of SECTIONS) if (!granted.has(section)) delete out[section];
  if (!granted.has('civicNo')) {
    out.pupil = { ...record.pupil };
    delete out.pupil.civicNo;
    out.guardians = out.guardians?.map((guardian) => {
      const g = { ...guardian };
      delete g.civicNo;
      return g;
    });
    if (out.guardians === undefined) delete out.guardians;
  }
  return out;
}

/** The sections of a body the scope may not write, as names (`civicNo` for civic numbers). */
export function ungrantedSections(record: LearnerRecord, scope: RecordScope): string[] {
  const granted = scope.sections;
  if (!granted) return [];
  const present: string[] = SECTIONS.filter((s) => record[s] !== undefined && !granted.has(s));
  const hasCivicNo = record.pupil?.civicNo !== undefined || (record.guardians ?? []).some((g) => g.civicNo);
  if (hasCivicNo && !granted.has('civicNo')) present.push('civicNo');
  return present;
}

/** What the caller may write: only granted sections, and (if limited) pupils of their school units. */
export function checkWritable(record: LearnerRecord, scope: RecordScope): void {
  if (scope.sourcePlatform !== undefined && record.source.platform !== scope.sourcePlatform) {
    throw foreignSource(scope.sourcePlatform);
  }
  const ungranted = ungrantedSections(record, scope);
  if (ungranted.length > 0) throw sectionsNotGranted(ungranted);
  if (scope.schoolUnits && !recordInScope(record, { schoolUnits: scope.schoolUnits }))
    throw outsideSchoolUnits();
}

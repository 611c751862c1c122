// Canonical learner record → SS 12000 entities. Pure: ids come from the caller (the bundle keeps source
// ids, the read API uses portabel's record ids) and every loss is returned, pointed into the record.
import type {
  Attendance,
  Contact,
  Enrolment,
  Grade,
  Guardian,
  LearnerRecord,
} from '../../records/learner-record.types';
import type { LossEntry } from '../vendor-adapter.port';
import {
  absencePercent,
  custodyOf,
  emailTypeOut,
  hasSchoolYears,
  scaleOfValue,
  termDates,
} from './ss12000-codes';
import { attendanceActivityId, programmeId, schoolUnitId, syllabusId } from './ss12000-ids';
import type {
  Ss12000AggregatedAttendance,
  Ss12000Enrolment,
  Ss12000Grade,
  Ss12000Person,
  Ss12000Ref,
  Ss12000Syllabus,
} from './ss12000.types';
import { contactDisclosure } from './security-marking.policy';

/** The context key SS 12000's eduPersonPrincipalNames travel under in the canonical externalIdentifiers. */
export const EPPN_CONTEXT = 'eduPersonPrincipalName';

export interface PersonIds {
  pupil: string;
  guardian(guardian: Guardian, index: number): string;
}

/**
 * Display names for references (expandReferenceNames): the names portabel holds. A reference whose
 * object has no name here gets none, never a made-up one.
 */
export interface ReferenceNames {
  schoolUnit(organiserCode: string, schoolUnitCode: string): string | undefined;
}

export interface MappedPupil {
  person: Ss12000Person;
  /** The guardians as persons of their own, in the record's order. */
  guardians: Ss12000Person[];
  loss: LossEntry[];
}

/** Sections SS 12000 has no entity for, and why. */
const UNCARRIED_SECTIONS = {
  assessments: 'SS 12000 has no place for written assessments or IUP',
  supportMeasures: 'SS 12000 has no place for support measures (extra anpassningar, åtgärdsprogram)',
  achievements: 'SS 12000 has no place for credentials or badges',
  evidence: 'SS 12000 has no place for evidence of learning',
} as const;

const dropped = (pointer: string, detail: string): LossEntry => ({
  kind: 'dropped',
  source: { pointer },
  detail,
});

/** Losses of a whole record that no entity below reports: uncarried sections, provenance. */
export function recordLosses(record: LearnerRecord): LossEntry[] {
  const loss: LossEntry[] = [];
  for (const [section, detail] of Object.entries(UNCARRIED_SECTIONS)) {
    const items = record[section as keyof typeof UNCARRIED_SECTIONS];
    if (items && items.length > 0) loss.push(dropped(`/${section}`, detail));
  }
  if (record.pupil.provenance) {
    loss.push(
      dropped(
        '/pupil/provenance',
        'SS 12000 has no place for provenance (source platform, adapter, import time); the reading side records its own',
      ),
    );
  }
  return loss;
}

/** The pupil as an SS 12000 person, with enrolments and responsibles, and the guardians as persons. */
export function pupilToPersons(record: LearnerRecord, ids: PersonIds, names?: ReferenceNames): MappedPupil {
  const loss: LossEntry[] = [];
  const { pupil } = record;
  const disclosure = contactDisclosure(pupil.securityMarking);
  const eppns = (pupil.externalIdentifiers ?? []).filter(
    (e) => e.context === EPPN_CONTEXT && e.globallyUnique === true,
  );
  const others = (pupil.externalIdentifiers ?? []).filter((e) => !eppns.includes(e));
  const person: Ss12000Person = {
    id: ids.pupil,
    givenName: pupil.givenName,
    ...(pupil.middleName !== undefined ? { middleName: pupil.middleName } : {}),
    familyName: pupil.familyName,
    eduPersonPrincipalNames: eppns.map((e) => e.value),
    ...(others.length > 0 ? { externalIdentifiers: others.map((e) => ({ ...e })) } : {}),
    ...(pupil.civicNo ? { civicNo: { ...pupil.civicNo } } : {}),
    ...(pupil.birthDate !== undefined ? { birthDate: pupil.birthDate } : {}),
    ...(pupil.sex !== undefined ? { sex: pupil.sex } : {}),
    securityMarking: pupil.securityMarking,
  };
  if (record.contact && hasContact(record.contact)) {
    if (disclosure.allowed) Object.assign(person, contactOut(record.contact, 'pupil'));
    else loss.push(dropped('/contact', `Not disclosed: ${disclosure.reason}`));
  }

  const enrolments = (record.enrolments ?? []).map((e, i) =>
    enrolmentOut(e, `/enrolments/${i}`, loss, names),
  );
  if (enrolments.length > 0) person.enrolments = enrolments;

  const guardians: Ss12000Person[] = [];
  const responsibles = (record.guardians ?? []).map((g, i) => {
    const at = `/guardians/${i}`;
    const id = ids.guardian(g, i);
    if (g.custody !== custodyOf(g.relation)) {
      loss.push(
        dropped(
          `${at}/custody`,
          `SS 12000 has no custody field; relation ${g.relation} reads as custody ${String(custodyOf(g.relation))}`,
        ),
      );
    }
    if (g.livesWithPupil !== undefined)
      loss.push(
        dropped(`${at}/livesWithPupil`, 'SS 12000 has no place for whether the pupil lives with the adult'),
      );
    const adult: Ss12000Person = {
      id,
      givenName: g.givenName,
      familyName: g.familyName,
      eduPersonPrincipalNames: [],
      ...(g.civicNo ? { civicNo: { ...g.civicNo } } : {}),
    };
    if (g.contact && hasContact(g.contact)) {
      if (disclosure.allowed) Object.assign(adult, contactOut(g.contact, 'adult'));
      else loss.push(dropped(`${at}/contact`, `Not disclosed: ${disclosure.reason}`));
    }
    guardians.push(adult);
    return {
      person: ref(id, names ? `${g.givenName} ${g.familyName}` : undefined),
      relationType: g.relation,
    };
  });
  if (responsibles.length > 0) person.responsibles = responsibles;
  return { person, guardians, loss };
}

const hasContact = (c: Contact): boolean =>
  Boolean(c.addresses?.length || c.emails?.length || c.phoneNumbers?.length);

function contactOut(c: Contact, role: 'pupil' | 'adult'): Partial<Ss12000Person> {
  const out: Partial<Ss12000Person> = {};
  if (c.emails?.length)
    out.emails = c.emails.map((e) => ({ value: e.value, type: emailTypeOut(e.type, role) }));
  if (c.phoneNumbers?.length)
    out.phoneNumbers = c.phoneNumbers.map((p) => ({
      value: p.value,
      type: p.type,
      mobile: p.type === 'Mobil',
    }));
  if (c.addresses?.length) {
    out.addresses = c.addresses.map((a) => ({
      type: a.type,
      streetAddress: a.streetAddress,
      locality: a.locality,
      postalCode: a.postalCode,
      ...(a.countryCode !== undefined ? { countryCode: a.countryCode } : {}),
    }));
  }
  return out;
}

function enrolmentOut(
  e: Enrolment,
  at: string,
  loss: LossEntry[],
  names: ReferenceNames | undefined,
): Ss12000Enrolment {
  const yearly = hasSchoolYears(e.schoolType);
  if (e.schoolYear === null && yearly)
    loss.push({
      kind: 'approximated',
      source: { pointer: `${at}/schoolYear` },
      detail: `SS 12000 has no null school year; left out, and ${e.schoolType} has school years`,
    });
  if (e.schoolYear === undefined && !yearly)
    loss.push({
      kind: 'approximated',
      source: { pointer: `${at}/schoolYear` },
      detail: `${e.schoolType} has no school years: read back as null`,
    });
  return {
    enroledAt: ref(
      schoolUnitId(e.organiserCode, e.schoolUnitCode),
      names?.schoolUnit(e.organiserCode, e.schoolUnitCode),
    ),
    schoolType: e.schoolType,
    ...(typeof e.schoolYear === 'number' ? { schoolYear: e.schoolYear } : {}),
    ...(e.programmeCode !== undefined
      ? { programme: ref(programmeId(e.programmeCode)) } // portabel holds the code, not the programme's name
      : {}),
    ...(e.educationCode !== undefined ? { educationCode: e.educationCode } : {}),
    startDate: e.startDate,
    ...(e.endDate !== undefined ? { endDate: e.endDate } : {}),
    ...(e.cancelled !== undefined ? { cancelled: e.cancelled } : {}),
  };
}

/** The organiser of a school unit as the record knows it: from the pupil's enrolment there, or the fallback. */
export function organiserOf(record: LearnerRecord, schoolUnitCode: string, fallback: string): string {
  return record.enrolments?.find((e) => e.schoolUnitCode === schoolUnitCode)?.organiserCode ?? fallback;
}

export interface MappedGrade {
  grade: Ss12000Grade;
  syllabus: Ss12000Syllabus;
  /** The organiser and school unit the grade's organisation reference names, when it has one. */
  unit?: { organiserCode: string; schoolUnitCode: string };
}

export function gradeOut(
  record: LearnerRecord,
  g: Grade,
  i: number,
  ids: { grade: string; student: string; organiserFallback: string },
  loss: LossEntry[],
): MappedGrade {
  const at = `/grades/${i}`;
  const inferred = scaleOfValue(g.value);
  if (!inferred || inferred.ambiguous || inferred.scale !== g.gradeScale)
    loss.push(
      dropped(`${at}/gradeScale`, 'SS 12000 grades carry no grading scale; it is read from the value'),
    );
  if (g.final === undefined)
    loss.push({
      kind: 'approximated',
      source: { pointer: `${at}/final` },
      detail: 'SS 12000 requires finalGrade: written as false',
    });
  const syllabus: Ss12000Syllabus = {
    id: syllabusId(g.subjectCode, g.courseCode, g.curriculum),
    subjectCode: g.subjectCode,
    ...(g.courseCode !== undefined ? { courseCode: g.courseCode } : {}),
    ...(g.curriculum !== undefined ? { curriculum: g.curriculum } : {}),
  };
  const unit = g.schoolUnitCode
    ? {
        organiserCode: organiserOf(record, g.schoolUnitCode, ids.organiserFallback),
        schoolUnitCode: g.schoolUnitCode,
      }
    : undefined;
  const teacher = g.gradingTeacher ? ref(g.gradingTeacher.id, g.gradingTeacher.name) : undefined;
  const grade: Ss12000Grade = {
    id: ids.grade,
    student: ref(ids.student),
    ...(unit ? { organisation: ref(schoolUnitId(unit.organiserCode, unit.schoolUnitCode)) } : {}),
    // SS 12000 wants who registered the grade; portabel knows only who set it.
    ...(teacher ? { registeredBy: teacher, gradingTeacher: teacher } : {}),
    registeredDate: g.registeredDate,
    gradeValue: g.value,
    finalGrade: g.final ?? false,
    ...(g.trial !== undefined ? { trial: g.trial } : {}),
    ...(g.adaptedStudyPlan !== undefined ? { adaptedStudyPlan: g.adaptedStudyPlan } : {}),
    ...(g.correctionType !== undefined ? { correctionType: g.correctionType } : {}),
    ...(g.semester !== undefined ? { semester: g.semester } : {}),
    ...(g.year !== undefined ? { year: g.year } : {}),
    syllabus: ref(syllabus.id),
  };
  return { grade, syllabus, ...(unit ? { unit } : {}) };
}

export interface MappedAttendance {
  attendance: Ss12000AggregatedAttendance;
  unit: { organiserCode: string; schoolUnitCode: string };
}

/** One term at one unit; undefined (and a loss) when it holds no minutes, which is all SS 12000 counts in. */
export function attendanceOut(
  record: LearnerRecord,
  a: Attendance,
  i: number,
  ids: { attendance: string; student: string; organiserFallback: string },
  loss: LossEntry[],
): MappedAttendance | undefined {
  const at = `/attendance/${i}`;
  const { validAbsenceMinutes: valid, invalidAbsenceMinutes: invalid, scheduledMinutes: scheduled } = a;
  if (valid === undefined && invalid === undefined && scheduled === undefined) {
    loss.push(dropped(at, 'SS 12000 counts attendance in minutes only, and this term has none'));
    return undefined;
  }
  for (const [field, minutes] of [
    ['validAbsencePercent', valid],
    ['invalidAbsencePercent', invalid],
  ] as const) {
    if (a[field] !== absencePercent(minutes, scheduled))
      loss.push(dropped(`${at}/${field}`, 'SS 12000 has no percentages; they are derived from the minutes'));
  }
  const organiserCode = organiserOf(record, a.schoolUnitCode, ids.organiserFallback);
  return {
    attendance: {
      id: ids.attendance,
      activity: ref(attendanceActivityId(organiserCode, a.schoolUnitCode)),
      student: ref(ids.student),
      ...termDates(a.term),
      ...(scheduled !== undefined
        ? { attendanceSum: Math.max(0, scheduled - (valid ?? 0) - (invalid ?? 0)) }
        : {}),
      ...(valid !== undefined ? { validAbsenceSum: valid } : {}),
      ...(invalid !== undefined ? { invalidAbsenceSum: invalid } : {}),
      ...(scheduled !== undefined ? { offeredSum: scheduled } : {}),
    },
    unit: { organiserCode, schoolUnitCode: a.schoolUnitCode },
  };
}

function ref(id: string, displayName?: string): Ss12000Ref {
  return displayName === undefined ? { id } : { id, displayName };
}

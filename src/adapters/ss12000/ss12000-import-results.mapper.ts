// SS 12000 grades and aggregated attendance → the canonical record's grades and attendance. An item that
// cannot be placed (no syllabus, no school unit, no term) is left out with a loss entry.
import type { Attendance, Grade } from '../../records/learner-record.types';
import { absencePercent, scaleOfValue, termOfDate } from './ss12000-codes';
import {
  ImportScope,
  isObj,
  loseUnread,
  refId,
  str,
  whereOf,
  within,
  type Where,
} from './ss12000-import-scope';
import type { PupilLinks } from './ss12000-import-school.mapper';

const CURRICULUM = /^[A-ZÅÄÖ0-9]{2,12}$/;

/** The grade fields the mapping reads or reports itself; `meta` describes the entry, not the grade. */
const GRADE_FIELDS = new Set([
  'id', 'meta', 'student', 'syllabus', 'gradeValue', 'registeredDate', 'finalGrade', 'trial', 'semester', 'year',
  'organisation', 'schoolUnit', 'gradingTeacher', 'registeredBy', 'correctionType', 'adaptedStudyPlan', 'group',
  'studentGroup', 'remark', 'remarkValue', 'diplomaProject', 'conversion', 'converted',
]); // prettier-ignore

const ATTENDANCE_FIELDS = new Set([
  'id', 'meta', 'student', 'activity', 'organisation', 'startDate', 'endDate', 'attendanceSum', 'validAbsenceSum',
  'invalidAbsenceSum', 'otherAttendanceSum', 'offeredSum',
]); // prettier-ignore

export function gradesOf(scope: ImportScope, links: PupilLinks): Grade[] {
  const out: Grade[] = [];
  for (const located of links.grades) {
    const g = located.value;
    const w = whereOf(located);
    const target = `/grades/${out.length}`;
    const syllabusId = refId(g.syllabus);
    const syllabus = scope.index.get('syllabus', syllabusId)?.value;
    const subjectCode = syllabus?.subjectCode;
    if (typeof subjectCode !== 'string') {
      const why = syllabusId
        ? `its syllabus ${syllabusId} is not in the input (or has no subjectCode)`
        : 'it has no syllabus';
      scope.lose('dropped', w, `Left out: ${why}, so the subject is unknown`);
      continue;
    }
    const value = g.gradeValue;
    const scale = typeof value === 'string' ? scaleOfValue(value) : undefined;
    if (!scale) {
      scope.lose(
        'unknown-code',
        within(w, 'gradeValue'),
        `Left out: grade ${JSON.stringify(value)} is on no grading scale portabel knows`,
      );
      continue;
    }
    if (scale.ambiguous)
      scope.lose(
        'approximated',
        within(w, 'gradeValue'),
        `${String(value)} is on IG–MVG and G–VG alike: IG–MVG is assumed`,
        `${target}/gradeScale`,
      );
    const registeredDate = scope.date(
      g.registeredDate,
      within(w, 'registeredDate'),
      `${target}/registeredDate`,
    );
    if (registeredDate === undefined) {
      scope.lose('dropped', w, 'Left out: the grade has no registeredDate');
      continue;
    }
    const grade: Record<string, unknown> = { subjectCode };
    if (syllabus?.courseCode !== undefined) grade.courseCode = syllabus.courseCode;
    grade.gradeScale = scale.scale;
    grade.value = value;
    if (g.finalGrade !== undefined) grade.final = g.finalGrade;
    if (g.trial !== undefined) grade.trial = g.trial;
    grade.registeredDate = registeredDate;
    if (g.semester !== undefined) grade.semester = g.semester;
    if (g.year !== undefined) grade.year = g.year;
    const curriculum = curriculumOf(
      scope,
      syllabus?.curriculum,
      within(w, 'syllabus'),
      `${target}/curriculum`,
    );
    if (curriculum !== undefined) grade.curriculum = curriculum;
    const unitId = refId(g.organisation) ?? refId(g.schoolUnit);
    if (unitId !== undefined) {
      const code = scope.schoolUnitCode(unitId);
      if (code) grade.schoolUnitCode = code;
      else
        scope.lose(
          'dropped',
          within(w, g.organisation !== undefined ? 'organisation' : 'schoolUnit'),
          `${unitId} is not an organisation with a schoolUnitCode in the input`,
          `${target}/schoolUnitCode`,
        );
    }
    const teacher = isObj(g.gradingTeacher) ? g.gradingTeacher : undefined;
    if (teacher)
      grade.gradingTeacher = {
        id: teacher.id,
        ...(str(teacher.displayName) ? { name: teacher.displayName } : {}),
      };
    const registeredBy = refId(g.registeredBy);
    if (registeredBy !== undefined && registeredBy !== refId(teacher))
      scope.lose(
        'dropped',
        within(w, 'registeredBy'),
        'portabel keeps the grading teacher, not who registered the grade',
      );
    if (g.correctionType !== undefined) grade.correctionType = g.correctionType;
    if (typeof g.adaptedStudyPlan === 'boolean') grade.adaptedStudyPlan = g.adaptedStudyPlan;
    else if (str(g.adaptedStudyPlan) !== undefined) {
      grade.adaptedStudyPlan = true;
      scope.lose(
        'approximated',
        within(w, 'adaptedStudyPlan'),
        'A description of the adapted study plan: kept as true',
        `${target}/adaptedStudyPlan`,
      );
    }
    for (const field of ['group', 'studentGroup', 'remark', 'remarkValue', 'diplomaProject', 'conversion'])
      if (g[field] !== undefined)
        scope.lose('dropped', within(w, field), `portabel has no place for a grade's ${field}`);
    if (g.converted === true)
      scope.lose('dropped', within(w, 'converted'), 'portabel does not mark converted grades');
    loseUnread(scope, g, w, GRADE_FIELDS, 'a grade');
    grade.provenance = scope.provenance(str(g.id));
    out.push(
      scope.from(grade as unknown as Grade, w, {
        value: 'gradeValue',
        final: 'finalGrade',
        subjectCode: 'syllabus',
        courseCode: 'syllabus',
        curriculum: 'syllabus',
        schoolUnitCode: 'organisation',
      }),
    );
  }
  return out;
}

/** SS 12000 spells curricula Lgr11, GR2011…; portabel keeps capital letters and digits. */
function curriculumOf(scope: ImportScope, value: unknown, w: Where, target: string): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  if (CURRICULUM.test(value)) return value;
  const upper = value.toUpperCase().replace(/[^A-ZÅÄÖ0-9]/g, '');
  if (CURRICULUM.test(upper)) {
    scope.lose('approximated', w, `Curriculum ${value} is kept as ${upper}`, target);
    return upper;
  }
  scope.lose('dropped', w, `Curriculum ${JSON.stringify(value)} is not a curriculum code`, target);
  return undefined;
}

/** Aggregated attendance, summed per term and school unit, which is how portabel keeps absence. */
export function attendanceOf(scope: ImportScope, links: PupilLinks): Attendance[] {
  interface Term {
    where: Where;
    term: string;
    schoolUnitCode: string;
    valid?: number;
    invalid?: number;
    scheduled?: number;
    sourceId?: string;
  }
  const terms = new Map<string, Term>();
  const minutes = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
  const add = (a: number | undefined, b: number | undefined) =>
    a === undefined ? b : b === undefined ? a : a + b;
  for (const located of links.attendance) {
    const a = located.value;
    const w = whereOf(located);
    const activity = scope.index.get('activity', refId(a.activity))?.value;
    const schoolUnitCode = scope.schoolUnitCode(refId(activity?.organisation) ?? refId(a.organisation));
    if (!schoolUnitCode) {
      scope.lose(
        'dropped',
        w,
        'Left out: neither its activity nor the entry names an organisation with a schoolUnitCode in the input',
      );
      continue;
    }
    const start = typeof a.startDate === 'string' ? a.startDate.slice(0, 10) : undefined;
    if (start === undefined || !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(start)) {
      scope.lose('dropped', within(w, 'startDate'), 'Left out: no startDate, so the term is unknown');
      continue;
    }
    const term = termOfDate(start);
    const key = `${term}:${schoolUnitCode}`;
    const position = [...terms.keys()].indexOf(key);
    const target = `/attendance/${position === -1 ? terms.size : position}`;
    const end = str(a.endDate);
    if (end !== undefined && termOfDate(end.slice(0, 10)) !== term)
      scope.lose(
        'approximated',
        within(w, 'endDate'),
        `The period runs past ${term}: counted in ${term}`,
        `${target}/term`,
      );
    loseUnread(scope, a, w, ATTENDANCE_FIELDS, 'an attendance entry');
    const valid = minutes(a.validAbsenceSum);
    const invalid = minutes(a.invalidAbsenceSum);
    let scheduled = minutes(a.offeredSum);
    const attended = minutes(a.attendanceSum);
    if (scheduled === undefined && attended !== undefined) {
      scheduled = attended + (valid ?? 0) + (invalid ?? 0) + (minutes(a.otherAttendanceSum) ?? 0);
      scope.lose(
        'approximated',
        w,
        'No offeredSum: scheduled time is attendance and absence added up',
        `${target}/scheduledMinutes`,
      );
    }
    const existing = terms.get(key);
    if (existing) {
      scope.lose(
        'approximated',
        w,
        `Added to the other entries of ${term} at ${schoolUnitCode}: portabel keeps one total per term and unit`,
        target,
      );
      existing.valid = add(existing.valid, valid);
      existing.invalid = add(existing.invalid, invalid);
      existing.scheduled = add(existing.scheduled, scheduled);
    } else terms.set(key, { where: w, term, schoolUnitCode, valid, invalid, scheduled, sourceId: str(a.id) });
  }
  return [...terms.values()].map((t) => {
    const entry: Record<string, unknown> = { term: t.term, schoolUnitCode: t.schoolUnitCode };
    if (t.valid !== undefined) entry.validAbsenceMinutes = t.valid;
    if (t.invalid !== undefined) entry.invalidAbsenceMinutes = t.invalid;
    if (t.scheduled !== undefined) entry.scheduledMinutes = t.scheduled;
    const validPercent = absencePercent(t.valid, t.scheduled);
    const invalidPercent = absencePercent(t.invalid, t.scheduled);
    if (validPercent !== undefined) entry.validAbsencePercent = validPercent;
    if (invalidPercent !== undefined) entry.invalidAbsencePercent = invalidPercent;
    entry.provenance = scope.provenance(t.sourceId);
    return scope.from(entry as unknown as Attendance, t.where, {
      term: 'startDate',
      schoolUnitCode: 'activity',
      validAbsenceMinutes: 'validAbsenceSum',
      invalidAbsenceMinutes: 'invalidAbsenceSum',
      scheduledMinutes: 'offeredSum',
    });
  });
}

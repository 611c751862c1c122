// SS 12000 enrolments, placements and group memberships → the canonical record's enrolments and groups. An item that cannot be placed (no school unit, no syllabus) is left out with
// a loss entry; the rest of the pupil goes on.
import type { Enrolment, Group } from '../../records/learner-record.types';
import type { Located, Membership, Obj } from './ss12000-entity-index';
import { GROUP_TYPES, hasSchoolYears, SCHOOL_TYPE_APPROXIMATIONS, SCHOOL_TYPES } from './ss12000-codes';
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

/** What in the input belongs to one pupil, found by the join. */
export interface PupilLinks {
  placements: Located[];
  memberships: Membership[];
  grades: Located[];
  attendance: Located[];
}

/** The fields of an enrolment and of a placement the mapping reads or reports itself. */
const ENROLMENT_FIELDS = new Set([
  'enroledAt', 'schoolType', 'schoolYear', 'startDate', 'endDate', 'cancelled', 'educationCode', 'programme',
  'specification',
]); // prettier-ignore
const PLACEMENT_FIELDS = new Set([
  'id', 'meta', 'placedAt', 'child', 'schoolType', 'schoolYear', 'startDate', 'endDate', 'group', 'studentGroup',
  'reason', 'maxWeeklyScheduleHours',
]); // prettier-ignore

const PROGRAMME_CODE = /^[A-ZÅÄÖ0-9]{1,20}$/;
const EDUCATION_CODE = /^[A-Za-zÅÄÖåäö0-9]{1,30}$/;

export function enrolmentsOf(scope: ImportScope, person: Located, links: PupilLinks): Enrolment[] {
  const out: Enrolment[] = [];
  const p = person.value;
  const personId = p.id as string;
  (Array.isArray(p.enrolments) ? p.enrolments : []).forEach((e: unknown, j) => {
    const w = within(whereOf(person), `enrolments/${j}`);
    if (!isObj(e)) return scope.lose('dropped', w, 'An enrolment that is not an object');
    const enrolment = schoolPlacement(
      scope,
      e,
      refId(e.enroledAt),
      w,
      `/enrolments/${out.length}`,
      'enroledAt',
    );
    if (!enrolment) return;
    const target = `/enrolments/${out.length}`;
    const programme = refId(e.programme);
    if (programme !== undefined) {
      const code = str(scope.index.get('programme', programme)?.value.code);
      if (code !== undefined && PROGRAMME_CODE.test(code)) enrolment.programmeCode = code;
      else
        scope.lose(
          'dropped',
          within(w, 'programme'),
          `The programme ${programme} is not a programme with a code in the input`,
          `${target}/programmeCode`,
        );
    }
    if (e.educationCode !== undefined && e.educationCode !== null) {
      if (typeof e.educationCode === 'string' && EDUCATION_CODE.test(e.educationCode))
        enrolment.educationCode = e.educationCode;
      else
        scope.lose(
          'dropped',
          within(w, 'educationCode'),
          `educationCode ${JSON.stringify(e.educationCode)} is not a study path code (letters and digits)`,
          `${target}/educationCode`,
        );
    }
    if (e.cancelled !== undefined && e.cancelled !== null) enrolment.cancelled = e.cancelled as boolean;
    if (e.specification !== undefined)
      scope.lose(
        'dropped',
        within(w, 'specification'),
        "portabel has no place for an enrolment's specification",
      );
    loseUnread(scope, e, w, ENROLMENT_FIELDS, 'an enrolment');
    enrolment.provenance = scope.provenance(personId);
    out.push(
      scope.from(enrolment, w, {
        organiserCode: 'enroledAt',
        schoolUnitCode: 'enroledAt',
        programmeCode: 'programme',
      }),
    );
  });
  for (const placement of links.placements) {
    const v = placement.value;
    const w = whereOf(placement);
    const placedAt = typeof v.placedAt === 'string' ? v.placedAt : refId(v.placedAt);
    const enrolment = schoolPlacement(scope, v, placedAt, w, `/enrolments/${out.length}`, 'placedAt');
    if (!enrolment) continue;
    for (const field of ['group', 'studentGroup', 'reason', 'maxWeeklyScheduleHours'])
      if (v[field] !== undefined)
        scope.lose('dropped', within(w, field), `portabel has no place for a placement's ${field}`);
    loseUnread(scope, v, w, PLACEMENT_FIELDS, 'a placement');
    enrolment.provenance = scope.provenance(v.id as string);
    out.push(scope.from(enrolment, w, { organiserCode: 'placedAt', schoolUnitCode: 'placedAt' }));
  }
  return out;
}

/** The part an enrolment and a placement share: where, which school form and year, when. */
function schoolPlacement(
  scope: ImportScope,
  e: Obj,
  organisationId: string | undefined,
  w: Where,
  target: string,
  unitField: string,
): Enrolment | undefined {
  const schoolUnitCode = scope.schoolUnitCode(organisationId);
  if (!schoolUnitCode || !organisationId) {
    const why = organisationId
      ? `${unitField} ${organisationId} is not an organisation with a schoolUnitCode in the input`
      : `it has no ${unitField}`;
    scope.lose('dropped', w, `Left out: ${why}, and portabel places pupils at school units`);
    return undefined;
  }
  let schoolType = SCHOOL_TYPES.find((t) => t === e.schoolType);
  if (!schoolType && typeof e.schoolType === 'string' && SCHOOL_TYPE_APPROXIMATIONS[e.schoolType]) {
    schoolType = SCHOOL_TYPE_APPROXIMATIONS[e.schoolType];
    scope.lose(
      'approximated',
      within(w, 'schoolType'),
      `School type ${e.schoolType} is kept as ${schoolType}`,
      `${target}/schoolType`,
    );
  }
  if (!schoolType) {
    scope.lose(
      'unknown-code',
      within(w, 'schoolType'),
      `Left out: school type ${JSON.stringify(e.schoolType)} is not one portabel knows`,
    );
    return undefined;
  }
  const enrolment: Record<string, unknown> = {
    organiserCode: scope.organiserCode(organisationId, within(w, unitField), `${target}/organiserCode`),
    schoolUnitCode,
    schoolType,
  };
  if (typeof e.schoolYear === 'number') enrolment.schoolYear = e.schoolYear;
  else if (e.schoolYear !== undefined && e.schoolYear !== null) enrolment.schoolYear = e.schoolYear;
  else if (!hasSchoolYears(schoolType)) enrolment.schoolYear = null;
  const startDate = scope.date(e.startDate, within(w, 'startDate'), `${target}/startDate`);
  if (startDate === undefined) {
    scope.lose(
      'defaulted',
      within(w, 'startDate'),
      `No startDate: the day of the import, ${scope.today}`,
      `${target}/startDate`,
    );
    enrolment.startDate = scope.today;
  } else enrolment.startDate = startDate;
  const endDate = scope.date(e.endDate, within(w, 'endDate'), `${target}/endDate`);
  if (endDate !== undefined) enrolment.endDate = endDate;
  return enrolment as unknown as Enrolment;
}

export function groupsOf(scope: ImportScope, links: PupilLinks): Group[] {
  const out: Group[] = [];
  const seen = new Set<string>();
  for (const { group, membership: m, index } of links.memberships) {
    const g = group.value;
    const id = g.id as string;
    const w = within(whereOf(group), `groupMemberships/${index}`);
    const target = `/groups/${out.length}`;
    const schoolUnitCode = scope.schoolUnitCode(refId(g.organisation));
    if (!schoolUnitCode) {
      scope.lose(
        'dropped',
        w,
        `Left out: the group ${id} belongs to no organisation with a schoolUnitCode in the input`,
      );
      continue;
    }
    if (seen.has(id)) {
      scope.lose('dropped', w, `A second membership of the group ${id}: portabel keeps one period per group`);
      continue;
    }
    seen.add(id);
    let groupType = GROUP_TYPES.find((t) => t === g.groupType);
    if (!groupType) {
      groupType = 'Övrigt';
      scope.lose(
        g.groupType === undefined ? 'defaulted' : 'unknown-code',
        within(whereOf(group), 'groupType'),
        `Group type ${JSON.stringify(g.groupType)}: Övrigt`,
        `${target}/groupType`,
      );
    }
    let name = g.displayName;
    if (name === undefined || name === null) {
      name = id;
      scope.lose(
        'defaulted',
        within(whereOf(group), 'displayName'),
        'No displayName: the group id is its name',
        `${target}/name`,
      );
    }
    let startDate = scope.date(m.startDate ?? g.startDate, within(w, 'startDate'), `${target}/startDate`);
    if (startDate === undefined) {
      startDate = scope.today;
      scope.lose(
        'defaulted',
        w,
        `No start of membership or group: the day of the import, ${scope.today}`,
        `${target}/startDate`,
      );
    }
    const endDate = scope.date(m.endDate ?? g.endDate, within(w, 'endDate'), `${target}/endDate`);
    const item = {
      id,
      name,
      groupType,
      schoolUnitCode,
      startDate,
      ...(endDate !== undefined ? { endDate } : {}),
      provenance: scope.provenance(id),
    };
    out.push(scope.from(item as Group, w));
  }
  return out;
}

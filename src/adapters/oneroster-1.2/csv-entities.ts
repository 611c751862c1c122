// CSV records to intermediate entities, one converter per file. Values are trimmed; empty is absent.
import { EXT, type OrFile } from './oneroster-1.2.columns';
import {
  someExtras,
  type EntityOf,
  type Origin,
  type OrExtra,
  type OrStatus,
  type OrUser,
  type OrUserId,
} from './oneroster-1.2.entities';
import { nfc, parseList, parseUserIds } from './entity-fields';

/** The fields of one record by column name. */
export interface CsvRow {
  get(field: string): string | undefined;
  /** The record's fields, in header order. */
  readonly cells: string[];
  status: OrStatus;
  origin: Origin;
  at: number;
  /** Non-empty values of columns the mapper does not know (ext_* and others), in header order. */
  extras(): OrExtra[];
}

/** Demographics columns portabel does not hold: US race and ethnicity flags, places of birth. */
const DEMOGRAPHICS_DROPPED = [
  'americanIndianOrAlaskaNative',
  'asian',
  'blackOrAfricanAmerican',
  'nativeHawaiianOrOtherPacificIslander',
  'white',
  'demographicRaceTwoOrMoreRaces',
  'hispanicOrLatinoEthnicity',
  'countryOfBirthCode',
  'stateOfBirthAbbreviation',
  'cityOfBirth',
  'publicSchoolResidenceStatus',
];

type Converter<K extends OrFile> = (row: CsvRow) => EntityOf[K];

const req = (row: CsvRow, field: string): string => row.get(field) ?? '';

export const CSV_CONVERTERS: { [K in OrFile]: Converter<K> } = {
  orgs: (r) => ({
    ...base(r),
    name: r.get('name'),
    type: r.get('type'),
    identifier: r.get('identifier'),
    parentSourcedId: r.get('parentSourcedId'),
  }),
  academicSessions: (r) => ({
    ...base(r),
    title: r.get('title'),
    type: r.get('type'),
    startDate: r.get('startDate'),
    endDate: r.get('endDate'),
    schoolYear: r.get('schoolYear'),
  }),
  courses: (r) => ({
    ...base(r),
    title: r.get('title'),
    courseCode: r.get('courseCode'),
    orgSourcedId: r.get('orgSourcedId'),
    subjectCodes: parseList(r.get('subjectCodes')),
  }),
  classes: (r) => ({
    ...base(r),
    title: r.get('title'),
    classType: r.get('classType'),
    courseSourcedId: r.get('courseSourcedId'),
    schoolSourcedId: r.get('schoolSourcedId'),
    termSourcedIds: parseList(r.get('termSourcedIds')),
  }),
  categories: (r) => ({ ...base(r), title: r.get('title') }),
  scoreScales: (r) => ({ ...base(r), title: r.get('title'), type: r.get('type') }),
  lineItems: (r) => ({
    ...base(r),
    title: r.get('title'),
    classSourcedId: r.get('classSourcedId'),
    categorySourcedId: r.get('categorySourcedId'),
    academicSessionSourcedId: r.get('academicSessionSourcedId'),
    schoolSourcedId: r.get('schoolSourcedId'),
    assignDate: r.get('assignDate'),
    dueDate: r.get('dueDate'),
    curriculum: r.get(EXT.curriculum),
  }),
  lineItemScoreScales: (r) => link(r, 'lineItemSourcedId'),
  resultScoreScales: (r) => link(r, 'resultSourcedId'),
  roles: (r) => ({
    origin: r.origin,
    at: r.at,
    sourcedId: r.get('sourcedId'),
    status: r.status,
    userSourcedId: req(r, 'userSourcedId'),
    roleType: r.get('roleType'),
    role: req(r, 'role'),
    beginDate: r.get('beginDate'),
    endDate: r.get('endDate'),
    orgSourcedId: req(r, 'orgSourcedId'),
    schoolType: r.get(EXT.schoolType),
    schoolYear: r.get(EXT.schoolYear),
    programmeCode: r.get(EXT.programmeCode),
    educationCode: r.get(EXT.educationCode),
    cancelled: r.get(EXT.cancelled),
    ...someExtras(r.extras()),
  }),
  users: (r) => new CsvUser(r),
  enrollments: (r) => ({
    origin: r.origin,
    at: r.at,
    sourcedId: req(r, 'sourcedId'),
    status: r.status,
    classSourcedId: req(r, 'classSourcedId'),
    schoolSourcedId: r.get('schoolSourcedId'),
    userSourcedId: req(r, 'userSourcedId'),
    role: req(r, 'role'),
    primary: r.get('primary'),
    beginDate: r.get('beginDate'),
    endDate: r.get('endDate'),
    ...someExtras(r.extras()),
  }),
  demographics: (r) => ({
    ...base(r),
    birthDate: r.get('birthDate'),
    sex: r.get('sex'),
    extras: [
      ...DEMOGRAPHICS_DROPPED.map((field) => ({ field, value: r.get(field) ?? '' })).filter(
        (e) => e.value !== '',
      ),
      ...r.extras(),
    ],
  }),
  results: (r) => ({
    origin: r.origin,
    at: r.at,
    sourcedId: req(r, 'sourcedId'),
    status: r.status,
    lineItemSourcedId: req(r, 'lineItemSourcedId'),
    studentSourcedId: req(r, 'studentSourcedId'),
    scoreStatus: r.get('scoreStatus'),
    score: r.get('score'),
    textScore: r.get('textScore'),
    scoreDate: r.get('scoreDate'),
    comment: r.get('comment'),
    ...someExtras(r.extras()),
  }),
};

const USER_EXTRAS = [
  'password',
  'preferredGivenName',
  'preferredMiddleName',
  'preferredFamilyName',
  'pronouns',
] as const;

/**
 * A users row. The fields every pass needs are read at once; the rest (identifiers, extras) only when
 * asked for, as the first pass over users.csv looks at little more than ids and roles.
 */
class CsvUser implements OrUser {
  readonly origin: Origin;
  readonly at: number;
  readonly sourcedId: string;
  readonly status: OrStatus;
  readonly role?: string;
  readonly givenName?: string;
  readonly familyName?: string;
  readonly email?: string;
  readonly sms?: string;
  readonly phone?: string;
  readonly agentSourcedIds: string[];
  readonly orgSourcedIds: string[];
  readonly valueOf: (field: string) => string | undefined;
  private readonly extraFields: () => OrExtra[];

  constructor(r: CsvRow) {
    this.origin = r.origin;
    this.at = r.at;
    this.sourcedId = req(r, 'sourcedId');
    this.status = r.status;
    this.role = r.get('role');
    this.givenName = r.get('givenName');
    this.familyName = r.get('familyName');
    this.email = r.get('email');
    this.sms = r.get('sms');
    this.phone = r.get('phone');
    this.agentSourcedIds = parseList(r.get('agentSourcedIds'));
    this.orgSourcedIds = parseList(r.get('orgSourcedIds'));
    this.valueOf = valueReader(r);
    const view = { cells: r.cells, extras: r.extras.bind(r) };
    this.extraFields = () => [
      ...USER_EXTRAS.map((field) => ({ field, value: this.valueOf(field) ?? '' })).filter(
        (e) => e.value !== '',
      ),
      ...view.extras(),
    ];
  }

  get enabledUser(): string | undefined {
    return this.valueOf('enabledUser');
  }
  get username(): string | undefined {
    return this.valueOf('username');
  }
  get userIds(): OrUserId[] {
    return parseUserIds(this.valueOf('userIds'));
  }
  get middleName(): string | undefined {
    return this.valueOf('middleName');
  }
  get identifier(): string | undefined {
    return this.valueOf('identifier');
  }
  get grades(): string[] {
    return parseList(this.valueOf('grades'));
  }
  get primaryOrgSourcedId(): string | undefined {
    return this.valueOf('primaryOrgSourcedId');
  }
  get extras(): OrExtra[] {
    return this.extraFields();
  }
}

/** Reads any column of the row later without keeping the row view. */
function valueReader(r: CsvRow): (field: string) => string | undefined {
  const { cells, origin } = r;
  return (field) => {
    const index = origin.columns?.get(field);
    const value = index === undefined ? '' : cells[index].trim();
    return value === '' ? undefined : nfc(value);
  };
}

function base(r: CsvRow) {
  return { origin: r.origin, at: r.at, sourcedId: req(r, 'sourcedId'), status: r.status };
}

function link(r: CsvRow, from: string) {
  return {
    origin: r.origin,
    at: r.at,
    sourcedId: r.get('sourcedId'),
    status: r.status,
    fromSourcedId: req(r, from),
    scoreScaleSourcedId: req(r, 'scoreScaleSourcedId'),
  };
}

// The OneRoster 1.2 CSV files this adapter reads and writes: their columns in the binding's order, which
// columns an import cannot do without, and the names older or sloppier exports use for them.

export type OrFile =
  | 'orgs'
  | 'academicSessions'
  | 'courses'
  | 'classes'
  | 'categories'
  | 'scoreScales'
  | 'lineItems'
  | 'lineItemScoreScales'
  | 'roles'
  | 'users'
  | 'enrollments'
  | 'demographics'
  | 'results'
  | 'resultScoreScales';

export interface OrFileSpec {
  /** Columns of the 1.2 binding, in its order: what export writes (plus this adapter's ext columns). */
  columns: readonly string[];
  /** Columns an import refuses to do without (ONEROSTER.MISSING_HEADER). Lenient: 1.1 exports lack many. */
  required: readonly string[];
  /** Other names for a column, lower-cased: OneRoster 1.0/1.1 names and common misspellings. */
  aliases?: Readonly<Record<string, string>>;
  /** Extension columns this adapter writes itself (portabel's dialect; read back by default). */
  ext?: readonly string[];
}

const BASE = ['sourcedId', 'status', 'dateLastModified'] as const;

/** portabel's own extension columns: Swedish facts OneRoster has no column for. */
export const EXT = {
  schoolType: 'ext_portabel_schoolType',
  schoolYear: 'ext_portabel_schoolYear',
  programmeCode: 'ext_portabel_programmeCode',
  educationCode: 'ext_portabel_educationCode',
  cancelled: 'ext_portabel_cancelled',
  curriculum: 'ext_portabel_curriculum',
  emailType: 'ext_portabel_emailType',
  phoneType: 'ext_portabel_phoneType',
  custody: 'ext_portabel_custody',
} as const;

export const OR_FILES: Readonly<Record<OrFile, OrFileSpec>> = {
  orgs: {
    columns: [...BASE, 'name', 'type', 'identifier', 'parentSourcedId'],
    required: ['sourcedId', 'name', 'type'],
  },
  academicSessions: {
    columns: [...BASE, 'title', 'type', 'startDate', 'endDate', 'parentSourcedId', 'schoolYear'],
    required: ['sourcedId', 'type', 'startDate', 'endDate'],
  },
  courses: {
    columns: [
      ...BASE,
      'schoolYearSourcedId',
      'title',
      'courseCode',
      'grades',
      'orgSourcedId',
      'subjects',
      'subjectCodes',
    ],
    required: ['sourcedId'],
    aliases: { schoolyearid: 'schoolYearSourcedId', grade: 'grades', orgsourcedids: 'orgSourcedId' },
  },
  classes: {
    columns: [
      ...BASE,
      'title',
      'grades',
      'courseSourcedId',
      'classCode',
      'classType',
      'location',
      'schoolSourcedId',
      'termSourcedIds',
      'subjects',
      'subjectCodes',
      'periods',
    ],
    required: ['sourcedId', 'schoolSourcedId'],
    aliases: { grade: 'grades', termsourcedid: 'termSourcedIds', subjectcode: 'subjectCodes' },
  },
  categories: { columns: [...BASE, 'title', 'weight'], required: ['sourcedId'] },
  scoreScales: {
    columns: [
      ...BASE,
      'title',
      'type',
      'orgSourcedId',
      'courseSourcedId',
      'classSourcedId',
      'scoreScaleValue',
    ],
    required: ['sourcedId'],
  },
  lineItems: {
    columns: [
      ...BASE,
      'title',
      'description',
      'assignDate',
      'dueDate',
      'classSourcedId',
      'categorySourcedId',
      'academicSessionSourcedId',
      'resultValueMin',
      'resultValueMax',
      'schoolSourcedId',
    ],
    required: ['sourcedId', 'classSourcedId'],
    aliases: { gradingperiodsourcedid: 'academicSessionSourcedId' },
    ext: [EXT.curriculum],
  },
  lineItemScoreScales: {
    columns: [...BASE, 'title', 'lineItemSourcedId', 'scoreScaleSourcedId'],
    required: ['lineItemSourcedId', 'scoreScaleSourcedId'],
  },
  roles: {
    columns: [
      ...BASE,
      'userSourcedId',
      'roleType',
      'role',
      'beginDate',
      'endDate',
      'orgSourcedId',
      'userProfileSourcedId',
    ],
    required: ['userSourcedId', 'role', 'orgSourcedId'],
    ext: [EXT.schoolType, EXT.schoolYear, EXT.programmeCode, EXT.educationCode, EXT.cancelled],
  },
  users: {
    columns: [
      ...BASE,
      'enabledUser',
      'username',
      'userIds',
      'givenName',
      'familyName',
      'middleName',
      'identifier',
      'email',
      'sms',
      'phone',
      'agentSourcedIds',
      'grades',
      'password',
      'userMasterIdentifier',
      'preferredGivenName',
      'preferredMiddleName',
      'preferredFamilyName',
      'primaryOrgSourcedId',
      'pronouns',
    ],
    required: ['sourcedId', 'givenName', 'familyName'],
    ext: [EXT.emailType, EXT.phoneType, EXT.custody],
    // OneRoster 1.1 kept the role and orgs on the user; 1.2 moved them to roles.csv. Both are read.
    aliases: {
      userid: 'userIds',
      agents: 'agentSourcedIds',
      agentsourcedid: 'agentSourcedIds',
      orgsourcedid: 'orgSourcedIds',
      orgsourcedids: 'orgSourcedIds',
      role: 'role',
      grade: 'grades',
      preferredfirstname: 'preferredGivenName',
      preferredlastname: 'preferredFamilyName',
    },
  },
  enrollments: {
    columns: [
      ...BASE,
      'classSourcedId',
      'schoolSourcedId',
      'userSourcedId',
      'role',
      'primary',
      'beginDate',
      'endDate',
    ],
    required: ['sourcedId', 'classSourcedId', 'userSourcedId', 'role'],
  },
  demographics: {
    columns: [
      ...BASE,
      'birthDate',
      'sex',
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
    ],
    required: ['sourcedId'],
    // 1.0 exports key demographics by userSourcedId and spell birthdate in lower case.
    aliases: { usersourcedid: 'sourcedId', birthdate: 'birthDate' },
  },
  results: {
    columns: [
      ...BASE,
      'lineItemSourcedId',
      'studentSourcedId',
      'scoreStatus',
      'score',
      'scoreDate',
      'comment',
      'textScore',
      'classSourcedId',
      'inProgress',
      'incomplete',
      'late',
      'missing',
    ],
    required: ['sourcedId', 'lineItemSourcedId', 'studentSourcedId'],
    aliases: { usersourcedid: 'studentSourcedId' },
  },
  resultScoreScales: {
    columns: [...BASE, 'title', 'resultSourcedId', 'scoreScaleSourcedId'],
    required: ['resultSourcedId', 'scoreScaleSourcedId'],
  },
};

/** Every data file of the 1.2 binding, for the manifest: those this adapter neither reads nor writes are absent. */
export const MANIFEST_FILES = [
  'academicSessions',
  'categories',
  'classes',
  'classResources',
  'courses',
  'courseResources',
  'demographics',
  'enrollments',
  'lineItemLearningObjectiveIds',
  'lineItems',
  'lineItemScoreScales',
  'orgs',
  'resources',
  'resultLearningObjectiveIds',
  'results',
  'resultScoreScales',
  'roles',
  'scoreScales',
  'userProfiles',
  'userResources',
  'users',
] as const;

/** The file name of a data file in the zip. */
export const csvName = (file: string): string => `${file}.csv`;

// SS 12000:2020 (v2.1) entities as portabel writes them. Names follow Skolverket's reference API
// (skolverket/dnp-ss12000-reference-api) and the SIS specification it interprets.

export interface Ss12000Ref {
  id: string;
  /** Only with expandReferenceNames (SS 12000: a reference's name is for display, read-only). */
  displayName?: string;
}

export interface Ss12000Meta {
  created: string;
  modified: string;
}

export interface Ss12000Email {
  value: string;
  type: string;
}

export interface Ss12000Phone {
  value: string;
  type: string;
  mobile: boolean;
}

export interface Ss12000Address {
  type: string;
  streetAddress: string;
  locality: string;
  postalCode: string;
  countryCode?: string;
}

export interface Ss12000Enrolment {
  enroledAt: Ss12000Ref;
  schoolType: string;
  schoolYear?: number;
  programme?: Ss12000Ref;
  educationCode?: string;
  startDate: string;
  endDate?: string;
  cancelled?: boolean;
}

export interface Ss12000Responsible {
  person: Ss12000Ref;
  relationType: string;
}

export interface Ss12000Person {
  id: string;
  meta?: Ss12000Meta;
  givenName: string;
  middleName?: string;
  familyName: string;
  eduPersonPrincipalNames: string[];
  externalIdentifiers?: { value: string; context: string; globallyUnique?: boolean }[];
  civicNo?: { value: string; nationality?: string };
  birthDate?: string;
  sex?: string;
  securityMarking?: string;
  emails?: Ss12000Email[];
  phoneNumbers?: Ss12000Phone[];
  addresses?: Ss12000Address[];
  enrolments?: Ss12000Enrolment[];
  responsibles?: Ss12000Responsible[];
}

export interface Ss12000Organisation {
  id: string;
  meta?: Ss12000Meta;
  displayName: string;
  organisationType: 'Huvudman' | 'Skolenhet';
  schoolUnitCode?: string;
  schoolTypes?: string[];
  municipalityCode?: string;
  parentOrganisation?: Ss12000Ref;
}

export interface Ss12000Membership {
  id: string;
  person: Ss12000Ref;
  startDate: string;
  endDate?: string;
}

export interface Ss12000Group {
  id: string;
  displayName: string;
  groupType: string;
  startDate: string;
  endDate?: string;
  organisation: Ss12000Ref;
  groupMemberships: Ss12000Membership[];
}

export interface Ss12000Programme {
  id: string;
  name: string;
  code: string;
}

export interface Ss12000Syllabus {
  id: string;
  subjectCode: string;
  courseCode?: string;
  curriculum?: string;
}

export interface Ss12000Grade {
  id: string;
  student: Ss12000Ref;
  organisation?: Ss12000Ref;
  registeredBy?: Ss12000Ref;
  gradingTeacher?: Ss12000Ref;
  registeredDate: string;
  gradeValue: string;
  finalGrade: boolean;
  trial?: boolean;
  adaptedStudyPlan?: boolean;
  correctionType?: string;
  semester?: string;
  year?: number;
  syllabus: Ss12000Ref;
}

export interface Ss12000Activity {
  id: string;
  displayName: string;
  activityType: 'Övrigt';
  organisation: Ss12000Ref;
}

export interface Ss12000AggregatedAttendance {
  id: string;
  activity: Ss12000Ref;
  student: Ss12000Ref;
  startDate: string;
  endDate: string;
  attendanceSum?: number;
  validAbsenceSum?: number;
  invalidAbsenceSum?: number;
  offeredSum?: number;
}

/** Paged collection, as every SS 12000 list endpoint answers. */
export interface Ss12000Page<T> {
  data: T[];
  pageToken: string | null;
}

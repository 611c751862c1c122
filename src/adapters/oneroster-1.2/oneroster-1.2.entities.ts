// The one intermediate form both bindings map to: OneRoster entities with references as sourcedIds,
// whatever the input was (CSV rows or REST JSON objects). The mapper only ever sees these.
import type { Location } from '../vendor-adapter.port';

/**
 * Where the entities of one file came from, shared by all of them (one object per file, not per row, so
 * half a million results cost one number each for their place).
 */
export interface Origin {
  file: string;
  /** CSV: column index (0-based) by field name, canonical names and raw extension names alike. */
  columns?: ReadonlyMap<string, number>;
  /** JSON: pointer of the array the entities sit in, and where each field lives inside one entity. */
  pointer?: string;
  fieldPaths?: Readonly<Record<string, string>>;
}

/** An entity's place: its origin and its line (CSV, header = 1) or array index (JSON). */
export interface Placed {
  origin: Origin;
  at: number;
}

/** The place of one field of an entity (or of the entity when no field is given). */
export function locate(entity: Placed, field?: string): Location {
  const { origin, at } = entity;
  if (origin.columns) {
    const index = field === undefined ? undefined : origin.columns.get(field);
    return {
      file: origin.file,
      line: at,
      ...(index !== undefined ? { column: index + 1 } : {}),
      ...(field !== undefined ? { field } : {}),
    };
  }
  const base = at >= 0 ? `${origin.pointer ?? ''}/${at}` : (origin.pointer ?? '');
  const path = field === undefined ? '' : (origin.fieldPaths?.[field] ?? `/${field}`);
  return { file: origin.file, pointer: base + path, ...(field !== undefined ? { field } : {}) };
}

/** The status OneRoster gives a row: 1.0's `inactive` reads as `tobedeleted`, as 1.1 says. */
export type OrStatus = 'active' | 'tobedeleted';

interface Base extends Placed {
  sourcedId: string;
  status: OrStatus;
}

export interface OrOrg extends Base {
  name?: string;
  type?: string;
  identifier?: string;
  parentSourcedId?: string;
}

export interface OrSession extends Base {
  title?: string;
  type?: string;
  startDate?: string;
  endDate?: string;
  schoolYear?: string;
}

export interface OrCourse extends Base {
  title?: string;
  courseCode?: string;
  orgSourcedId?: string;
  subjectCodes: string[];
}

export interface OrClass extends Base {
  title?: string;
  classType?: string;
  courseSourcedId?: string;
  schoolSourcedId?: string;
  termSourcedIds: string[];
  /** Teachers enrolled in the class (filled from enrollments): primary ones first. */
  teachers?: { userSourcedId: string; primary: boolean }[];
}

export interface OrCategory extends Base {
  title?: string;
}

export interface OrScoreScale extends Base {
  title?: string;
  type?: string;
}

export interface OrLineItem extends Base {
  title?: string;
  classSourcedId?: string;
  categorySourcedId?: string;
  academicSessionSourcedId?: string;
  schoolSourcedId?: string;
  assignDate?: string;
  dueDate?: string;
  /** portabel's ext column: the curriculum (läroplan) the grades were set under. */
  curriculum?: string;
  /** From lineItemScoreScales.csv or the REST `scoreScale` reference. */
  scoreScaleSourcedId?: string;
}

/** A link row (lineItemScoreScales, resultScoreScales): the first id gets the second. */
export interface OrLink extends Placed {
  sourcedId?: string;
  status: OrStatus;
  fromSourcedId: string;
  scoreScaleSourcedId: string;
}

/** A non-empty value the mapper has no place for (an ext_ column, a race flag): kept for the loss report. */
export interface OrExtra {
  field: string;
  value: string;
}

/** Extras as an entity's optional field: most rows have none. */
export const someExtras = (extras: OrExtra[]): { extras?: OrExtra[] } =>
  extras.length > 0 ? { extras } : {};

export interface OrUserId {
  type?: string;
  identifier: string;
}

export interface OrUser extends Base {
  /** OneRoster 1.1 and earlier: the role and orgs on the user row. */
  role?: string;
  orgSourcedIds: string[];
  enabledUser?: string;
  username?: string;
  userIds: OrUserId[];
  givenName?: string;
  familyName?: string;
  middleName?: string;
  identifier?: string;
  email?: string;
  sms?: string;
  phone?: string;
  agentSourcedIds: string[];
  grades: string[];
  primaryOrgSourcedId?: string;
  /** Values of any column by name, for options that name one (civic numbers in an ext column). */
  valueOf(field: string): string | undefined;
  extras: OrExtra[];
}

export interface OrRole extends Placed {
  sourcedId?: string;
  status: OrStatus;
  userSourcedId: string;
  roleType?: string;
  role: string;
  beginDate?: string;
  endDate?: string;
  orgSourcedId: string;
  schoolType?: string;
  schoolYear?: string;
  programmeCode?: string;
  educationCode?: string;
  cancelled?: string;
  /** Columns (CSV) or metadata (REST) the mapper does not know: each a loss entry. */
  extras?: OrExtra[];
}

export interface OrEnrollment extends Base {
  classSourcedId: string;
  schoolSourcedId?: string;
  userSourcedId: string;
  role: string;
  primary?: string;
  beginDate?: string;
  endDate?: string;
  extras?: OrExtra[];
}

export interface OrDemographics extends Base {
  birthDate?: string;
  sex?: string;
  extras: OrExtra[];
}

export interface OrResult extends Base {
  lineItemSourcedId: string;
  studentSourcedId: string;
  scoreStatus?: string;
  score?: string;
  textScore?: string;
  scoreDate?: string;
  comment?: string;
  scoreScaleSourcedId?: string;
  extras?: OrExtra[];
}

export interface EntityOf {
  orgs: OrOrg;
  academicSessions: OrSession;
  courses: OrCourse;
  classes: OrClass;
  categories: OrCategory;
  scoreScales: OrScoreScale;
  lineItems: OrLineItem;
  lineItemScoreScales: OrLink;
  roles: OrRole;
  users: OrUser;
  enrollments: OrEnrollment;
  demographics: OrDemographics;
  results: OrResult;
  resultScoreScales: OrLink;
}

/** A bundle to import, CSV zip or REST JSON alike. */
export interface RosterSource {
  /** bulk or delta, for each file the bundle has. */
  readonly modes: ReadonlyMap<keyof EntityOf, 'bulk' | 'delta'>;
  /**
   * The file's entities in input order, in batches (never empty) as the input arrives; an absent file
   * yields none. May be called more than once. Batches, because a kommun's bundle holds a million and
   * a half rows, and a step of an async iterator per row was a tenth of reading them.
   */
  batches<K extends keyof EntityOf>(file: K): AsyncIterable<EntityOf[K][]>;
  close(): Promise<void>;
}

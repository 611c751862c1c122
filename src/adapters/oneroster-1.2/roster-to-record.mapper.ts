// OneRoster entities of one pupil -> the canonical learner record. Pure: no I/O, no clock (ctx.now is
// the reference date), no state between pupils.
import Ajv2020 from 'ajv/dist/2020';
import { SCHOOL_TYPES } from '../../records/school-types';
import addFormats from 'ajv-formats';
import type { FieldError } from '../../common/problem/domain-error';
import { civicNoProblem, normaliseCivicNo } from '../../records/civic-number';
import type {
  CivicNo,
  Contact,
  EmailType,
  Enrolment,
  ExternalIdentifier,
  Grade,
  GradeScale,
  Group,
  Guardian,
  LearnerRecord,
  PhoneType,
  Provenance,
  SchoolType,
} from '../../records/learner-record.types';
import { checkCandidate } from '../../records/record-intake';
import type { ImportContext, Location, LossEntry } from '../vendor-adapter.port';
import {
  categoryMeaning,
  CLASS_TYPE_TO_GROUP_TYPE,
  CUSTODY_OF_RELATION,
  DEFAULT_GRADE_CODES,
  GRADE_SCALES,
  MERIT_POINTS,
  ROLE_TO_RELATION,
  SCALE_VALUES,
  SEX_FROM_ONEROSTER,
  type SchoolPlacement,
} from './oneroster-1.2.code-lists';
import {
  locate,
  type OrCategory,
  type OrClass,
  type OrCourse,
  type OrDemographics,
  type OrEnrollment,
  type OrExtra,
  type OrLineItem,
  type OrOrg,
  type OrRole,
  type OrScoreScale,
  type OrSession,
  type OrUser,
  type Placed,
} from './oneroster-1.2.entities';
import { EXT } from './oneroster-1.2.columns';
import type { OneRosterOptions } from './oneroster-1.2.options';
import { addDays, daysBetween, parseDateLike } from './oneroster-dates';
import { isAboveSchool, organiserCodeOf, schoolUnitCodeOf } from './org-codes';
import { canonicalId } from './stable-ids';

export const ADAPTER_NAME = 'oneroster-1.2';

interface LineItemFacts {
  subjectCode?: string;
  courseCode?: string;
  meaning: Pick<Grade, 'final' | 'trial'>;
  term: Pick<Grade, 'semester' | 'year'>;
  curriculum?: string;
  badCurriculum?: string;
  schoolUnitCode?: string;
  teacher?: { id: string; name?: string };
}

/** Per line item, for the import that loaded it (the entities die with it, and so do these). */
const lineItemFacts = new WeakMap<OrLineItem, LineItemFacts>();
export const ADAPTER_VERSION = '1.0.0';

/** The small tables every pupil's record draws on, held in memory for the whole import. */
export interface RefTables {
  orgs: Map<string, OrOrg>;
  sessions: Map<string, OrSession>;
  courses: Map<string, OrCourse>;
  classes: Map<string, OrClass>;
  categories: Map<string, OrCategory>;
  scoreScales: Map<string, OrScoreScale>;
  lineItems: Map<string, OrLineItem>;
  /** Teachers' names, for grading teachers. */
  teachers: Map<string, { givenName?: string; familyName?: string }>;
  /** resultScoreScales: result sourcedId -> scoreScale sourcedId. */
  resultScales: Map<string, string>;
}

/** One result, compact: the line item by reference, and only the fields a grade needs. */
export interface ResultRow extends Placed {
  sourcedId: string;
  lineItem: OrLineItem;
  score?: string;
  textScore?: string;
  scoreDate?: string;
  /** Rarely set: a result that is not simply an active, fully graded one, or carries a comment. */
  rare?: {
    tobedeleted?: boolean;
    scoreStatus?: string;
    comment?: string;
    scoreScaleSourcedId?: string;
    extras?: OrExtra[];
  };
}

/** Everything the bundle says about one pupil besides their own users row. */
export interface PupilRows {
  roles: OrRole[];
  enrollments: OrEnrollment[];
  demographics?: OrDemographics;
  results: ResultRow[];
  /** Problems found while indexing (a dangling class, a bad date): they reject the pupil. */
  problems: FieldError[];
  /** Items the indexing already had to drop (delta bundles), for the loss report. */
  loss: LossEntry[];
}

export interface GuardianUser {
  user: OrUser;
  role: string;
}

export interface PupilInput {
  user: OrUser;
  rows: PupilRows;
  /** The pupil's agents (either way round): the guardian's users row and role, or what else they are. */
  agents: PupilAgent[];
}

export interface PupilAgent {
  sourcedId: string;
  /** False when no users row has this sourcedId (a dangling agent). */
  exists: boolean;
  /** The users row, for agents in a guardian role. */
  user?: OrUser;
  /** Their role (guardian, parent, relative, ext:...), or teacher or student for agents that are not. */
  role?: string;
}

export type PupilOutcome =
  { ok: true; record: LearnerRecord; loss: LossEntry[] } | { ok: false; errors: FieldError[] };

export interface MapEnv {
  refs: RefTables;
  ctx: ImportContext;
  opts: OneRosterOptions;
  /** The adapter for provenance; the CSV binding's when absent. */
  adapter?: { name: string; version: string };
}

const ajv = new Ajv2020({ strict: true });
addFormats(ajv, ['email']);
const isEmail = ajv.compile({ type: 'string', format: 'email', maxLength: 320 });
const PHONE = /^\+?[0-9][0-9 ()-]{2,49}$/;
const EMAIL_TYPES: EmailType[] = ['Privat', 'Skola', 'Annan'];
const PHONE_TYPES: PhoneType[] = ['Hem', 'Mobil', 'Arbete', 'Annan'];
const SUBJECT = /^[A-ZÅÄÖ0-9]{1,10}$/;
const COURSE = /^[A-Za-zÅÄÖåäö0-9]{2,20}$/;
const CURRICULUM = /^[A-ZÅÄÖ0-9]{2,12}$/;
const PROGRAMME = /^[A-ZÅÄÖ0-9]{1,20}$/;
const EDUCATION = /^[A-Za-zÅÄÖåäö0-9]{1,30}$/;
const SCHOOL_TYPE_SET = new Set<string>(SCHOOL_TYPES);

/** Builds one pupil's record, or says why it cannot (with the places in the input). */
export function buildPupilRecord(input: PupilInput, env: MapEnv): PupilOutcome {
  return new PupilBuilder(input, env).build();
}

class PupilBuilder {
  private readonly loss: LossEntry[] = [];
  private readonly errors: FieldError[] = [];
  /** Canonical pointer -> where it came from, to point rejections into the input. */
  private readonly origins: [string, Placed, string?][] = [];
  private readonly today: string;
  /** ctx.now as provenance gives it: made once, not once per grade (half a million in a kommun). */
  private readonly importedAt: string;

  constructor(
    private readonly input: PupilInput,
    private readonly env: MapEnv,
  ) {
    this.importedAt = env.ctx.now.toISOString();
    this.today = this.importedAt.slice(0, 10);
  }

  build(): PupilOutcome {
    const { user, rows } = this.input;
    this.errors.push(...rows.problems);
    this.loss.push(...rows.loss);
    this.origins.push(['', user], ['/pupil', user]);

    const pupil = this.pupil();
    const contact = this.contact(user, 'Skola', '/contact');
    const guardians = this.guardians();
    const enrolments = this.enrolments();
    const groups = this.groups();
    const grades = this.grades();

    const record: LearnerRecord = {
      schemaVersion: '1.0',
      source: { platform: this.env.ctx.platformId, id: user.sourcedId },
      pupil,
      ...(contact ? { contact: { ...contact, provenance: this.provenance(user.sourcedId) } } : {}),
      ...(guardians.length > 0 ? { guardians } : {}),
      ...(enrolments.length > 0 ? { enrolments } : {}),
      ...(groups.length > 0 ? { groups } : {}),
      ...(grades.length > 0 ? { grades } : {}),
    };
    if (this.errors.length > 0) return { ok: false, errors: this.errors };
    const checked = checkCandidate(record);
    if ('errors' in checked)
      return { ok: false, errors: checked.errors.map((e) => this.placeOf(e.pointer, e.detail)) };
    return { ok: true, record: checked.record, loss: this.loss };
  }

  // ---------------------------------------------------------------------------------------------------
  // Pupil

  private pupil(): LearnerRecord['pupil'] {
    const { user, rows } = this.input;
    const { ctx, opts } = this.env;
    if (!user.givenName) this.reject(user, 'givenName', '/pupil/givenName', 'givenName is required');
    if (!user.familyName) this.reject(user, 'familyName', '/pupil/familyName', 'familyName is required');
    const civicNo = this.civicNo(user, '/pupil/civicNo');
    const demo = rows.demographics;
    let birthDate: string | undefined;
    let sex: LearnerRecord['pupil']['sex'];
    if (demo) {
      this.origins.push(['/pupil/birthDate', demo, 'birthDate'], ['/pupil/sex', demo, 'sex']);
      birthDate = this.date(demo, 'birthDate', demo.birthDate, '/pupil/birthDate');
      if (demo.sex) {
        sex = SEX_FROM_ONEROSTER[demo.sex.toLowerCase()];
        if (!sex && demo.sex.toLowerCase() === 'other') {
          sex = 'Okänt';
          this.note(
            'approximated',
            demo,
            'sex',
            '/pupil/sex',
            'sex "other" has no SS 12000 value; read as Okänt',
          );
        } else if (!sex) {
          this.note(
            'unknown-code',
            demo,
            'sex',
            undefined,
            `sex "${demo.sex}" is not male, female, unspecified or other`,
          );
        }
      }
      for (const extra of demo.extras)
        this.note(
          'dropped',
          demo,
          extra.field,
          undefined,
          `${extra.field} is not held in a Swedish learner record`,
        );
    }
    this.note(
      'defaulted',
      user,
      undefined,
      '/pupil/securityMarking',
      'OneRoster carries no protection marking (SS 12000 securityMarking): set to Ingen; a pupil with sekretessmarkering or skyddad folkbokföring must be marked by hand',
    );
    for (const extra of user.extras) {
      if (extra.field === opts.civicNo?.column) continue;
      const why =
        extra.field === 'password'
          ? 'passwords are never imported'
          : `${extra.field} has no place in the learner record`;
      this.note('dropped', user, extra.field, undefined, why);
    }
    const ids = this.externalIdentifiers(user, ctx.platformId);
    return {
      ...(civicNo ? { civicNo } : {}),
      givenName: user.givenName ?? '',
      ...(user.middleName ? { middleName: user.middleName } : {}),
      familyName: user.familyName ?? '',
      ...(birthDate ? { birthDate } : {}),
      ...(sex ? { sex } : {}),
      securityMarking: 'Ingen',
      ...(ids.length > 0 ? { externalIdentifiers: ids } : {}),
      provenance: this.provenance(user.sourcedId),
    };
  }

  private civicNo(user: OrUser, pointer: string): CivicNo | undefined {
    const column = this.env.opts.civicNo?.column;
    const raw = column ? user.valueOf(column) : undefined;
    if (!column || !raw) return undefined;
    const value = normaliseCivicNo(raw, this.env.ctx.now);
    const problem = value
      ? civicNoProblem(value)
      : 'is not written as a personnummer (YYYYMMDDNNNN or YYMMDD-NNNN)';
    if (problem || !value) {
      this.reject(
        user,
        column,
        `${pointer}/value`,
        `${column} "${raw}" is not a valid personnummer or samordningsnummer: ${problem}`,
      );
      return undefined;
    }
    return { value };
  }

  private externalIdentifiers(user: OrUser, platformId: string): ExternalIdentifier[] {
    const result: ExternalIdentifier[] = [];
    const seen = new Set<string>();
    const add = (value: string, context: string, field: string) => {
      const key = `${context}\u0000${value}`;
      if (seen.has(key)) return;
      seen.add(key);
      if (value.length > 256 || context.length > 256 || result.length >= 50) {
        this.note(
          'out-of-range',
          user,
          field,
          undefined,
          `${field} "${value.slice(0, 40)}" does not fit an external identifier`,
        );
        return;
      }
      result.push({ value, context });
    };
    // Platform-scoped contexts: this platform's username must not become another platform's username.
    if (user.username) add(user.username, `${platformId}:username`, 'username');
    if (user.identifier && this.env.opts.civicNo?.column !== 'identifier')
      add(user.identifier, `${platformId}:identifier`, 'identifier');
    for (const id of user.userIds) add(id.identifier, id.type ?? `${platformId}:userId`, 'userIds');
    return result;
  }

  /**
   * email, sms and phone. OneRoster says no kind for them: portabel's ext columns do, else the kinds are
   * defaulted (Skola for a pupil's e-mail, Privat for a guardian's; phone Hem) and reported. An sms number
   * is a mobile one by definition.
   */
  private contact(user: OrUser, emailType: 'Skola' | 'Privat', pointer: string): Contact | undefined {
    const emails: NonNullable<Contact['emails']> = [];
    const phones: NonNullable<Contact['phoneNumbers']> = [];
    const pending: [string, string, string][] = [];
    if (user.email) {
      if (isEmail(user.email)) {
        const written = user.valueOf(EXT.emailType);
        const type = EMAIL_TYPES.find((t) => t === written);
        emails.push({ value: user.email, type: type ?? emailType });
        if (!type)
          pending.push([
            'email',
            `${pointer}/emails/0/type`,
            `OneRoster says no kind of e-mail address: read as ${emailType}`,
          ]);
      } else
        this.note(
          'out-of-range',
          user,
          'email',
          undefined,
          `email "${String(user.email)}" is not an e-mail address`,
        );
    }
    if (user.sms) {
      if (PHONE.test(user.sms)) phones.push({ value: user.sms, type: 'Mobil' });
      else this.note('out-of-range', user, 'sms', undefined, `sms "${user.sms}" is not a phone number`);
    }
    if (user.phone) {
      if (PHONE.test(user.phone)) {
        const written = user.valueOf(EXT.phoneType);
        const type = PHONE_TYPES.find((t) => t === written);
        if (!type)
          pending.push([
            'phone',
            `${pointer}/phoneNumbers/${phones.length}/type`,
            'OneRoster says no kind of phone number: read as Hem',
          ]);
        phones.push({ value: user.phone, type: type ?? 'Hem' });
      } else
        this.note('out-of-range', user, 'phone', undefined, `phone "${user.phone}" is not a phone number`);
    }
    if (emails.length === 0 && phones.length === 0) return undefined;
    this.origins.push([pointer, user]);
    for (const [field, target, detail] of pending) this.note('defaulted', user, field, target, detail);
    return {
      ...(emails.length > 0 ? { emails } : {}),
      ...(phones.length > 0 ? { phoneNumbers: phones } : {}),
    };
  }

  // ---------------------------------------------------------------------------------------------------
  // Guardians

  private guardians(): Guardian[] {
    const result: Guardian[] = [];
    const seen = new Set<string>();
    for (const agent of this.input.agents) {
      if (seen.has(agent.sourcedId)) continue;
      seen.add(agent.sourcedId);
      const { user, role } = agent;
      if (!agent.exists) {
        this.reject(
          this.input.user,
          'agentSourcedIds',
          '/guardians',
          `agent ${agent.sourcedId} is not in users`,
        );
        continue;
      }
      const relation = role ? ROLE_TO_RELATION[role.toLowerCase()] : undefined;
      if (!user || !relation) {
        this.note(
          'dropped',
          this.input.user,
          'agentSourcedIds',
          undefined,
          `agent ${agent.sourcedId} is a ${role ?? 'user without a role'}, not a parent, guardian or relative`,
        );
        continue;
      }
      if (user.status === 'tobedeleted') continue;
      if (!user.givenName || !user.familyName) {
        this.note(
          'dropped',
          user,
          user.givenName ? 'familyName' : 'givenName',
          undefined,
          `guardian ${user.sourcedId} has no name`,
        );
        continue;
      }
      const pointer = `/guardians/${result.length}`;
      this.origins.push([pointer, user]);
      const civicNo = this.civicNo(user, `${pointer}/civicNo`);
      const contact = this.contact(user, 'Privat', `${pointer}/contact`);
      for (const extra of user.extras) {
        if (extra.field === this.env.opts.civicNo?.column) continue;
        this.note(
          'dropped',
          user,
          extra.field,
          undefined,
          `${extra.field} has no place in the learner record`,
        );
      }
      const written = user.valueOf(EXT.custody);
      const custody = written === 'true' ? true : written === 'false' ? false : CUSTODY_OF_RELATION[relation];
      if (written !== 'true' && written !== 'false')
        this.note(
          'defaulted',
          user,
          undefined,
          `${pointer}/custody`,
          `OneRoster has no custody flag: a ${role ?? 'guardian'} is read as ${custody ? 'having' : 'not having'} custody`,
        );
      result.push({
        id: canonicalId(user.sourcedId),
        ...(civicNo ? { civicNo } : {}),
        givenName: user.givenName,
        familyName: user.familyName,
        relation,
        custody,
        ...(contact ? { contact } : {}),
        provenance: this.provenance(user.sourcedId),
      });
    }
    return result;
  }

  // ---------------------------------------------------------------------------------------------------
  // Enrolments: a student's roles at schools (1.2 roles.csv, or 1.1's role and orgSourcedIds on the user)

  private enrolments(): Enrolment[] {
    const { refs, opts, ctx } = this.env;
    const result: Enrolment[] = [];
    for (const role of this.input.rows.roles) {
      if (role.role.toLowerCase() !== 'student' || role.status === 'tobedeleted') continue;
      this.noteExtras(role, role.extras, 'an enrolment');
      const org = refs.orgs.get(role.orgSourcedId);
      if (!org) continue; // the assembler has already rejected or noted a dangling org
      const schoolUnitCode = schoolUnitCodeOf(org, opts);
      if (!schoolUnitCode) {
        if (!isAboveSchool(org))
          this.note(
            'dropped',
            role,
            'orgSourcedId',
            undefined,
            `placement at org ${org.sourcedId} dropped: its identifier is not a skolenhetskod (8 digits) and codeLists.schoolUnitCode has no entry for it`,
          );
        continue;
      }
      const pointer = `/enrolments/${result.length}`;
      const startDate = this.date(role, 'beginDate', role.beginDate, `${pointer}/startDate`);
      if (!startDate) {
        if (!role.beginDate)
          this.note(
            'dropped',
            role,
            'beginDate',
            undefined,
            `placement at ${schoolUnitCode} dropped: it has no beginDate`,
          );
        continue;
      }
      const endDate = this.exclusiveEnd(role, startDate, `${pointer}/endDate`);
      const current = endDate === undefined || endDate >= this.today;
      const placement = this.placement(role, org, current, pointer);
      if (!placement) continue;
      let organiserCode = organiserCodeOf(org, refs.orgs, opts) ?? opts.organiserCode;
      if (!organiserCode) {
        organiserCode = ctx.kommunCode;
        this.note(
          'defaulted',
          role,
          'orgSourcedId',
          `${pointer}/organiserCode`,
          `no org above ${org.sourcedId} has a kommunkod: organiser set to the importing kommun ${ctx.kommunCode}`,
        );
      }
      this.origins.push([pointer, role]);
      const programmeCode = this.code(role, 'programmeCode', role.programmeCode, PROGRAMME);
      const educationCode = this.code(role, 'educationCode', role.educationCode, EDUCATION);
      result.push({
        organiserCode,
        schoolUnitCode,
        schoolType: placement.schoolType,
        ...(placement.schoolYear !== undefined ? { schoolYear: placement.schoolYear } : {}),
        ...(programmeCode ? { programmeCode } : {}),
        ...(educationCode ? { educationCode } : {}),
        startDate,
        ...(endDate ? { endDate } : {}),
        ...(role.cancelled === 'true'
          ? { cancelled: true }
          : role.cancelled === 'false'
            ? { cancelled: false }
            : {}),
        provenance: this.provenance(role.sourcedId),
      });
    }
    return result;
  }

  /** School type and year: portabel's ext columns, else the code lists, else the default, else none. */
  private placement(
    role: OrRole,
    org: OrOrg,
    current: boolean,
    pointer: string,
  ): { schoolType: SchoolType; schoolYear?: number | null } | undefined {
    const { opts } = this.env;
    const year = parseSchoolYear(role.schoolYear);
    if (role.schoolType && SCHOOL_TYPE_SET.has(role.schoolType))
      return {
        schoolType: role.schoolType as SchoolType,
        ...(year !== undefined ? { schoolYear: year } : {}),
      };
    if (role.schoolType)
      this.note(
        'unknown-code',
        role,
        'ext_portabel_schoolType',
        undefined,
        `school type "${role.schoolType}" is not an SS 12000 skolform`,
      );
    const byOrgType = org.type ? opts.codeLists.orgTypeToSchoolType[org.type] : undefined;
    if (byOrgType) return { schoolType: byOrgType, ...(year !== undefined ? { schoolYear: year } : {}) };
    // The user's grade says what the pupil is in now, so it only describes a current placement.
    const grade = current ? this.input.user.grades[0] : undefined;
    const byGrade: SchoolPlacement | undefined = grade
      ? (opts.codeLists.grades[grade] ?? DEFAULT_GRADE_CODES[grade])
      : undefined;
    if (byGrade) return { schoolType: byGrade.schoolType, schoolYear: year ?? byGrade.schoolYear };
    if (opts.defaultSchoolType) {
      this.note(
        'defaulted',
        role,
        undefined,
        `${pointer}/schoolType`,
        `nothing gives the school type: set to ${opts.defaultSchoolType} (option defaultSchoolType)`,
      );
      return { schoolType: opts.defaultSchoolType, ...(year !== undefined ? { schoolYear: year } : {}) };
    }
    this.note(
      'dropped',
      role,
      undefined,
      undefined,
      `placement at org ${org.sourcedId} dropped: nothing gives its school type (set codeLists or defaultSchoolType)`,
    );
    return undefined;
  }

  // ---------------------------------------------------------------------------------------------------
  // Groups: a student's enrollments in classes

  private groups(): Group[] {
    const { refs, opts } = this.env;
    const result: Group[] = [];
    const seen = new Set<string>();
    for (const enrollment of this.input.rows.enrollments) {
      if (enrollment.status === 'tobedeleted') continue;
      this.noteExtras(enrollment, enrollment.extras, 'a group membership');
      const cls = refs.classes.get(enrollment.classSourcedId);
      if (!cls) continue;
      const schoolUnitCode =
        schoolUnitCodeOf(refs.orgs.get(cls.schoolSourcedId ?? ''), opts) ??
        schoolUnitCodeOf(refs.orgs.get(enrollment.schoolSourcedId ?? ''), opts);
      if (!schoolUnitCode) {
        this.note(
          'dropped',
          enrollment,
          'classSourcedId',
          undefined,
          `membership of class ${cls.sourcedId} dropped: its school has no skolenhetskod`,
        );
        continue;
      }
      if (seen.has(cls.sourcedId)) {
        this.note(
          'dropped',
          enrollment,
          'classSourcedId',
          undefined,
          `a second membership of class ${cls.sourcedId} dropped: a record holds one membership per group`,
        );
        continue;
      }
      const pointer = `/groups/${result.length}`;
      let startDate = this.date(enrollment, 'beginDate', enrollment.beginDate, `${pointer}/startDate`);
      let endDate = startDate ? this.exclusiveEnd(enrollment, startDate, `${pointer}/endDate`) : undefined;
      if (!startDate && !enrollment.beginDate) {
        const term = this.termSpan(cls);
        if (!term) {
          this.note(
            'dropped',
            enrollment,
            'beginDate',
            undefined,
            `membership of class ${cls.sourcedId} dropped: no beginDate and no term with dates`,
          );
          continue;
        }
        startDate = term.start;
        endDate = enrollment.endDate
          ? this.exclusiveEnd(enrollment, startDate, `${pointer}/endDate`)
          : term.end;
        this.note(
          'approximated',
          enrollment,
          'beginDate',
          `${pointer}/startDate`,
          `no beginDate: membership dated by the class's terms`,
        );
        if (!enrollment.endDate)
          this.note(
            'approximated',
            enrollment,
            'endDate',
            `${pointer}/endDate`,
            `no endDate: membership ends with the class's terms`,
          );
      }
      if (!startDate) continue;
      seen.add(cls.sourcedId);
      let groupType = CLASS_TYPE_TO_GROUP_TYPE[(cls.classType ?? '').toLowerCase()];
      if (!groupType) {
        groupType = 'Övrigt';
        this.note(
          'approximated',
          cls,
          'classType',
          `${pointer}/groupType`,
          `classType "${cls.classType ?? ''}" has no SS 12000 group type: read as Övrigt`,
        );
      }
      if (!cls.title)
        this.note(
          'defaulted',
          cls,
          'title',
          `${pointer}/name`,
          'the class has no title: its sourcedId is the name',
        );
      this.origins.push([pointer, enrollment]);
      result.push({
        id: canonicalId(cls.sourcedId),
        name: cls.title ?? cls.sourcedId,
        groupType,
        schoolUnitCode,
        startDate,
        ...(endDate ? { endDate } : {}),
        provenance: this.provenance(enrollment.sourcedId),
      });
    }
    return result;
  }

  /** First and last day of the class's terms that exist and have dates. */
  private termSpan(cls: OrClass): { start: string; end?: string } | undefined {
    let start: string | undefined;
    let end: string | undefined;
    for (const id of cls.termSourcedIds) {
      const term = this.env.refs.sessions.get(id);
      const s = term?.startDate ? parseDateLike(term.startDate)?.date : undefined;
      const e = term?.endDate ? parseDateLike(term.endDate)?.date : undefined;
      if (!s) continue;
      if (!start || s < start) start = s;
      if (e && (!end || e > end)) end = e;
    }
    if (!start) return undefined;
    const last = end ? addDays(end, -1) : undefined;
    return { start, ...(last && last >= start ? { end: last } : {}) };
  }

  // ---------------------------------------------------------------------------------------------------
  // Grades: results -> line items -> classes -> courses

  private grades(): Grade[] {
    const result: Grade[] = [];
    for (const row of this.input.rows.results) {
      if (row.rare?.tobedeleted) continue;
      this.noteExtras(row, row.rare?.extras, 'a grade');
      const grade = this.grade(row, `/grades/${result.length}`);
      if (grade) result.push(grade);
    }
    return result;
  }

  private grade(row: ResultRow, pointer: string): Grade | undefined {
    const li = row.lineItem;
    const status = row.rare?.scoreStatus;
    if (status && status.toLowerCase() !== 'fully graded') {
      this.note(
        'dropped',
        row,
        'scoreStatus',
        undefined,
        `result ${row.sourcedId} is "${status}", not a grade that has been set`,
      );
      return undefined;
    }
    const facts = this.factsOf(li);
    if (!facts.subjectCode) {
      this.note(
        'dropped',
        row,
        'lineItemSourcedId',
        undefined,
        `result ${row.sourcedId} dropped: its line item's course gives no Skolverket subject code`,
      );
      return undefined;
    }
    const gradeScale = this.scaleOf(row, pointer);
    const value = this.valueOf(row, gradeScale);
    if (value === undefined) return undefined;
    let registeredDate = this.date(row, 'scoreDate', row.scoreDate, `${pointer}/registeredDate`);
    if (!registeredDate && !row.scoreDate) {
      registeredDate = li.dueDate ? parseDateLike(li.dueDate)?.date : undefined;
      if (!registeredDate) {
        this.note('dropped', row, 'scoreDate', undefined, `result ${row.sourcedId} dropped: no scoreDate`);
        return undefined;
      }
      this.note(
        'approximated',
        row,
        'scoreDate',
        `${pointer}/registeredDate`,
        "no scoreDate: the line item's dueDate is the grade's date",
      );
    }
    if (!registeredDate) return undefined;
    if (facts.badCurriculum)
      this.note(
        'unknown-code',
        li,
        'ext_portabel_curriculum',
        undefined,
        `curriculum "${facts.badCurriculum}" is not a läroplan code`,
      );
    if (row.rare?.comment)
      this.note('dropped', row, 'comment', undefined, 'a grade has no comment in the learner record');
    this.origins.push([pointer, row]);
    return {
      subjectCode: facts.subjectCode,
      ...(facts.courseCode ? { courseCode: facts.courseCode } : {}),
      gradeScale,
      value,
      ...facts.meaning,
      registeredDate,
      ...facts.term,
      ...(facts.curriculum ? { curriculum: facts.curriculum } : {}),
      ...(facts.schoolUnitCode ? { schoolUnitCode: facts.schoolUnitCode } : {}),
      ...(facts.teacher ? { gradingTeacher: facts.teacher } : {}),
      provenance: this.provenance(row.sourcedId),
    };
  }

  /** What a line item says about every grade on it, worked out once per line item, not per result. */
  private factsOf(li: OrLineItem): LineItemFacts {
    const known = lineItemFacts.get(li);
    if (known) return known;
    const { refs, opts } = this.env;
    const cls = refs.classes.get(li.classSourcedId ?? '');
    const course = cls?.courseSourcedId ? refs.courses.get(cls.courseSourcedId) : undefined;
    const subjectCode = this.subjectOf(course);
    const courseCode =
      course?.courseCode && course.courseCode !== subjectCode && COURSE.test(course.courseCode)
        ? course.courseCode
        : undefined;
    const category = li.categorySourcedId ? refs.categories.get(li.categorySourcedId) : undefined;
    const valid = li.curriculum !== undefined && CURRICULUM.test(li.curriculum);
    const facts: LineItemFacts = {
      subjectCode,
      courseCode,
      meaning: category
        ? { ...categoryMeaning(category.title ?? ''), ...categoryMeaning(category.sourcedId) }
        : {},
      term: this.termOf(li),
      ...(valid ? { curriculum: li.curriculum } : li.curriculum ? { badCurriculum: li.curriculum } : {}),
      schoolUnitCode:
        schoolUnitCodeOf(refs.orgs.get(li.schoolSourcedId ?? ''), opts) ??
        schoolUnitCodeOf(refs.orgs.get(cls?.schoolSourcedId ?? ''), opts),
      teacher: cls ? this.teacherOf(cls) : undefined,
    };
    lineItemFacts.set(li, facts);
    return facts;
  }

  private subjectOf(course: OrCourse | undefined): string | undefined {
    if (!course) return undefined;
    const { subjects } = this.env.opts.codeLists;
    for (const candidate of [...course.subjectCodes, course.courseCode]) {
      if (!candidate) continue;
      const mapped = subjects[candidate] ?? candidate;
      if (SUBJECT.test(mapped)) return mapped;
    }
    return undefined;
  }

  private scaleOf(row: ResultRow, pointer: string): GradeScale {
    const { refs, opts } = this.env;
    const scaleId =
      row.rare?.scoreScaleSourcedId ??
      refs.resultScales.get(row.sourcedId) ??
      row.lineItem.scoreScaleSourcedId;
    const scale = scaleId ? refs.scoreScales.get(scaleId) : undefined;
    if (scale) {
      const named =
        opts.gradeScales.scoreScales[scale.sourcedId] ??
        (scale.title ? opts.gradeScales.scoreScales[scale.title] : undefined) ??
        [scale.title, scale.sourcedId].find((n): n is GradeScale => GRADE_SCALES.includes(n as GradeScale));
      if (named) return named;
      this.note(
        'unknown-code',
        scale,
        'title',
        undefined,
        `score scale "${scale.title ?? scale.sourcedId}" is not mapped to a Swedish grade scale (options.gradeScales.scoreScales): read as ${opts.gradeScales.default}`,
      );
      return opts.gradeScales.default;
    }
    this.note(
      'defaulted',
      row,
      'lineItemSourcedId',
      `${pointer}/gradeScale`,
      `no score scale: the grade is read on ${opts.gradeScales.default}`,
    );
    return opts.gradeScales.default;
  }

  private valueOf(row: ResultRow, scale: GradeScale): string | undefined {
    const mapping = this.env.opts.gradeScales.values[scale] ?? {};
    const allowed = SCALE_VALUES[scale];
    const onScale = (v: string | undefined): string | undefined => {
      if (v === undefined) return undefined;
      const mapped = mapping[v] ?? v;
      return (
        allowed.find((a) => a.toLowerCase() === mapped.toLowerCase()) ??
        (mapping[v] !== undefined ? mapped : undefined)
      );
    };
    const fromText = onScale(row.textScore);
    if (fromText) return fromText;
    const fromScore =
      onScale(row.score) ?? (scale === 'A-F' && row.score !== undefined ? meritGrade(row.score) : undefined);
    if (fromScore && !row.textScore) return fromScore;
    const shown = row.textScore ?? row.score ?? '';
    this.note(
      'unknown-code',
      row,
      row.textScore ? 'textScore' : 'score',
      undefined,
      `"${shown}" is not a grade on the ${scale} scale (options.gradeScales.values maps others)`,
    );
    return undefined;
  }

  /** HT or VT and the year, when the line item's session lies within one half-year. */
  private termOf(li: OrLineItem): Pick<Grade, 'semester' | 'year'> {
    const session = li.academicSessionSourcedId
      ? this.env.refs.sessions.get(li.academicSessionSourcedId)
      : undefined;
    const start = session?.startDate ? parseDateLike(session.startDate)?.date : undefined;
    const end = session?.endDate ? parseDateLike(session.endDate)?.date : undefined;
    if (!start || !end || daysBetween(start, end) > 190) return {};
    const month = Number(start.slice(5, 7));
    const endMonth = Number(addDays(end, -1).slice(5, 7));
    if (month <= 6 !== endMonth <= 6) return {};
    return { semester: month <= 6 ? 'VT' : 'HT', year: Number(start.slice(0, 4)) };
  }

  private teacherOf(cls: OrClass): { id: string; name?: string } | undefined {
    const teachers = cls.teachers ?? [];
    const primary = teachers.filter((t) => t.primary);
    const chosen = primary.length === 1 ? primary[0] : teachers.length === 1 ? teachers[0] : undefined;
    if (!chosen) return undefined;
    const info = this.env.refs.teachers.get(chosen.userSourcedId);
    const name = [info?.givenName, info?.familyName].filter((n) => n).join(' ');
    return { id: canonicalId(chosen.userSourcedId), ...(name ? { name } : {}) };
  }

  // ---------------------------------------------------------------------------------------------------

  /** A date field: undefined when absent; a rejection when present but not a date. */
  private date(
    entity: Placed,
    field: string,
    value: string | undefined,
    pointer: string,
  ): string | undefined {
    if (value === undefined) return undefined;
    const parsed = parseDateLike(value);
    if (!parsed) {
      this.reject(entity, field, pointer, `${field} "${value}" is not a date (YYYY-MM-DD)`);
      return undefined;
    }
    return parsed.date;
  }

  /** OneRoster end dates are exclusive; SS 12000's are the last day. */
  private exclusiveEnd(
    entity: Placed & { endDate?: string },
    start: string,
    pointer: string,
  ): string | undefined {
    const end = this.date(entity, 'endDate', entity.endDate, pointer);
    if (!end) return undefined;
    const last = addDays(end, -1);
    if (last >= start) return last;
    this.note(
      'approximated',
      entity,
      'endDate',
      pointer,
      `endDate ${end} is not after beginDate: read as ending the day it began`,
    );
    return start;
  }

  private code(
    entity: Placed,
    field: string,
    value: string | undefined,
    pattern: RegExp,
  ): string | undefined {
    if (value === undefined) return undefined;
    if (pattern.test(value)) return value;
    this.note(
      'unknown-code',
      entity,
      `ext_portabel_${field}`,
      undefined,
      `${field} "${value}" is not a valid code`,
    );
    return undefined;
  }

  private provenance(sourceId: string | undefined): Provenance {
    return {
      sourcePlatform: this.env.ctx.platformId,
      ...(sourceId ? { sourceId } : {}),
      adapter: this.env.adapter?.name ?? ADAPTER_NAME,
      adapterVersion: this.env.adapter?.version ?? ADAPTER_VERSION,
      importedAt: this.importedAt,
    };
  }

  private note(
    kind: LossEntry['kind'],
    entity: Placed,
    field: string | undefined,
    target: string | undefined,
    detail: string,
  ): void {
    this.loss.push({
      kind,
      source: locate(entity, field),
      ...(target ? { target: { pointer: target } } : {}),
      detail,
    });
  }

  /** Columns (or metadata) of a pupil's row that nothing reads: each a loss entry, never silence. */
  private noteExtras(entity: Placed, extras: OrExtra[] | undefined, what: string): void {
    for (const extra of extras ?? [])
      this.note('dropped', entity, extra.field, undefined, `${what} has no place for ${extra.field}`);
  }

  private reject(entity: Placed, field: string | undefined, pointer: string, detail: string): void {
    this.errors.push(toFieldError(locate(entity, field), pointer, detail));
  }

  /** A validator error on the built record, placed at the input row the item came from. */
  private placeOf(pointer: string, detail: string): FieldError {
    let best: [string, Placed, string?] = this.origins[0];
    for (const origin of this.origins) {
      const [prefix] = origin;
      if ((pointer === prefix || pointer.startsWith(`${prefix}/`)) && prefix.length >= best[0].length)
        best = origin;
    }
    return toFieldError(locate(best[1], best[2]), pointer, `${pointer} ${detail}`);
  }
}

/** CSV places keep the canonical pointer (where the value would have gone); JSON places their own. */
export function toFieldError(where: Location, pointer: string, detail: string): FieldError {
  return {
    ...(where.file ? { file: where.file } : {}),
    ...(where.line !== undefined ? { line: where.line } : {}),
    ...(where.column !== undefined ? { column: where.column } : {}),
    pointer: where.pointer ?? pointer,
    detail,
  };
}

function parseSchoolYear(value: string | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  if (value === 'null') return null;
  const n = Number(value);
  return Number.isInteger(n) && n >= -1 && n <= 14 ? n : undefined;
}

function meritGrade(score: string): string | undefined {
  const n = Number(score.replace(',', '.'));
  if (!Number.isFinite(n)) return undefined;
  return Object.entries(MERIT_POINTS).find(([, points]) => points === n)?.[0];
}

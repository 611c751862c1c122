// The canonical learner record -> OneRoster 1.2 rows, one record at a time. Pure: rows and loss entries
// come out, the writer merges shared rows (schools, classes, courses) across records and sorts.
import type {
  Contact,
  Enrolment,
  Grade,
  GradeScale,
  LearnerRecord,
} from '../../records/learner-record.types';
import type { ExportContext, LossEntry } from '../vendor-adapter.port';
import { formatUserIds } from './entity-fields';
import {
  categoryId,
  categoryTitle,
  gradeCode,
  GROUP_TYPE_TO_CLASS_TYPE,
  MERIT_POINTS,
  RELATION_TO_ROLE,
  SCALE_VALUES,
  SEX_TO_ONEROSTER,
} from './oneroster-1.2.code-lists';
import { EXT, type OrFile } from './oneroster-1.2.columns';
import type { OneRosterOptions } from './oneroster-1.2.options';
import { addDays } from './oneroster-dates';
import { contactWithheldReason } from './protected-contact';
import { prefixedStableId, stableId } from './stable-ids';

/** A row by column name. */
export type Row = Record<string, string>;

/**
 * A row shared between records (a school, a class, a teacher): the first record's version is written.
 * `compare` holds the columns that must agree; `pointers` the places in this record that rely on them,
 * which become loss entries when another record already wrote a different version.
 */
export interface SharedRow {
  key: string;
  row: Row;
  compare?: readonly string[];
  pointers?: string[];
  /** Columns whose values from every record are merged as a comma list (a class's terms). */
  union?: readonly string[];
  /** The record (source.id) the row comes from, for loss entries. */
  owner: string;
}

export interface RecordRows {
  /** Rows that belong to this record alone, by file. */
  own: Partial<Record<OrFile, { key: string; row: Row }[]>>;
  /** Users rows of this record and the guardians it names, sorted with the pupils'. */
  users: SharedRow[];
  shared: Partial<Record<OrFile, SharedRow[]>>;
  loss: LossEntry[];
}

export interface ExportEnv {
  ctx: ExportContext;
  opts: OneRosterOptions;
  /** dateLastModified of every row: the export's time, so the same export gives the same bytes. */
  modified: string;
  /** Whether the writer already holds a shared row (lets records skip building it again). */
  known?: (file: OrFile, key: string) => boolean;
  /** The class of a line item the writer holds. */
  classOf?: (lineItemId: string) => string | undefined;
  /**
   * The sourcedId to write for a shared thing (a group, a school, a teacher, a guardian): its own id the
   * first time and whenever it comes again the same, a variant (see VARIANT) when another record
   * describes it differently. Without it two records would fight over one row.
   */
  variant?: (kind: 'class' | 'school' | 'teacher' | 'guardian', id: string, content: string) => string;
}

const PORTABEL_SECTIONS = {
  assessments: 'written assessments and IUP',
  attendance: 'attendance',
  supportMeasures: 'support measures',
  achievements: 'achievements and credentials',
  evidence: 'evidence of learning',
} as const;

export function recordToRoster(record: LearnerRecord, env: ExportEnv): RecordRows {
  return new RecordWriter(record, env).write();
}

class RecordWriter {
  private readonly out: RecordRows = { own: {}, users: [], shared: {}, loss: [] };
  private readonly pupilId: string;
  private readonly withheld: string | undefined;
  private readonly district: string;
  private readonly guardianIds: string[];
  private readonly teachers = new Map<
    string,
    { givenName: string; familyName: string; pointers: string[] }
  >();
  /** Orgs this record has already written (a pupil's grades name the same few schools over and over). */
  private readonly orgsDone = new Set<string>();

  constructor(
    private readonly record: LearnerRecord,
    private readonly env: ExportEnv,
  ) {
    this.pupilId = record.source.id;
    this.guardianIds = (record.guardians ?? []).map((g) =>
      this.variantOf(
        'guardian',
        g.id,
        [
          g.givenName,
          g.familyName,
          g.relation,
          g.custody,
          g.civicNo?.value,
          JSON.stringify(g.contact ?? {}),
        ].join('\u0000'),
      ),
    );
    this.withheld = contactWithheldReason(record);
    this.district = record.enrolments?.[0]?.organiserCode ?? env.ctx.kommunCode;
  }

  write(): RecordRows {
    this.pupil();
    this.guardians();
    this.enrolments();
    this.groups();
    this.grades();
    for (const [section, what] of Object.entries(PORTABEL_SECTIONS)) {
      const items = this.record[section as keyof typeof PORTABEL_SECTIONS];
      if (items && items.length > 0)
        this.lost('dropped', `/${section}`, `OneRoster has no place for ${what}`);
    }
    return this.out;
  }

  // -------------------------------------------------------------------------------------------------

  private pupil(): void {
    const { pupil } = this.record;
    const { ctx } = this.env;
    const ids = pupil.externalIdentifiers ?? [];
    const username = ids.find((id) => id.context === `${ctx.platformId}:username`);
    const identifier = ids.find((id) => id.context === `${ctx.platformId}:identifier`);
    const civic = this.civicNo(pupil.civicNo, '/pupil/civicNo');
    const userIds = [];
    const seen = new Set<string>();
    for (const [i, id] of ids.entries()) {
      const key = `${id.context}\u0000${id.value}`;
      if (seen.has(key)) {
        this.lost('dropped', `/pupil/externalIdentifiers/${i}`, 'the same identifier twice is written once');
        continue;
      }
      seen.add(key);
      if (id.globallyUnique !== undefined)
        this.lost(
          'dropped',
          `/pupil/externalIdentifiers/${i}/globallyUnique`,
          'OneRoster userIds say nothing of global uniqueness',
        );
      if (id === username || (id === identifier && !civic.inIdentifier)) continue;
      userIds.push({ type: id.context, identifier: id.value });
    }
    if (pupil.securityMarking !== 'Ingen')
      this.lost(
        'dropped',
        '/pupil/securityMarking',
        `OneRoster has no protection marking: ${pupil.securityMarking} is not in the file; the receiving platform must be told by other means`,
      );
    const current = currentEnrolment(this.record.enrolments, this.env.ctx.now);
    const contact = this.contactColumns(this.record.contact, '/contact');
    this.user(this.pupilId, {
      enabledUser: 'true',
      username: username?.value ?? '',
      userIds: formatUserIds(userIds),
      givenName: pupil.givenName,
      familyName: pupil.familyName,
      middleName: pupil.middleName ?? '',
      identifier: civic.inIdentifier ? civic.value : (identifier?.value ?? ''),
      ...contact,
      agentSourcedIds: this.guardianIds.join(','),
      grades: current ? (gradeCode(current.schoolType, current.schoolYear) ?? '') : '',
      primaryOrgSourcedId: current?.schoolUnitCode ?? '',
      ...civic.extColumn,
    });
    if (pupil.birthDate || pupil.sex)
      this.own('demographics', this.pupilId, {
        sourcedId: this.pupilId,
        birthDate: pupil.birthDate ?? '',
        sex: pupil.sex ? SEX_TO_ONEROSTER[pupil.sex] : '',
      });
  }

  /** Civic numbers go out only where the options say, Swedish ones only. */
  private civicNo(
    civicNo: LearnerRecord['pupil']['civicNo'],
    pointer: string,
  ): { inIdentifier: boolean; value: string; extColumn: Row } {
    const none = { inIdentifier: false, value: '', extColumn: {} };
    if (!civicNo) return none;
    const option = this.env.opts.civicNo;
    if (!option?.export) {
      this.lost(
        'dropped',
        pointer,
        'OneRoster has no civic number; options.civicNo.export writes it into a column',
      );
      return none;
    }
    if (civicNo.nationality !== undefined && civicNo.nationality !== 'SE') {
      this.lost(
        'dropped',
        pointer,
        `only Swedish civic numbers are written, not one from ${civicNo.nationality}`,
      );
      return none;
    }
    if (civicNo.nationality !== undefined)
      this.lost(
        'dropped',
        `${pointer}/nationality`,
        'the column holds Swedish numbers only; the nationality is not written',
      );
    return option.column === 'identifier'
      ? { inIdentifier: true, value: civicNo.value, extColumn: {} }
      : { inIdentifier: false, value: '', extColumn: { [option.column]: civicNo.value } };
  }

  /** email, sms and phone: one of each, and only where the pupil's protection allows. */
  private contactColumns(contact: Contact | undefined, pointer: string): Row {
    const empty = { email: '', sms: '', phone: '' };
    if (!contact) return empty;
    const hasData =
      (contact.addresses?.length ?? 0) + (contact.emails?.length ?? 0) + (contact.phoneNumbers?.length ?? 0) >
      0;
    if (this.withheld) {
      if (hasData) this.lost('dropped', pointer, `not written: ${this.withheld}`);
      return empty;
    }
    const emails = contact.emails ?? [];
    const phones = contact.phoneNumbers ?? [];
    const smsIndex = phones.findIndex((p) => p.type === 'Mobil');
    const phoneIndex = phones.findIndex((_, i) => i !== smsIndex);
    if (emails.length === 0 && phones.length === 0) {
      if (hasData) this.lost('dropped', pointer, 'OneRoster has no postal addresses');
      return empty;
    }
    if (contact.addresses?.length)
      this.lost('dropped', `${pointer}/addresses`, 'OneRoster has no postal addresses');
    emails.forEach((_, i) => {
      if (i > 0) this.lost('dropped', `${pointer}/emails/${i}`, 'OneRoster has one e-mail address per user');
    });
    phones.forEach((_, i) => {
      if (i !== smsIndex && i !== phoneIndex)
        this.lost(
          'dropped',
          `${pointer}/phoneNumbers/${i}`,
          'OneRoster has one sms and one phone number per user',
        );
    });
    // The kinds go in portabel's ext columns (OneRoster has none), so the conventions of an import that
    // lacks them (Skola or Privat, sms Mobil, phone Hem) are never needed for portabel's own files.
    return {
      email: emails[0]?.value ?? '',
      sms: smsIndex >= 0 ? phones[smsIndex].value : '',
      phone: phoneIndex >= 0 ? phones[phoneIndex].value : '',
      [EXT.emailType]: emails[0]?.type ?? '',
      [EXT.phoneType]: phoneIndex >= 0 ? phones[phoneIndex].type : '',
    };
  }

  private guardians(): void {
    (this.record.guardians ?? []).forEach((g, i) => {
      const pointer = `/guardians/${i}`;
      const id = this.guardianIds[i];
      const role = RELATION_TO_ROLE[g.relation];
      if (g.livesWithPupil !== undefined)
        this.lost('dropped', `${pointer}/livesWithPupil`, 'OneRoster does not say where a pupil lives');
      const civic = this.civicNo(g.civicNo, `${pointer}/civicNo`);
      const contact = this.contactColumns(g.contact, `${pointer}/contact`);
      this.out.users.push({
        key: id,
        row: this.base(id, {
          enabledUser: 'true',
          givenName: g.givenName,
          familyName: g.familyName,
          identifier: civic.inIdentifier ? civic.value : '',
          ...contact,
          agentSourcedIds: this.pupilId,
          [EXT.custody]: String(g.custody),
          ...civic.extColumn,
        }),
        compare: ['givenName', 'familyName', 'identifier', 'email', 'sms', 'phone'],
        union: ['agentSourcedIds'],
        pointers: [pointer],
        owner: this.pupilId,
      });
      this.district_();
      this.shared(
        'roles',
        stableId('role', id, role, this.district),
        () => ({
          userSourcedId: id,
          roleType: 'primary',
          role,
          orgSourcedId: this.district,
        }),
        { compare: [], pointers: [] },
      );
    });
  }

  // -------------------------------------------------------------------------------------------------

  private enrolments(): void {
    const primaryAt = new Set<string>();
    (this.record.enrolments ?? []).forEach((e, i) => {
      const pointer = `/enrolments/${i}`;
      const org = this.school(e.schoolUnitCode, e.organiserCode, [`${pointer}/organiserCode`]);
      const roleType = primaryAt.has(e.schoolUnitCode) ? 'secondary' : 'primary';
      primaryAt.add(e.schoolUnitCode);
      this.own('roles', this.ownId('placering', i), {
        userSourcedId: this.pupilId,
        roleType,
        role: 'student',
        beginDate: e.startDate,
        endDate: e.endDate ? addDays(e.endDate, 1) : '',
        orgSourcedId: org,
        [EXT.schoolType]: e.schoolType,
        [EXT.schoolYear]:
          e.schoolYear === null ? 'null' : e.schoolYear === undefined ? '' : String(e.schoolYear),
        [EXT.programmeCode]: e.programmeCode ?? '',
        [EXT.educationCode]: e.educationCode ?? '',
        [EXT.cancelled]: e.cancelled === undefined ? '' : String(e.cancelled),
      });
    });
  }

  private groups(): void {
    (this.record.groups ?? []).forEach((g, i) => {
      const classId = this.variantOf('class', g.id, `${g.name}\u0000${g.groupType}\u0000${g.schoolUnitCode}`);
      this.school(g.schoolUnitCode);
      const course = `grupper-${g.schoolUnitCode}`;
      this.shared(
        'courses',
        course,
        () => ({ title: 'Grupper', courseCode: '', orgSourcedId: g.schoolUnitCode }),
        {},
      );
      const year = this.schoolYearSession(g.startDate);
      this.shared(
        'classes',
        classId,
        {
          title: g.name,
          courseSourcedId: course,
          classType: GROUP_TYPE_TO_CLASS_TYPE[g.groupType],
          schoolSourcedId: g.schoolUnitCode,
          termSourcedIds: year,
        },
        {
          compare: ['title', 'classType', 'schoolSourcedId'],
          pointers: [`/groups/${i}`],
          union: ['termSourcedIds'],
        },
      );
      this.own('enrollments', this.ownId('grupp', i), {
        classSourcedId: classId,
        schoolSourcedId: g.schoolUnitCode,
        userSourcedId: this.pupilId,
        role: 'student',
        primary: 'false',
        beginDate: g.startDate,
        endDate: g.endDate ? addDays(g.endDate, 1) : '',
      });
    });
  }

  // -------------------------------------------------------------------------------------------------
  // Grades: course (subject) -> class (school, term, grading teacher) -> line item -> result

  private grades(): void {
    (this.record.grades ?? []).forEach((grade, i) => this.grade(grade, `/grades/${i}`, i));
  }

  private grade(grade: Grade, pointer: string, index: number): void {
    const schoolOrg = grade.schoolUnitCode ?? this.district;
    if (grade.schoolUnitCode) this.school(grade.schoolUnitCode);
    else this.district_();

    const courseId = grade.courseCode
      ? `kurs-${grade.subjectCode}-${grade.courseCode}`
      : `amne-${grade.subjectCode}`;
    if (grade.courseCode === grade.subjectCode)
      this.lost(
        'dropped',
        `${pointer}/courseCode`,
        'a course code equal to the subject code reads back as a subject grade',
      );
    let session = '';
    if (grade.semester && grade.year !== undefined) session = `${grade.semester}${grade.year}`;
    else if (grade.semester)
      this.lost('dropped', `${pointer}/semester`, 'a term without a year has no academic session');
    else if (grade.year !== undefined)
      this.lost('dropped', `${pointer}/year`, 'a year without a term has no academic session');
    if (grade.trial === false)
      this.lost('dropped', `${pointer}/trial`, 'a grade category says only that a grade followed a prövning');
    if (!SCALE_VALUES[grade.gradeScale].includes(grade.value))
      this.lost(
        'approximated',
        pointer,
        `"${grade.value}" is not a value of the ${grade.gradeScale} scale; a reader may not take it`,
      );
    if (grade.correctionType)
      this.lost(
        'dropped',
        `${pointer}/correctionType`,
        'OneRoster results do not say why a grade was changed',
      );
    if (grade.adaptedStudyPlan !== undefined)
      this.lost('dropped', `${pointer}/adaptedStudyPlan`, 'OneRoster results have no anpassad studiegång');

    const teacher = grade.gradingTeacher;
    const teacherId = teacher ? this.teacherId(teacher) : '';
    if (teacher) this.teacher(teacher, teacherId, `${pointer}/gradingTeacher/name`);
    const category = categoryId(grade.final, grade.trial);
    // The line item's id is its whole content, so the rows behind it are built once per export.
    const lineItemId = prefixedStableId(
      'betyg-',
      'lineItem',
      schoolOrg,
      courseId,
      session,
      teacherId,
      category,
      grade.gradeScale,
      grade.curriculum ?? '',
      session ? '' : grade.registeredDate,
    );
    const classId = this.env.known?.('lineItems', lineItemId)
      ? (this.env.classOf?.(lineItemId) ?? '')
      : this.gradeContext(grade, { lineItemId, schoolOrg, courseId, session, category, teacherId });
    const points = grade.gradeScale === 'A-F' ? MERIT_POINTS[grade.value] : undefined;
    this.own('results', this.ownId('betyg', index), {
      lineItemSourcedId: lineItemId,
      studentSourcedId: this.pupilId,
      scoreStatus: 'fully graded',
      score: points === undefined ? '' : String(points),
      scoreDate: grade.registeredDate,
      textScore: grade.value,
      classSourcedId: classId,
    });
  }

  /** The rows behind a line item seen for the first time: course, class, teacher, category, scale, term. */
  private gradeContext(
    grade: Grade,
    ids: {
      lineItemId: string;
      schoolOrg: string;
      courseId: string;
      session: string;
      category: string;
      teacherId: string;
    },
  ): string {
    const { lineItemId, schoolOrg, courseId, session, category, teacherId } = ids;
    const courseCode = grade.courseCode ?? grade.subjectCode;
    this.district_(this.env.ctx.kommunCode);
    this.shared(
      'courses',
      courseId,
      () => ({
        title: courseCode,
        courseCode,
        orgSourcedId: this.env.ctx.kommunCode,
        subjectCodes: grade.subjectCode,
      }),
      {},
    );
    if (session) this.termSession(grade.semester as 'HT' | 'VT', grade.year as number);
    const classId = prefixedStableId('betyg-', 'class', schoolOrg, courseId, session, teacherId);
    this.shared(
      'classes',
      classId,
      () => ({
        title: [courseCode, session].filter((s) => s).join(' '),
        courseSourcedId: courseId,
        classType: 'scheduled',
        schoolSourcedId: schoolOrg,
        termSourcedIds: session || this.schoolYearSession(grade.registeredDate),
      }),
      {},
    );
    if (teacherId) {
      this.shared(
        'enrollments',
        stableId('enrollment', teacherId, classId),
        () => ({
          classSourcedId: classId,
          schoolSourcedId: schoolOrg,
          userSourcedId: teacherId,
          role: 'teacher',
          primary: 'true',
        }),
        {},
      );
      this.shared(
        'roles',
        stableId('role', teacherId, 'teacher', schoolOrg),
        () => ({
          userSourcedId: teacherId,
          roleType: 'primary',
          role: 'teacher',
          orgSourcedId: schoolOrg,
        }),
        {},
      );
    }
    this.shared('categories', category, () => ({ title: categoryTitle(grade.final, grade.trial) }), {});
    const scale = this.scoreScale(grade.gradeScale);
    const dates = session ? termDates(grade.semester as 'HT' | 'VT', grade.year as number) : undefined;
    this.shared(
      'lineItems',
      lineItemId,
      () => ({
        title: `${categoryTitle(grade.final, grade.trial)} ${courseCode}${session ? ` ${session}` : ''}`,
        assignDate: dates?.start ?? grade.registeredDate,
        dueDate: dates ? addDays(dates.end, -1) : grade.registeredDate,
        classSourcedId: classId,
        categorySourcedId: category,
        academicSessionSourcedId: session,
        resultValueMin: grade.gradeScale === 'A-F' ? '0' : '',
        resultValueMax: grade.gradeScale === 'A-F' ? '20' : '',
        schoolSourcedId: schoolOrg,
        [EXT.curriculum]: grade.curriculum ?? '',
      }),
      {},
    );
    this.shared(
      'lineItemScoreScales',
      `${lineItemId}-skala`,
      () => ({ lineItemSourcedId: lineItemId, scoreScaleSourcedId: scale }),
      {},
    );
    return classId;
  }

  /** The teacher's sourcedId (a variant when another record names them differently). */
  private teacherId(teacher: NonNullable<Grade['gradingTeacher']>): string {
    return this.variantOf('teacher', teacher.id, teacher.name ?? '');
  }

  private teacher(teacher: NonNullable<Grade['gradingTeacher']>, id: string, namePointer: string): void {
    const name = teacher.name ?? '';
    const space = name.indexOf(' ');
    const givenName = space < 0 ? name : name.slice(0, space);
    const familyName = space < 0 ? '' : name.slice(space + 1);
    if ([givenName, familyName].filter((n) => n).join(' ') !== name)
      this.lost(
        'approximated',
        namePointer,
        'the name is split into given and family name at its first space',
      );
    // One users row per teacher and record, carrying every grade of the record that names them.
    const known = this.teachers.get(id);
    if (known && known.givenName === givenName && known.familyName === familyName)
      known.pointers.push(namePointer);
    else {
      const row: SharedRow = {
        key: id,
        row: this.base(id, { enabledUser: 'true', givenName, familyName }),
        compare: ['givenName', 'familyName'],
        pointers: [namePointer],
        owner: this.pupilId,
      };
      (this.out.shared.users ??= []).push(row);
      if (!known) this.teachers.set(id, { givenName, familyName, pointers: row.pointers as string[] });
    }
  }

  private scoreScale(scale: GradeScale): string {
    const id = `betygsskala-${scale
      .toLowerCase()
      .replace(/ä/g, 'a')
      .replace(/[^a-z0-9]+/g, '-')}`;
    const values = SCALE_VALUES[scale].filter((v) => v !== '-');
    this.shared(
      'scoreScales',
      id,
      () => ({
        title: scale,
        type: 'betygsskala',
        orgSourcedId: this.env.ctx.kommunCode,
        scoreScaleValue: values.map((v) => `{${v}:${scale === 'A-F' ? MERIT_POINTS[v] : v}}`).join(','),
      }),
      {},
    );
    this.district_(this.env.ctx.kommunCode);
    return id;
  }

  // -------------------------------------------------------------------------------------------------
  // Shared rows: orgs and academic sessions

  /** The school's org (a variant when another record gave it another organiser); returns its sourcedId. */
  private school(code: string, organiserCode?: string, pointers: string[] = []): string {
    const id = organiserCode ? this.variantOf('school', code, organiserCode) : code;
    const memo = `${id}|${organiserCode ?? ''}`;
    if (pointers.length === 0 && this.orgsDone.has(memo)) return id;
    this.orgsDone.add(memo);
    this.shared(
      'orgs',
      id,
      {
        name: `Skolenhet ${code}`,
        type: 'school',
        identifier: code,
        parentSourcedId: organiserCode ?? '',
      },
      { compare: ['parentSourcedId'], pointers },
    );
    if (organiserCode) this.district_(organiserCode);
    return id;
  }

  private district_(code = this.district): void {
    if (this.orgsDone.has(code)) return;
    this.orgsDone.add(code);
    this.shared('orgs', code, () => ({ name: `Kommun ${code}`, type: 'district', identifier: code }), {});
  }

  /** The läsår (1 July to 1 July) a date falls in. */
  private schoolYearSession(date: string): string {
    const year = Number(date.slice(0, 4));
    const autumn = Number(date.slice(5, 7)) >= 7 ? year : year - 1;
    const id = `lasar-${autumn}-${autumn + 1}`;
    this.shared(
      'academicSessions',
      id,
      () => ({
        title: `Läsår ${autumn}/${String(autumn + 1).slice(2)}`,
        type: 'schoolYear',
        startDate: `${autumn}-07-01`,
        endDate: `${autumn + 1}-07-01`,
        schoolYear: String(autumn + 1),
      }),
      {},
    );
    return id;
  }

  private termSession(semester: 'HT' | 'VT', year: number): string {
    const id = `${semester}${year}`;
    const { start, end } = termDates(semester, year);
    this.shared(
      'academicSessions',
      id,
      () => ({
        title: `${semester === 'HT' ? 'Hösttermin' : 'Vårtermin'} ${year}`,
        type: 'term',
        startDate: start,
        endDate: end,
        schoolYear: String(semester === 'HT' ? year + 1 : year),
      }),
      {},
    );
    return id;
  }

  // -------------------------------------------------------------------------------------------------

  private variantOf(kind: 'class' | 'school' | 'teacher' | 'guardian', id: string, content: string): string {
    return this.env.variant ? this.env.variant(kind, id, content) : id;
  }

  /**
   * The sourcedId of a row of this pupil's: readable, and sorting in the record's own order, so that a
   * re-import lists the pupil's items as the record did.
   */
  private ownId(kind: string, index: number): string {
    return `${this.pupilId}-${kind}-${String(index).padStart(4, '0')}`;
  }

  private base(sourcedId: string, row: Row): Row {
    return { sourcedId, status: 'active', dateLastModified: this.env.modified, ...row };
  }

  private user(sourcedId: string, row: Row): void {
    this.out.users.push({
      key: sourcedId,
      row: this.base(sourcedId, row),
      compare: [],
      pointers: ['/pupil'],
      owner: this.pupilId,
    });
  }

  private own(file: OrFile, sourcedId: string, row: Row): void {
    (this.out.own[file] ??= []).push({ key: sourcedId, row: this.base(sourcedId, row) });
  }

  /**
   * A row other records may write too. Rows whose key is their whole content (a line item, a course) are
   * skipped once the writer has one; only rows that can disagree (a school's organiser, a class's name)
   * are built every time, to be compared.
   */
  private shared(
    file: OrFile,
    key: string,
    row: Row | (() => Row),
    how: { compare?: readonly string[]; pointers?: string[]; union?: readonly string[] },
  ): void {
    const contentKeyed = !how.compare?.length && !how.union?.length;
    if (contentKeyed && this.env.known?.(file, key)) return;
    const values = typeof row === 'function' ? row() : row;
    (this.out.shared[file] ??= []).push({ key, row: this.base(key, values), ...how, owner: this.pupilId });
  }

  private lost(kind: LossEntry['kind'], pointer: string, detail: string): void {
    this.out.loss.push({
      kind,
      source: { pointer },
      target: { file: 'users.csv', field: 'sourcedId' },
      detail: `pupil ${this.pupilId}: ${detail}`,
    });
  }
}

/** A term's first day and the day after its last (OneRoster end dates are exclusive). */
function termDates(semester: 'HT' | 'VT', year: number): { start: string; end: string } {
  return semester === 'HT'
    ? { start: `${year}-07-01`, end: `${year + 1}-01-01` }
    : { start: `${year}-01-01`, end: `${year}-07-01` };
}

/** The placement that is going on at `now`, or the one that began last. */
function currentEnrolment(enrolments: Enrolment[] | undefined, now: Date): Enrolment | undefined {
  if (!enrolments || enrolments.length === 0) return undefined;
  const today = now.toISOString().slice(0, 10);
  const ongoing = enrolments.filter(
    (e) => e.startDate <= today && (!e.endDate || e.endDate >= today) && !e.cancelled,
  );
  const pool = ongoing.length > 0 ? ongoing : enrolments;
  return pool.reduce((latest, e) => (e.startDate > latest.startDate ? e : latest));
}

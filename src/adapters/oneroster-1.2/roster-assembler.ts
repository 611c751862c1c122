// Joins a OneRoster bundle into one record per pupil, streaming the large files.
//
// What is refused, and how (AdapterInputError: nothing of the bundle is written; rejected: that pupil
// only, the rest goes on):
// - The bundle as a whole (AdapterInputError): not a zip or truncated; no manifest; a file the manifest
//   lists missing from the zip; a missing required column; bytes that are not UTF-8; broken CSV quoting
//   or a row with the wrong number of fields; a field over maxFieldBytes; a duplicate sourcedId in any
//   file; a row whose status or dateLastModified is garbage; references between the shared tables that
//   lead nowhere (a class's school or course, a line item's class, a course's org, an org's parent);
//   rows about a user who is not in users.csv (no pupil to blame, and in a delta no record to rebuild).
//   These say the export itself is broken or mis-encoded: importing the rest would write a half-truth,
//   and a wrong encoding or a corrupt header must never wipe or garble a kommun.
// - One pupil (rejected, with file, line and column): that pupil's own rows point at a class, line item or
//   org that does not exist, hold a date that is no date, a civic number that fails (when the options
//   read one), or the record breaks a rule of the canonical schema.
// - Delta bundles (manifest `delta`): rows may refer to shared rows the bundle does not carry, so a
//   reference that leads nowhere drops that item with a loss entry instead. A `tobedeleted` student
//   becomes a deletion item. portabel replaces whole records: a delta must carry, for each user it
//   lists, all of that user's current enrollments, roles, demographics and results.
//
// Memory: the shared tables (orgs, sessions, courses, classes, categories, scales, line items) and
// teachers' names stay in memory as objects. Everything per user (students' roles, enrollments,
// demographics and results; guardians' rows) goes into a RowLog outside the heap, linked per pupil and
// read back when the pupil's record is built; duplicate sourcedIds of the big files are found from
// 8-byte hashes (HashLog). Per user on the heap: its id and kind, and a pupil's four list heads.
// users.csv is read twice rather than held. For 25,000 pupils with 515,000 results (portabel's own
// export of a generated kommun) the log holds about 70 MB and the import's heap peaks near 100 MB.
import type { FieldError } from '../../common/problem/domain-error';
import type { ImportContext, ImportItem, LossEntry } from '../vendor-adapter.port';
import { HashLog, hash53 } from './hash-log';
import { isGuardianRole } from './oneroster-1.2.code-lists';
import { csvName, EXT, type OrFile } from './oneroster-1.2.columns';
import {
  locate,
  type EntityOf,
  type OrClass,
  type OrDemographics,
  type OrEnrollment,
  type OrExtra,
  type Origin,
  type OrRole,
  type OrStatus,
  type OrUser,
  type Placed,
  type RosterSource,
} from './oneroster-1.2.entities';
import { inputError, OR_ERRORS } from './oneroster-1.2.errors';
import type { OneRosterOptions } from './oneroster-1.2.options';
import { parseDateLike } from './oneroster-dates';
import { RowLog, type Tuple } from './row-log';
import {
  buildPupilRecord,
  toFieldError,
  type PupilAgent,
  type PupilRows,
  type RefTables,
  type ResultRow,
} from './roster-to-record.mapper';

type Kind = 'student' | 'guardian' | 'teacher' | 'other';

/** The file a reference field points into. */
const REFERENCED: Readonly<Record<string, OrFile>> = {
  orgSourcedId: 'orgs',
  schoolSourcedId: 'orgs',
  parentSourcedId: 'orgs',
  classSourcedId: 'classes',
  courseSourcedId: 'courses',
  categorySourcedId: 'categories',
  lineItemSourcedId: 'lineItems',
  scoreScaleSourcedId: 'scoreScales',
};

/** A pupil's rows in the log: the last of each kind (each row links to the one before), -1 for none. */
interface Heads {
  roles: number;
  enrollments: number;
  demographics: number;
  results: number;
  problems?: FieldError[];
  loss?: LossEntry[];
}

export async function* assembleRoster(
  source: RosterSource,
  ctx: ImportContext,
  opts: OneRosterOptions,
  /** The adapter named in provenance: the CSV or the REST binding's. */
  adapter?: { name: string; version: string },
): AsyncGenerator<ImportItem> {
  const a = new Assembly(source, ctx, opts, adapter);
  await a.loadReferenceTables();
  await a.loadRoles();
  await a.scanUsers();
  await a.indexEnrollments();
  await a.indexDemographics();
  await a.indexResults();
  yield* a.pupils();
}

class Assembly {
  readonly refs: RefTables = {
    orgs: new Map(),
    sessions: new Map(),
    courses: new Map(),
    classes: new Map(),
    categories: new Map(),
    scoreScales: new Map(),
    lineItems: new Map(),
    teachers: new Map(),
    resultScales: new Map(),
  };
  private readonly log = new RowLog();
  private readonly origins: Origin[] = [];
  private readonly originIndex = new Map<Origin, number>();
  private readonly kinds = new Map<string, Kind | undefined>();
  private readonly roleNames = new Map<string, string[]>();
  private readonly heads = new Map<string, Heads>();
  private readonly guardians = new Map<string, number>();
  private readonly reverseAgents = new Map<string, string[]>();
  private readonly resultIds = new HashLog();
  private readonly names = new Map<string, string>();
  private lineItemList: ResultRow['lineItem'][] = [];

  constructor(
    private readonly source: RosterSource,
    private readonly ctx: ImportContext,
    private readonly opts: OneRosterOptions,
    private readonly adapter?: { name: string; version: string },
  ) {}

  private delta(file: OrFile): boolean {
    return this.source.modes.get(file) === 'delta';
  }

  // -------------------------------------------------------------------------------------------------
  // Shared tables

  async loadReferenceTables(): Promise<void> {
    const { refs } = this;
    await this.table('orgs', refs.orgs);
    await this.table('academicSessions', refs.sessions);
    await this.table('courses', refs.courses);
    await this.table('classes', refs.classes);
    await this.table('categories', refs.categories);
    await this.table('scoreScales', refs.scoreScales);
    await this.table('lineItems', refs.lineItems);

    for (const org of refs.orgs.values())
      this.mustExist('orgs', org, 'parentSourcedId', org.parentSourcedId, refs.orgs);
    for (const s of refs.sessions.values()) {
      this.tableDate('academicSessions', s, 'startDate', s.startDate);
      this.tableDate('academicSessions', s, 'endDate', s.endDate);
    }
    for (const c of refs.courses.values())
      this.mustExist('courses', c, 'orgSourcedId', c.orgSourcedId, refs.orgs);
    for (const c of refs.classes.values()) {
      this.mustExist('classes', c, 'schoolSourcedId', c.schoolSourcedId, refs.orgs);
      this.mustExist('classes', c, 'courseSourcedId', c.courseSourcedId, refs.courses);
      // termSourcedIds that lead nowhere are tolerated: real 1.1 exports (the public sample among them)
      // name terms they never export, and a group's dates come from its enrollments anyway.
    }
    for (const li of refs.lineItems.values()) {
      this.mustExist('lineItems', li, 'classSourcedId', li.classSourcedId, refs.classes);
      this.mustExist('lineItems', li, 'categorySourcedId', li.categorySourcedId, refs.categories);
      this.mustExist('lineItems', li, 'schoolSourcedId', li.schoolSourcedId, refs.orgs);
      this.tableDate('lineItems', li, 'assignDate', li.assignDate);
      this.tableDate('lineItems', li, 'dueDate', li.dueDate);
    }
    const seen = new Set<string>();
    for await (const batch of this.source.batches('lineItemScoreScales'))
      for (const link of batch) {
        if (link.sourcedId) this.unique('lineItemScoreScales', seen, link.sourcedId, link);
        if (link.status === 'tobedeleted') continue;
        const li = refs.lineItems.get(link.fromSourcedId);
        this.mustExist('lineItemScoreScales', link, 'lineItemSourcedId', link.fromSourcedId, refs.lineItems);
        this.mustExist(
          'lineItemScoreScales',
          link,
          'scoreScaleSourcedId',
          link.scoreScaleSourcedId,
          refs.scoreScales,
        );
        if (li) li.scoreScaleSourcedId = link.scoreScaleSourcedId;
      }
  }

  private async table<K extends OrFile>(file: K, into: Map<string, EntityOf[K]>): Promise<void> {
    for await (const batch of this.source.batches(file))
      for (const entity of batch) {
        const e = entity as EntityOf[K] & { sourcedId: string; status: string };
        if (!e.sourcedId)
          throw inputError(
            OR_ERRORS.badValue,
            `${csvName(file)}: a row has no sourcedId`,
            where(e, 'sourcedId'),
          );
        if (into.has(e.sourcedId)) throw duplicate(file, e.sourcedId, e);
        into.set(e.sourcedId, e);
      }
    // Deleted shared rows count for the duplicate check but nothing may refer to them.
    for (const [id, e] of into) if ((e as { status: string }).status === 'tobedeleted') into.delete(id);
  }

  private mustExist(
    file: OrFile,
    entity: Placed,
    field: string,
    id: string | undefined,
    table: { has(id: string): boolean },
  ): void {
    if (id === undefined || table.has(id) || this.delta(file) || this.notSupplied(field)) return;
    throw inputError(
      OR_ERRORS.danglingReference,
      `${csvName(file)}: ${field} ${id} is not in the bundle`,
      where(entity, field),
    );
  }

  private tableDate(file: OrFile, entity: Placed, field: string, value: string | undefined): void {
    if (value !== undefined && !parseDateLike(value))
      throw inputError(
        OR_ERRORS.badDate,
        `${csvName(file)}: ${field} "${value}" is not a date`,
        where(entity, field),
      );
  }

  private unique(file: OrFile, seen: Set<string>, id: string, entity: Placed): void {
    if (seen.has(id)) throw duplicate(file, id, entity);
    seen.add(id);
  }

  /** Duplicate sourcedIds of a big file, from its hashes; a second read of the suspects makes it exact. */
  private async checkUnique(
    file: OrFile,
    hashes: HashLog,
    idOf: (e: EntityOf[OrFile]) => string | undefined,
  ): Promise<void> {
    const suspects = hashes.seal();
    if (suspects.size === 0) return;
    const seen = new Set<string>();
    for await (const batch of this.source.batches(file))
      for (const entity of batch) {
        const id = idOf(entity);
        if (id === undefined || !suspects.has(hash53(id))) continue;
        this.unique(file, seen, id, entity);
      }
  }

  // -------------------------------------------------------------------------------------------------
  // Users and their roles

  async loadRoles(): Promise<void> {
    const hashes = new HashLog();
    for await (const batch of this.source.batches('roles'))
      for (const role of batch) {
        if (role.sourcedId) hashes.add(role.sourcedId);
        const names = this.roleNames.get(role.userSourcedId) ?? [];
        names.push(this.intern(role.role));
        this.roleNames.set(role.userSourcedId, names);
        if (role.role.toLowerCase() === 'student') {
          const heads = this.headsOf(role.userSourcedId);
          heads.roles = this.log.append([
            heads.roles,
            role.at,
            this.originOf(role.origin),
            role.sourcedId,
            role.status === 'tobedeleted' ? 1 : 0,
            role.role,
            role.beginDate,
            role.endDate,
            role.orgSourcedId,
            role.schoolType,
            role.schoolYear,
            role.programmeCode,
            role.educationCode,
            role.cancelled,
            role.extras ? JSON.stringify(role.extras) : undefined,
          ]);
        } else if (role.status !== 'tobedeleted') {
          this.mustExist('roles', role, 'orgSourcedId', role.orgSourcedId, this.refs.orgs);
        }
      }
    await this.checkUnique('roles', hashes, (e) => (e as OrRole).sourcedId);
  }

  /** Pass 1: which users exist and what they are; guardians' rows and teachers' names are kept. */
  async scanUsers(): Promise<void> {
    const civicColumn = this.opts.civicNo?.column;
    for await (const batch of this.source.batches('users'))
      for (const user of batch) {
        if (!user.sourcedId)
          throw inputError(OR_ERRORS.badValue, 'users.csv: a row has no sourcedId', where(user, 'sourcedId'));
        if (this.kinds.has(user.sourcedId)) throw duplicate('users', user.sourcedId, user);
        const roleNames = [...(this.roleNames.get(user.sourcedId) ?? []), ...(user.role ? [user.role] : [])];
        const kind = kindOf(roleNames);
        this.kinds.set(user.sourcedId, kind);
        if (kind === 'teacher')
          this.refs.teachers.set(user.sourcedId, { givenName: user.givenName, familyName: user.familyName });
        if (kind !== 'guardian') continue;
        const role = roleNames.find(isGuardianRole) ?? 'guardian';
        this.guardians.set(
          user.sourcedId,
          this.log.append([
            user.at,
            this.originOf(user.origin),
            user.sourcedId,
            user.status === 'tobedeleted' ? 1 : 0,
            user.givenName,
            user.familyName,
            user.email,
            user.sms,
            user.phone,
            civicColumn ? user.valueOf(civicColumn) : undefined,
            role,
            user.extras.length > 0 ? JSON.stringify(user.extras) : undefined,
            user.valueOf(EXT.emailType),
            user.valueOf(EXT.phoneType),
            user.valueOf(EXT.custody),
          ]),
        );
        for (const student of user.agentSourcedIds) {
          const list = this.reverseAgents.get(student) ?? [];
          list.push(user.sourcedId);
          this.reverseAgents.set(student, list);
        }
      }
    for (const userId of [...this.roleNames.keys(), ...this.heads.keys()]) {
      if (this.kinds.has(userId)) continue;
      throw inputError(
        OR_ERRORS.danglingReference,
        `roles.csv: user ${userId} is not in users`,
        await this.firstRoleOf(userId),
      );
    }
    for (const [student, guardianIds] of this.reverseAgents) {
      if (this.kinds.has(student) || this.delta('users')) continue;
      throw inputError(
        OR_ERRORS.danglingReference,
        `users.csv: agent ${student} of ${guardianIds[0]} is not in users`,
        where(this.guardian(guardianIds[0]), 'agentSourcedIds'),
      );
    }
    // Every user's kind is known now; their role names are not needed again (75,000 lists at 25,000 pupils).
    this.roleNames.clear();
  }

  private async firstRoleOf(userId: string): Promise<Omit<FieldError, 'detail'>> {
    for await (const batch of this.source.batches('roles'))
      for (const role of batch) if (role.userSourcedId === userId) return where(role, 'userSourcedId');
    return { file: 'roles.csv' };
  }

  // -------------------------------------------------------------------------------------------------
  // Per-pupil rows

  async indexEnrollments(): Promise<void> {
    const hashes = new HashLog();
    for await (const batch of this.source.batches('enrollments'))
      for (const e of batch) {
        hashes.add(e.sourcedId);
        if (!this.userExists('enrollments', e, 'userSourcedId', e.userSourcedId, e.status)) continue;
        if (e.status === 'tobedeleted') continue;
        const cls = this.refs.classes.get(e.classSourcedId);
        if (e.role.toLowerCase() === 'student') {
          const heads = this.headsOf(e.userSourcedId);
          if (!cls) {
            this.missing(heads, 'enrollments', e, 'classSourcedId', `class ${e.classSourcedId}`, '/groups');
            continue;
          }
          heads.enrollments = this.log.append([
            heads.enrollments,
            e.at,
            this.originOf(e.origin),
            e.sourcedId,
            e.classSourcedId,
            e.schoolSourcedId,
            e.role,
            e.beginDate,
            e.endDate,
            e.extras ? JSON.stringify(e.extras) : undefined,
          ]);
          continue;
        }
        if (!cls) {
          this.mustExist('enrollments', e, 'classSourcedId', e.classSourcedId, this.refs.classes);
          continue;
        }
        if (e.role.toLowerCase() === 'teacher') addTeacher(cls, e.userSourcedId, e.primary === 'true');
      }
    await this.checkUnique('enrollments', hashes, (e) => (e as OrEnrollment).sourcedId);
  }

  async indexDemographics(): Promise<void> {
    const seen = new Set<string>();
    for await (const batch of this.source.batches('demographics'))
      for (const d of batch) {
        this.unique('demographics', seen, d.sourcedId, d);
        if (!this.userExists('demographics', d, 'sourcedId', d.sourcedId, d.status)) continue;
        if (d.status === 'tobedeleted' || !this.mayBeStudent(d.sourcedId)) continue;
        this.headsOf(d.sourcedId).demographics = this.log.append([
          d.at,
          this.originOf(d.origin),
          d.sourcedId,
          d.birthDate,
          d.sex,
          d.extras.length > 0 ? JSON.stringify(d.extras) : undefined,
        ]);
      }
  }

  async indexResults(): Promise<void> {
    // Results name their line item by number in the log: the ids are long and repeat for a whole class.
    const lineItems = [...this.refs.lineItems.values()];
    const lineItemIndex = new Map(lineItems.map((li, i) => [li.sourcedId, i]));
    this.lineItemList = lineItems;
    for await (const batch of this.source.batches('results'))
      for (const r of batch) {
        this.resultIds.add(r.sourcedId);
        if (!this.userExists('results', r, 'studentSourcedId', r.studentSourcedId, r.status)) continue;
        const heads = this.headsOf(r.studentSourcedId);
        const lineItem = lineItemIndex.get(r.lineItemSourcedId);
        if (lineItem === undefined) {
          if (r.status !== 'tobedeleted')
            this.missing(
              heads,
              'results',
              r,
              'lineItemSourcedId',
              `line item ${r.lineItemSourcedId}`,
              '/grades',
            );
          continue;
        }
        const scoreStatus = r.scoreStatus?.toLowerCase() === 'fully graded' ? undefined : r.scoreStatus;
        const rare =
          r.status === 'tobedeleted' || scoreStatus || r.comment || r.scoreScaleSourcedId || r.extras
            ? JSON.stringify({
                ...(r.status === 'tobedeleted' ? { tobedeleted: true } : {}),
                ...(scoreStatus ? { scoreStatus } : {}),
                ...(r.comment ? { comment: r.comment } : {}),
                ...(r.scoreScaleSourcedId ? { scoreScaleSourcedId: r.scoreScaleSourcedId } : {}),
                ...(r.extras ? { extras: r.extras } : {}),
              })
            : undefined;
        heads.results = this.log.append([
          heads.results,
          r.at,
          this.originOf(r.origin),
          r.sourcedId,
          lineItem,
          r.score,
          r.textScore,
          r.scoreDate,
          rare,
        ]);
      }
    await this.checkUnique('results', this.resultIds, (e) => (e as { sourcedId?: string }).sourcedId);
    const seen = new Set<string>();
    for await (const batch of this.source.batches('resultScoreScales'))
      for (const link of batch) {
        if (link.sourcedId) this.unique('resultScoreScales', seen, link.sourcedId, link);
        if (link.status === 'tobedeleted') continue;
        this.mustExist('resultScoreScales', link, 'resultSourcedId', link.fromSourcedId, {
          has: (id) => this.resultIds.mayHave(id),
        });
        this.mustExist(
          'resultScoreScales',
          link,
          'scoreScaleSourcedId',
          link.scoreScaleSourcedId,
          this.refs.scoreScales,
        );
        this.refs.resultScales.set(link.fromSourcedId, link.scoreScaleSourcedId);
      }
  }

  /** Rows about a user who is not in users: the export is inconsistent (a delta must carry the user too). */
  private userExists(file: OrFile, entity: Placed, field: string, userId: string, status: string): boolean {
    if (this.kinds.has(userId)) return true;
    if (status === 'tobedeleted') return false;
    const detail = this.delta('users')
      ? `${csvName(file)}: user ${userId} is not in this delta's users.csv; portabel rebuilds whole records, so a delta must carry the user's own row too`
      : `${csvName(file)}: user ${userId} is not in users`;
    throw inputError(OR_ERRORS.danglingReference, detail, where(entity, field));
  }

  private mayBeStudent(userId: string): boolean {
    const kind = this.kinds.get(userId);
    return kind === 'student' || kind === undefined;
  }

  private headsOf(userId: string): Heads {
    let heads = this.heads.get(userId);
    if (!heads) {
      heads = { roles: -1, enrollments: -1, demographics: -1, results: -1 };
      this.heads.set(userId, heads);
    }
    return heads;
  }

  /** A pupil's row refers to something absent: a rejection in a bulk bundle, a dropped item in a delta. */
  private missing(
    heads: Heads,
    file: OrFile,
    entity: Placed,
    field: string,
    what: string,
    pointer: string,
  ): void {
    const place = locate(entity, field);
    if (this.delta(file) || this.isDeltaReference(field) || this.notSupplied(field)) {
      const why = this.notSupplied(field) ? 'the bundle has no such file' : 'it is not in this delta bundle';
      (heads.loss ??= []).push({ kind: 'dropped', source: place, detail: `${what} dropped: ${why}` });
    } else {
      (heads.problems ??= []).push(
        toFieldError(
          place,
          pointer,
          `${csvName(file)}: ${field} refers to ${what}, which is not in the bundle`,
        ),
      );
    }
  }

  private isDeltaReference(field: string): boolean {
    const target = REFERENCED[field];
    return target !== undefined && this.delta(target);
  }

  /**
   * A reference into a file the bundle does not have at all (a REST users page on its own, a manifest
   * saying orgs are absent) leads nowhere by design: what it would give is dropped, not refused.
   */
  private notSupplied(field: string): boolean {
    const target = REFERENCED[field];
    return target !== undefined && !this.source.modes.has(target);
  }

  private originOf(origin: Origin): number {
    let index = this.originIndex.get(origin);
    if (index === undefined) {
      index = this.origins.length;
      this.origins.push(origin);
      this.originIndex.set(origin, index);
    }
    return index;
  }

  private intern(text: string): string {
    const known = this.names.get(text);
    if (known !== undefined) return known;
    this.names.set(text, text);
    return text;
  }

  // -------------------------------------------------------------------------------------------------
  // Pass 2

  async *pupils(): AsyncGenerator<ImportItem> {
    for await (const batch of this.source.batches('users'))
      for (const user of batch) {
        const id = user.sourcedId;
        const kind = this.kinds.get(id);
        const heads = this.heads.get(id);
        const student = kind === 'student' || (kind === undefined && (heads?.enrollments ?? -1) >= 0);
        if (!student && !(kind === undefined && user.status === 'tobedeleted')) continue;
        this.heads.delete(id);
        if (user.status === 'tobedeleted') {
          yield { kind: 'deletion', sourcePlatform: this.ctx.platformId, sourceId: id, source: locate(user) };
          continue;
        }
        const rows = this.rowsOf(
          user,
          heads ?? { roles: -1, enrollments: -1, demographics: -1, results: -1 },
        );
        const outcome = buildPupilRecord(
          { user, rows, agents: this.agentsOf(user) },
          { refs: this.refs, ctx: this.ctx, opts: this.opts, adapter: this.adapter },
        );
        if (outcome.ok)
          yield { kind: 'record', record: outcome.record, loss: outcome.loss, source: locate(user) };
        else yield { kind: 'rejected', sourceId: id, errors: outcome.errors, source: locate(user) };
      }
  }

  /** The pupil's rows read back from the log, in input order. */
  private rowsOf(user: OrUser, heads: Heads): PupilRows {
    const rows: PupilRows = {
      roles: this.chain(heads.roles, (t) => this.role(t, user.sourcedId)),
      enrollments: this.chain(heads.enrollments, (t) => this.enrollment(t, user.sourcedId)),
      results: this.chain(heads.results, (t) => this.result(t)),
      problems: heads.problems ?? [],
      loss: heads.loss ?? [],
      ...(heads.demographics >= 0
        ? { demographics: this.demographics(this.log.read(heads.demographics)) }
        : {}),
    };
    if (user.role) {
      const origin = legacyRoleOrigin(user.origin);
      for (const orgSourcedId of user.orgSourcedIds)
        rows.roles.push({
          origin,
          at: user.at,
          status: 'active',
          userSourcedId: user.sourcedId,
          role: user.role,
          orgSourcedId,
        });
    }
    const fake: Heads = { roles: -1, enrollments: -1, demographics: -1, results: -1 };
    rows.roles = rows.roles.filter((role) => {
      if (this.refs.orgs.has(role.orgSourcedId)) return true;
      if (role.status !== 'tobedeleted')
        this.missing(fake, 'roles', role, 'orgSourcedId', `org ${role.orgSourcedId}`, '/enrolments');
      return false;
    });
    rows.problems.push(...(fake.problems ?? []));
    rows.loss.push(...(fake.loss ?? []));
    return rows;
  }

  private chain<T>(head: number, decode: (t: Tuple) => T): T[] {
    const items: T[] = [];
    for (let ref = head; ref >= 0;) {
      const tuple = this.log.read(ref);
      items.push(decode(tuple));
      ref = tuple[0] as number;
    }
    return items.reverse();
  }

  private role(t: Tuple, userSourcedId: string): OrRole {
    return {
      origin: this.origins[t[2] as number],
      at: t[1] as number,
      ...(str(t[3]) !== undefined ? { sourcedId: str(t[3]) } : {}),
      status: status(t[4]),
      userSourcedId,
      role: t[5] as string,
      beginDate: str(t[6]),
      endDate: str(t[7]),
      orgSourcedId: t[8] as string,
      schoolType: str(t[9]),
      schoolYear: str(t[10]),
      programmeCode: str(t[11]),
      educationCode: str(t[12]),
      cancelled: str(t[13]),
      ...(t[14] ? { extras: JSON.parse(t[14] as string) as OrExtra[] } : {}),
    };
  }

  private enrollment(t: Tuple, userSourcedId: string): OrEnrollment {
    return {
      origin: this.origins[t[2] as number],
      at: t[1] as number,
      sourcedId: t[3] as string,
      status: 'active',
      classSourcedId: t[4] as string,
      schoolSourcedId: str(t[5]),
      userSourcedId,
      role: t[6] as string,
      beginDate: str(t[7]),
      endDate: str(t[8]),
      ...(t[9] ? { extras: JSON.parse(t[9] as string) as OrExtra[] } : {}),
    };
  }

  private demographics(t: Tuple): OrDemographics {
    return {
      origin: this.origins[t[1] as number],
      at: t[0] as number,
      sourcedId: t[2] as string,
      status: 'active',
      birthDate: str(t[3]),
      sex: str(t[4]),
      extras: t[5] ? (JSON.parse(t[5] as string) as OrDemographics['extras']) : [],
    };
  }

  private result(t: Tuple): ResultRow {
    return {
      origin: this.origins[t[2] as number],
      at: t[1] as number,
      sourcedId: t[3] as string,
      lineItem: this.lineItemList[t[4] as number],
      score: str(t[5]),
      textScore: str(t[6]),
      scoreDate: str(t[7]),
      ...(t[8] ? { rare: JSON.parse(t[8] as string) as ResultRow['rare'] } : {}),
    };
  }

  private guardian(id: string): OrUser {
    const t = this.log.read(this.guardians.get(id) as number);
    const kept: Record<string, string | undefined> = {
      ...(this.opts.civicNo ? { [this.opts.civicNo.column]: str(t[9]) } : {}),
      [EXT.emailType]: str(t[12]),
      [EXT.phoneType]: str(t[13]),
      [EXT.custody]: str(t[14]),
    };
    return {
      origin: this.origins[t[1] as number],
      at: t[0] as number,
      sourcedId: t[2] as string,
      status: status(t[3]),
      orgSourcedIds: [],
      userIds: [],
      agentSourcedIds: [],
      grades: [],
      givenName: str(t[4]),
      familyName: str(t[5]),
      email: str(t[6]),
      sms: str(t[7]),
      phone: str(t[8]),
      valueOf: (field) => kept[field],
      extras: t[11] ? (JSON.parse(t[11] as string) as OrUser['extras']) : [],
      role: str(t[10]),
    };
  }

  private agentsOf(user: OrUser): PupilAgent[] {
    const ids = [...user.agentSourcedIds, ...(this.reverseAgents.get(user.sourcedId) ?? [])];
    return ids.map((sourcedId): PupilAgent => {
      if (this.guardians.has(sourcedId)) {
        const guardian = this.guardian(sourcedId);
        return { sourcedId, exists: true, user: guardian, role: guardian.role };
      }
      const exists = this.kinds.has(sourcedId) || this.delta('users');
      return { sourcedId, exists, role: this.kinds.get(sourcedId) };
    });
  }
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function status(value: unknown): OrStatus {
  return value === 1 ? 'tobedeleted' : 'active';
}

function kindOf(roles: string[]): Kind | undefined {
  if (roles.length === 0) return undefined;
  const lower = roles.map((r) => r.toLowerCase());
  if (lower.includes('student')) return 'student';
  if (lower.some(isGuardianRole)) return 'guardian';
  if (lower.some((r) => r === 'teacher' || r === 'aide' || r === 'proctor')) return 'teacher';
  return 'other';
}

function addTeacher(cls: OrClass, userSourcedId: string, primary: boolean): void {
  cls.teachers ??= [];
  if (cls.teachers.some((t) => t.userSourcedId === userSourcedId)) return;
  cls.teachers.push({ userSourcedId, primary });
}

const legacyOrigins = new WeakMap<Origin, Origin>();

/** 1.1 roles live on the users row: their orgSourcedId is a place in orgSourcedIds there. */
function legacyRoleOrigin(users: Origin): Origin {
  let origin = legacyOrigins.get(users);
  if (!origin) {
    const column = users.columns?.get('orgSourcedIds');
    origin = users.columns
      ? {
          ...users,
          columns: new Map([
            ...users.columns,
            ...(column !== undefined ? [['orgSourcedId', column] as [string, number]] : []),
          ]),
        }
      : { ...users, fieldPaths: { ...users.fieldPaths, orgSourcedId: '/orgs' } };
    legacyOrigins.set(users, origin);
  }
  return origin;
}

function where(entity: Placed, field: string): Omit<FieldError, 'detail'> {
  const place = locate(entity, field);
  return {
    ...(place.file ? { file: place.file } : {}),
    ...(place.line !== undefined ? { line: place.line } : {}),
    ...(place.column !== undefined ? { column: place.column } : {}),
    ...(place.pointer !== undefined ? { pointer: place.pointer } : {}),
  };
}

function duplicate(file: OrFile, id: string, entity: Placed): Error {
  return inputError(
    OR_ERRORS.duplicateId,
    `${csvName(file)}: sourcedId ${id} appears more than once`,
    where(entity, 'sourcedId'),
  );
}

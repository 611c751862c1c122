// Writes the OneRoster 1.2 REST JSON binding from canonical records: one document holding each collection
// as the rostering and gradebook services answer it ({"orgs": [...], "users": [...], ...}), made from the
// same tables as the CSV bundle (so one mapper decides every value and every loss), deterministically.
import type { LearnerRecord } from '../../records/learner-record.types';
import type { ExportContext, LossEntry } from '../vendor-adapter.port';
import { parseList, parseUserIds } from './entity-fields';
import type { OrFile } from './oneroster-1.2.columns';
import { buildRoster, type BuiltRoster } from './roster-writer';

type Row = Record<string, string>;
type Json = Record<string, unknown>;

/** The REST binding's base path, for GUIDRef hrefs. */
const ROSTERING = '/ims/oneroster/rostering/v1p2';
const GRADEBOOK = '/ims/oneroster/gradebook/v1p2';

/** Collections in the order written; roles go inside users, score scale links inside line items. */
const COLLECTIONS: readonly OrFile[] = [
  'orgs',
  'academicSessions',
  'courses',
  'classes',
  'users',
  'demographics',
  'enrollments',
  'categories',
  'scoreScales',
  'lineItems',
  'results',
];

const GUID_TYPES: Partial<Record<OrFile, { type: string; base: string }>> = {
  orgs: { type: 'org', base: ROSTERING },
  academicSessions: { type: 'academicSession', base: ROSTERING },
  courses: { type: 'course', base: ROSTERING },
  classes: { type: 'class', base: ROSTERING },
  users: { type: 'user', base: ROSTERING },
  categories: { type: 'category', base: GRADEBOOK },
  lineItems: { type: 'lineItem', base: GRADEBOOK },
  scoreScales: { type: 'scoreScale', base: GRADEBOOK },
};

/** A GUIDRef (href, sourcedId, type) to an object of a collection; undefined for an empty id. */
function guid(file: OrFile, sourcedId: string | undefined): Json | undefined {
  if (!sourcedId) return undefined;
  const t = GUID_TYPES[file]!;
  return { href: `${t.base}/${file}/${encodeURIComponent(sourcedId)}`, sourcedId, type: t.type };
}

const guids = (file: OrFile, list: string | undefined): Json[] =>
  parseList(list).map((id) => guid(file, id)!);

/** Without the keys whose value is undefined or an empty list: the binding leaves them out. */
function compact(o: Json): Json {
  return Object.fromEntries(
    Object.entries(o).filter(([, v]) => v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0)),
  );
}

const text = (v: string | undefined): string | undefined => (v === '' ? undefined : v);
const bool = (v: string | undefined): boolean | undefined =>
  v === 'true' ? true : v === 'false' ? false : undefined;
const num = (v: string | undefined): number | string | undefined =>
  v === undefined || v === '' ? undefined : Number.isFinite(Number(v)) ? Number(v) : v;

/** The ext_* columns of a row as the object's `metadata`. */
function metadata(row: Row): Json | undefined {
  const ext = Object.entries(row).filter(([k, v]) => k.startsWith('ext_') && v !== '');
  return ext.length > 0 ? Object.fromEntries(ext) : undefined;
}

const base = (row: Row): Json => ({
  sourcedId: row.sourcedId,
  status: row.status || 'active',
  dateLastModified: row.dateLastModified,
});

const CONVERT: Partial<Record<OrFile, (row: Row, links: Links) => Json>> = {
  orgs: (r) => ({
    ...base(r),
    name: r.name,
    type: r.type,
    identifier: text(r.identifier),
    parent: guid('orgs', r.parentSourcedId),
  }),
  academicSessions: (r) => ({
    ...base(r),
    title: r.title,
    type: r.type,
    startDate: r.startDate,
    endDate: r.endDate,
    parent: guid('academicSessions', r.parentSourcedId),
    schoolYear: text(r.schoolYear),
  }),
  courses: (r) => ({
    ...base(r),
    schoolYear: guid('academicSessions', r.schoolYearSourcedId),
    title: r.title,
    courseCode: text(r.courseCode),
    grades: parseList(r.grades),
    subjects: parseList(r.subjects),
    org: guid('orgs', r.orgSourcedId),
    subjectCodes: parseList(r.subjectCodes),
  }),
  classes: (r) => ({
    ...base(r),
    title: r.title,
    classCode: text(r.classCode),
    classType: text(r.classType),
    location: text(r.location),
    grades: parseList(r.grades),
    subjects: parseList(r.subjects),
    course: guid('courses', r.courseSourcedId),
    school: guid('orgs', r.schoolSourcedId),
    terms: guids('academicSessions', r.termSourcedIds),
    subjectCodes: parseList(r.subjectCodes),
    periods: parseList(r.periods),
  }),
  users: (r, links) => ({
    ...base(r),
    metadata: metadata(r),
    userMasterIdentifier: text(r.userMasterIdentifier),
    username: text(r.username),
    userIds: parseUserIds(r.userIds).map((u) => ({ type: u.type ?? '', identifier: u.identifier })),
    enabledUser: bool(r.enabledUser),
    givenName: r.givenName,
    familyName: r.familyName,
    middleName: text(r.middleName),
    preferredFirstName: text(r.preferredGivenName),
    preferredMiddleName: text(r.preferredMiddleName),
    preferredLastName: text(r.preferredFamilyName),
    pronouns: text(r.pronouns),
    roles: (links.roles.get(r.sourcedId) ?? []).map((line) => JSON.parse(line) as Json),
    primaryOrg: guid('orgs', r.primaryOrgSourcedId),
    identifier: text(r.identifier),
    email: text(r.email),
    sms: text(r.sms),
    phone: text(r.phone),
    agents: guids('users', r.agentSourcedIds),
    grades: parseList(r.grades),
    password: text(r.password),
  }),
  demographics: (r) => {
    const { sourcedId: _s, status: _t, dateLastModified: _d, ...rest } = r;
    void [_s, _t, _d];
    return { ...base(r), ...Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, text(v)])) };
  },
  enrollments: (r) => ({
    ...base(r),
    user: guid('users', r.userSourcedId),
    class: guid('classes', r.classSourcedId),
    school: guid('orgs', r.schoolSourcedId),
    role: r.role,
    primary: bool(r.primary),
    beginDate: text(r.beginDate),
    endDate: text(r.endDate),
  }),
  categories: (r) => ({ ...base(r), title: r.title, weight: num(r.weight) }),
  scoreScales: (r) => ({
    ...base(r),
    title: r.title,
    type: text(r.type),
    course: guid('courses', r.courseSourcedId),
    class: guid('classes', r.classSourcedId),
    scoreScaleValue: scaleValues(r.scoreScaleValue),
  }),
  lineItems: (r, links) => ({
    ...base(r),
    metadata: metadata(r),
    title: r.title,
    description: text(r.description),
    assignDate: text(r.assignDate),
    dueDate: text(r.dueDate),
    class: guid('classes', r.classSourcedId),
    school: guid('orgs', r.schoolSourcedId),
    category: guid('categories', r.categorySourcedId),
    gradingPeriod: guid('academicSessions', r.academicSessionSourcedId),
    scoreScale: guid('scoreScales', links.scales.get(r.sourcedId)),
    resultValueMin: num(r.resultValueMin),
    resultValueMax: num(r.resultValueMax),
  }),
  results: (r) => ({
    ...base(r),
    lineItem: guid('lineItems', r.lineItemSourcedId),
    student: guid('users', r.studentSourcedId),
    class: guid('classes', r.classSourcedId),
    scoreStatus: r.scoreStatus,
    score: num(r.score),
    textScore: text(r.textScore),
    scoreDate: text(r.scoreDate),
    comment: text(r.comment),
    inProgress: text(r.inProgress),
    incomplete: text(r.incomplete),
    late: text(r.late),
    missing: text(r.missing),
  }),
};

/** `{A:20},{B:17.5}` as the binding's list of value pairs. */
function scaleValues(value: string | undefined): Json[] {
  return [...(value ?? '').matchAll(/\{([^{}:]*):([^{}]*)\}/g)].map((m) => ({
    itemValueLHS: m[1],
    itemValueRHS: m[2],
  }));
}

interface Links {
  /** A user's roles, each as its JSON. */
  roles: Map<string, string[]>;
  /** A line item's score scale. */
  scales: Map<string, string>;
}

/** One CSV record (RFC 4180, as roster-writer writes it) as its fields. */
export function parseCsvRecord(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) throw new Error('unterminated quoted field');
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      out.push(value);
    } else {
      const comma = line.indexOf(',', i);
      out.push(line.slice(i, comma < 0 ? line.length : comma));
      i = comma < 0 ? line.length : comma;
    }
    if (i >= line.length) return out;
    i++; // the comma
    if (i === line.length) {
      out.push('');
      return out;
    }
  }
}

/** A table's rows as objects by column, header skipped. */
async function* rows(roster: BuiltRoster, file: OrFile): AsyncGenerator<Row> {
  const columns = roster.columns(file);
  let header = true;
  for await (const line of roster.lines(file)) {
    if (header) {
      header = false;
      continue;
    }
    const cells = parseCsvRecord(line);
    yield Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? '']));
  }
}

/** Loss targets in the CSV tables, as places in this document. */
function jsonTarget(entry: LossEntry): LossEntry {
  const file = entry.target?.file;
  if (!file?.endsWith('.csv')) return entry;
  const table = file.slice(0, -4);
  const collection = table === 'roles' ? 'users' : table;
  const field = table === 'roles' ? 'roles' : entry.target?.field;
  return { ...entry, target: { pointer: `/${collection}`, ...(field ? { field } : {}) } };
}

export async function* writeRosterJson(
  records: AsyncIterable<LearnerRecord>,
  ctx: ExportContext,
): AsyncGenerator<Buffer> {
  const jsonCtx: ExportContext = { ...ctx, loss: (e) => ctx.loss(jsonTarget(e)) };
  const roster = await buildRoster(records, jsonCtx);
  try {
    const links: Links = { roles: new Map(), scales: new Map() };
    for await (const r of rows(roster, 'roles')) {
      const role = compact({
        roleType: r.roleType,
        role: r.role,
        org: guid('orgs', r.orgSourcedId),
        beginDate: text(r.beginDate),
        endDate: text(r.endDate),
        metadata: metadata(r),
      });
      const list = links.roles.get(r.userSourcedId) ?? [];
      list.push(JSON.stringify(role));
      links.roles.set(r.userSourcedId, list);
    }
    for await (const r of rows(roster, 'lineItemScoreScales'))
      links.scales.set(r.lineItemSourcedId, r.scoreScaleSourcedId);

    let parts: string[] = [];
    let size = 0;
    const flush = (): Buffer => {
      const out = Buffer.from(parts.join(''), 'utf8');
      parts = [];
      size = 0;
      return out;
    };
    parts.push('{');
    for (const [n, file] of COLLECTIONS.entries()) {
      parts.push(`${n > 0 ? ',' : ''}\n"${file}":[`);
      let first = true;
      for await (const row of rows(roster, file)) {
        const json = JSON.stringify(compact(CONVERT[file]!(row, links)));
        parts.push(first ? '\n' : ',\n', json);
        size += json.length;
        first = false;
        if (size >= 65536) yield flush();
      }
      parts.push(first ? ']' : '\n]');
    }
    parts.push('\n}\n');
    yield flush();
  } finally {
    roster.dispose();
  }
}

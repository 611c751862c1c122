// OneRoster 1.2 REST JSON response documents ({"users": [...]}, {"enrollment": {...}}, ...) as the same
// intermediate entities the CSV binding gives, so one mapper serves both.
import { nfc, parseStatus } from './entity-fields';
import { EXT, type OrFile } from './oneroster-1.2.columns';
import type { EntityOf, Origin, OrExtra, OrUserId, RosterSource } from './oneroster-1.2.entities';
import { inputError, OR_ERRORS } from './oneroster-1.2.errors';
import { parseDateLike } from './oneroster-dates';

type Json = Record<string, unknown>;

/** Collection keys of the REST responses (rostering and gradebook services), and their singular forms. */
const COLLECTIONS: Readonly<Record<string, OrFile>> = {
  orgs: 'orgs',
  schools: 'orgs',
  academicSessions: 'academicSessions',
  terms: 'academicSessions',
  gradingPeriods: 'academicSessions',
  courses: 'courses',
  classes: 'classes',
  users: 'users',
  students: 'users',
  teachers: 'users',
  enrollments: 'enrollments',
  demographics: 'demographics',
  categories: 'categories',
  lineItems: 'lineItems',
  results: 'results',
  scoreScales: 'scoreScales',
};
const SINGLES: Readonly<Record<string, OrFile>> = {
  org: 'orgs',
  academicSession: 'academicSessions',
  course: 'courses',
  class: 'classes',
  user: 'users',
  enrollment: 'enrollments',
  category: 'categories',
  lineItem: 'lineItems',
  result: 'results',
  scoreScale: 'scoreScales',
};

/** The top-level keys that make a JSON document a OneRoster response (used by sniff too). */
export const ONEROSTER_JSON_KEYS = [...Object.keys(COLLECTIONS), ...Object.keys(SINGLES)];

interface Item {
  value: Json;
  origin: Origin;
  at: number;
}

/** A set of parsed REST documents. Whole-file parsing: these are response pages of a few MB each. */
export class JsonRosterSource implements RosterSource {
  readonly modes: Map<OrFile, 'bulk'>;
  private readonly items = new Map<OrFile, Item[]>();

  constructor(documents: { file: string; json: unknown }[]) {
    for (const { file, json } of documents) this.add(file, json);
    this.modes = new Map([...this.items.keys()].map((k) => [k, 'bulk']));
    if (this.items.has('users')) this.modes.set('roles', 'bulk');
    if (this.items.has('lineItems')) this.modes.set('lineItemScoreScales', 'bulk');
    if (this.items.has('results')) this.modes.set('resultScoreScales', 'bulk');
  }

  private add(file: string, json: unknown): void {
    if (!isObject(json))
      throw inputError(
        OR_ERRORS.unrecognised,
        `${file} is not a OneRoster response: it is not a JSON object`,
        {
          file,
          pointer: '',
        },
      );
    let found = false;
    for (const [key, value] of Object.entries(json)) {
      const collection = COLLECTIONS[key];
      const single = SINGLES[key];
      if (collection && Array.isArray(value)) {
        found = true;
        const origin = { file, pointer: `/${key}`, fieldPaths: FIELD_PATHS[collection] };
        value.forEach((v, i) =>
          this.push(collection, { value: object(v, file, `/${key}/${i}`), origin, at: i }),
        );
      } else if ((single || collection) && isObject(value)) {
        // Single-object responses: {"user": {...}}; demographics uses the same key for both.
        found = true;
        const kind = single ?? collection;
        const origin = { file, pointer: '', fieldPaths: FIELD_PATHS[kind] };
        this.push(kind, { value, origin: { ...origin, pointer: `/${key}` }, at: -1 });
      }
    }
    if (!found)
      throw inputError(
        OR_ERRORS.unrecognised,
        `${file} has none of the OneRoster collections (users, enrollments, classes, orgs, results, ...)`,
        { file, pointer: '' },
      );
  }

  private push(kind: OrFile, item: Item): void {
    const list = this.items.get(kind) ?? [];
    list.push(item);
    this.items.set(kind, list);
  }

  async *read<K extends OrFile>(file: K): AsyncGenerator<EntityOf[K]> {
    await Promise.resolve();
    if (file === 'roles') {
      for (const item of this.items.get('users') ?? []) yield* userRoles(item) as Iterable<EntityOf[K]>;
      return;
    }
    if (file === 'lineItemScoreScales' || file === 'resultScoreScales') {
      const from = file === 'lineItemScoreScales' ? 'lineItems' : 'results';
      for (const item of this.items.get(from) ?? []) {
        const link = scaleLink(item);
        if (link) yield link as EntityOf[K];
      }
      return;
    }
    const convert = JSON_CONVERTERS[file] as (item: Item) => EntityOf[K];
    for (const item of this.items.get(file) ?? []) yield convert(item);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

// Where the intermediate fields sit inside a REST object, for pointers into the input.
const FIELD_PATHS: Partial<Record<OrFile, Record<string, string>>> = {
  orgs: { parentSourcedId: '/parent/sourcedId' },
  courses: { orgSourcedId: '/org/sourcedId' },
  classes: {
    courseSourcedId: '/course/sourcedId',
    schoolSourcedId: '/school/sourcedId',
    termSourcedIds: '/terms',
  },
  lineItems: {
    classSourcedId: '/class/sourcedId',
    categorySourcedId: '/category/sourcedId',
    academicSessionSourcedId: '/gradingPeriod/sourcedId',
    schoolSourcedId: '/school/sourcedId',
  },
  users: { agentSourcedIds: '/agents', orgSourcedIds: '/orgs', primaryOrgSourcedId: '/primaryOrg/sourcedId' },
  enrollments: {
    userSourcedId: '/user/sourcedId',
    classSourcedId: '/class/sourcedId',
    schoolSourcedId: '/school/sourcedId',
  },
  results: {
    lineItemSourcedId: '/lineItem/sourcedId',
    studentSourcedId: '/student/sourcedId',
    scoreScaleSourcedId: '/scoreScale/sourcedId',
  },
};

function where(item: Item, field?: string): { file: string; pointer: string } {
  const base = `${item.origin.pointer ?? ''}${item.at >= 0 ? `/${item.at}` : ''}`;
  return {
    file: item.origin.file,
    pointer: base + (field ? (item.origin.fieldPaths?.[field] ?? `/${field}`) : ''),
  };
}

/** A scalar as text: strings trimmed, numbers and booleans as written; anything else is absent. */
function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : nfc(value.trim());
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function ref(value: unknown): string | undefined {
  return isObject(value) ? str(value.sourcedId) : str(value);
}

function refs(value: unknown): string[] {
  return Array.isArray(value) ? value.map(ref).filter((v): v is string => v !== undefined) : [];
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(str).filter((v): v is string => v !== undefined) : [];
}

function base(item: Item) {
  const v = item.value;
  const sourcedId = str(v.sourcedId);
  if (!sourcedId)
    throw inputError(
      OR_ERRORS.badValue,
      'every OneRoster object needs a sourcedId',
      where(item, 'sourcedId'),
    );
  const status = parseStatus(str(v.status));
  if (!status)
    throw inputError(OR_ERRORS.badValue, 'status must be active or tobedeleted', where(item, 'status'));
  const modified = str(v.dateLastModified);
  if (modified !== undefined && !parseDateLike(modified))
    throw inputError(
      OR_ERRORS.badDate,
      `dateLastModified "${modified}" is not a date`,
      where(item, 'dateLastModified'),
    );
  return { origin: item.origin, at: item.at, sourcedId, status };
}

function metadataExtras(v: Json, skip: readonly string[] = []): OrExtra[] {
  if (!isObject(v.metadata)) return [];
  return Object.entries(v.metadata)
    .filter(([k]) => !skip.includes(k) && !k.startsWith('ext_portabel_'))
    .map(([k, value]) => ({
      field: `metadata.${k}`,
      value: typeof value === 'string' ? value : JSON.stringify(value),
    }))
    .filter((e) => e.value !== '' && e.value !== undefined);
}

const JSON_CONVERTERS: { [K in OrFile]?: (item: Item) => EntityOf[K] } = {
  orgs: (i) => ({
    ...base(i),
    name: str(i.value.name),
    type: str(i.value.type),
    identifier: str(i.value.identifier),
    parentSourcedId: ref(i.value.parent),
  }),
  academicSessions: (i) => ({
    ...base(i),
    title: str(i.value.title),
    type: str(i.value.type),
    startDate: str(i.value.startDate),
    endDate: str(i.value.endDate),
    schoolYear: str(i.value.schoolYear),
  }),
  courses: (i) => ({
    ...base(i),
    title: str(i.value.title),
    courseCode: str(i.value.courseCode),
    orgSourcedId: ref(i.value.org),
    subjectCodes: strings(i.value.subjectCodes),
  }),
  classes: (i) => ({
    ...base(i),
    title: str(i.value.title),
    classType: str(i.value.classType),
    courseSourcedId: ref(i.value.course),
    schoolSourcedId: ref(i.value.school),
    termSourcedIds: refs(i.value.terms),
  }),
  categories: (i) => ({ ...base(i), title: str(i.value.title) }),
  scoreScales: (i) => ({ ...base(i), title: str(i.value.title), type: str(i.value.type) }),
  lineItems: (i) => {
    const meta = isObject(i.value.metadata) ? i.value.metadata : {};
    return {
      ...base(i),
      title: str(i.value.title),
      classSourcedId: ref(i.value.class),
      categorySourcedId: ref(i.value.category),
      academicSessionSourcedId: ref(i.value.gradingPeriod) ?? ref(i.value.academicSession),
      schoolSourcedId: ref(i.value.school),
      assignDate: str(i.value.assignDate),
      dueDate: str(i.value.dueDate),
      curriculum: str(meta[EXT.curriculum]),
    };
  },
  users: (i) => {
    const v = i.value;
    const userIds: OrUserId[] = Array.isArray(v.userIds)
      ? v.userIds
          .filter(isObject)
          .map((u) => ({ type: str(u.type), identifier: str(u.identifier) ?? '' }))
          .filter((u) => u.identifier !== '')
          .map((u) => (u.type ? u : { identifier: u.identifier }))
      : [];
    return {
      ...base(i),
      role: str(v.role),
      orgSourcedIds: refs(v.orgs),
      enabledUser: str(v.enabledUser),
      username: str(v.username),
      userIds,
      givenName: str(v.givenName),
      familyName: str(v.familyName),
      middleName: str(v.middleName),
      identifier: str(v.identifier),
      email: str(v.email),
      sms: str(v.sms),
      phone: str(v.phone),
      agentSourcedIds: refs(v.agents),
      grades: strings(v.grades),
      primaryOrgSourcedId: ref(v.primaryOrg),
      valueOf: (field: string) =>
        str(v[field]) ?? (isObject(v.metadata) ? str(v.metadata[field]) : undefined),
      extras: [
        ...(
          ['password', 'preferredFirstName', 'preferredMiddleName', 'preferredLastName', 'pronouns'] as const
        )
          .map((field) => ({ field, value: str(v[field]) ?? '' }))
          .filter((e) => e.value !== ''),
        ...metadataExtras(v),
      ],
    };
  },
  enrollments: (i) => ({
    ...base(i),
    classSourcedId: ref(i.value.class) ?? '',
    schoolSourcedId: ref(i.value.school),
    userSourcedId: ref(i.value.user) ?? '',
    role: str(i.value.role) ?? '',
    primary: str(i.value.primary),
    beginDate: str(i.value.beginDate),
    endDate: str(i.value.endDate),
  }),
  demographics: (i) => {
    const dropped = Object.entries(i.value)
      .filter(
        ([k]) => !['sourcedId', 'status', 'dateLastModified', 'metadata', 'birthDate', 'sex'].includes(k),
      )
      .map(([field, value]) => ({ field, value: str(value) ?? '' }))
      .filter((e) => e.value !== '');
    return {
      ...base(i),
      birthDate: str(i.value.birthDate),
      sex: str(i.value.sex),
      extras: [...dropped, ...metadataExtras(i.value)],
    };
  },
  results: (i) => ({
    ...base(i),
    lineItemSourcedId: ref(i.value.lineItem) ?? '',
    studentSourcedId: ref(i.value.student) ?? '',
    scoreStatus: str(i.value.scoreStatus),
    score: str(i.value.score),
    textScore: str(i.value.textScore),
    scoreDate: str(i.value.scoreDate),
    comment: str(i.value.comment),
  }),
};

function* userRoles(item: Item): Generator<EntityOf['roles']> {
  const v = item.value;
  const userSourcedId = str(v.sourcedId) ?? '';
  if (!Array.isArray(v.roles)) return;
  const origin: Origin = {
    file: item.origin.file,
    pointer: `${where(item).pointer}/roles`,
    fieldPaths: { orgSourcedId: '/org/sourcedId' },
  };
  for (const [at, role] of v.roles.entries()) {
    if (!isObject(role)) continue;
    const meta = isObject(role.metadata) ? role.metadata : {};
    yield {
      origin,
      at,
      status: 'active',
      userSourcedId,
      roleType: str(role.roleType),
      role: str(role.role) ?? '',
      beginDate: str(role.beginDate),
      endDate: str(role.endDate),
      orgSourcedId: ref(role.org) ?? '',
      schoolType: str(meta[EXT.schoolType]),
      schoolYear: str(meta[EXT.schoolYear]),
      programmeCode: str(meta[EXT.programmeCode]),
      educationCode: str(meta[EXT.educationCode]),
      cancelled: str(meta[EXT.cancelled]),
    };
  }
}

function scaleLink(item: Item): EntityOf['lineItemScoreScales'] | undefined {
  const scale = ref(item.value.scoreScale);
  if (!scale) return undefined;
  return {
    origin: { ...item.origin, fieldPaths: { scoreScaleSourcedId: '/scoreScale/sourcedId' } },
    at: item.at,
    status: 'active',
    fromSourcedId: str(item.value.sourcedId) ?? '',
    scoreScaleSourcedId: scale,
  };
}

function object(value: unknown, file: string, pointer: string): Json {
  if (!isObject(value)) throw inputError(OR_ERRORS.badValue, 'must be a JSON object', { file, pointer });
  return value;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

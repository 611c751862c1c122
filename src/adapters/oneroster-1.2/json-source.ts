// OneRoster 1.2 REST JSON response documents ({"users": [...]}, {"enrollment": {...}}, ...) as the same
// intermediate entities the CSV binding gives, so one mapper serves both.
import { nfc, parseStatus } from './entity-fields';
import { EXT, type OrFile } from './oneroster-1.2.columns';
import {
  someExtras,
  type EntityOf,
  type Origin,
  type OrExtra,
  type OrUserId,
  type RosterSource,
} from './oneroster-1.2.entities';
import { inputError, OR_ERRORS } from './oneroster-1.2.errors';
import { parseDateLike } from './oneroster-dates';
import {
  jsonPointer,
  JsonStreamError,
  readJsonPieces,
  type ContainerType,
  type JsonPath,
} from '../shared/json-stream';

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

/** The top-level keys that make a JSON document a OneRoster response. */
const ONEROSTER_JSON_KEYS = [...Object.keys(COLLECTIONS), ...Object.keys(SINGLES)];

/**
 * How a document's first bytes look as a OneRoster response, for the two bindings' sniffers:
 * `keyed` when it opens with a OneRoster key and holds sourcedIds, `mentioned` when it only names a
 * collection somewhere beside sourcedIds.
 */
export function rosterJsonLook(head: Buffer): 'keyed' | 'mentioned' | undefined {
  const text = head
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (!text.startsWith('{') || !text.includes('"sourcedId"')) return undefined;
  const key = /^\{\s*"([A-Za-z]+)"\s*:/.exec(text)?.[1];
  if (key && ONEROSTER_JSON_KEYS.includes(key)) return 'keyed';
  return /"(users|enrollments|orgs|classes|lineItems|results)"\s*:/.test(text) ? 'mentioned' : undefined;
}

export interface Item {
  value: Json;
  origin: Origin;
  at: number;
}

/** The files read from the objects of another: roles from users, score scale links from their owners. */
const SOURCE_OF: Partial<Record<OrFile, OrFile>> = {
  roles: 'users',
  lineItemScoreScales: 'lineItems',
  resultScoreScales: 'results',
};

/**
 * The entities of `file` that one REST object gives (`at`: its index in its array, -1 for a single
 * object): one for its own kind, any number of roles for a user, at most one score scale link.
 */
export function entitiesOf<K extends OrFile>(file: K, item: Item): EntityOf[K][] {
  if (file === 'roles') return [...userRoles(item)] as EntityOf[K][];
  if (file === 'lineItemScoreScales' || file === 'resultScoreScales') {
    const link = scaleLink(item);
    return (link ? [link] : []) as EntityOf[K][];
  }
  return [(JSON_CONVERTERS[file] as (item: Item) => EntityOf[K])(item)];
}

/** One REST document whose bytes can be read again: the upload itself, or an entry of its zip. */
export interface JsonDocument {
  file: string;
  /** The document's bytes, all of them or those of [start, end). */
  bytes(range?: { start: number; end: number }): Promise<AsyncIterable<Buffer>>;
}

export interface JsonSourceOptions {
  /** Longest string accepted (the platform option); longer refuses the file (ONEROSTER.FIELD_TOO_LARGE). */
  maxFieldBytes: number;
  /** Largest single object (one user, one result) read whole; default MAX_VALUE_BYTES. */
  maxValueBytes?: number;
}

/** Where one collection's array ({"users": [...]}) or single object ({"user": {...}}) lies in a document. */
interface Span {
  document: JsonDocument;
  kind: OrFile;
  origin: Origin;
  start: number;
  end: number;
  single: boolean;
}

/**
 * REST JSON documents of any size (portabel's own export of a kommun is one document of about 1 GB).
 * Opening reads each document once as it streams and checks all of it: the strict parse (UTF-8, syntax,
 * surrogates, NUL, numbers, depth), objects where objects belong, the field limit. It keeps only where
 * each collection lies in the bytes; read(file) reads those bytes again and hands out their objects one
 * at a time. As with the CSV source, which reads its zip entries again, the entities stay on disk, not on
 * the heap, and a fault of the input is refused before the first item is yielded.
 */
export class JsonRosterSource implements RosterSource {
  private constructor(
    readonly modes: ReadonlyMap<OrFile, 'bulk'>,
    private readonly spans: readonly Span[],
    private readonly maxValueBytes: number | undefined,
    private readonly onClose: () => void,
  ) {}

  /** `onClose`: what closing the source releases (the zip the documents are entries of). */
  static async open(
    documents: readonly JsonDocument[],
    opts: JsonSourceOptions,
    onClose: () => void = () => undefined,
  ): Promise<JsonRosterSource> {
    const spans: Span[] = [];
    for (const document of documents) spans.push(...(await scanDocument(document, opts)));
    const modes = new Map<OrFile, 'bulk'>(spans.map((s) => [s.kind, 'bulk']));
    if (modes.has('users')) modes.set('roles', 'bulk');
    if (modes.has('lineItems')) modes.set('lineItemScoreScales', 'bulk');
    if (modes.has('results')) modes.set('resultScoreScales', 'bulk');
    return new JsonRosterSource(modes, spans, opts.maxValueBytes, onClose);
  }

  async *batches<K extends OrFile>(file: K): AsyncGenerator<EntityOf[K][]> {
    for await (const items of this.items(SOURCE_OF[file] ?? file)) {
      const entities: EntityOf[K][] = [];
      try {
        for (const item of items) for (const entity of entitiesOf(file, item)) entities.push(entity);
      } catch (error) {
        // The objects before a bad one go first, as they would one by one.
        if (entities.length > 0) yield entities;
        throw error;
      }
      if (entities.length > 0) yield entities;
    }
  }

  close(): Promise<void> {
    this.onClose();
    return Promise.resolve();
  }

  /** The objects of one kind, in the order of the documents and of their collections, as read. */
  private async *items(kind: OrFile): AsyncGenerator<Item[]> {
    for (const span of this.spans) {
      if (span.kind !== kind) continue;
      const { file } = span.document;
      // The span is an array whose elements are handed out, or one object handed out whole.
      const walk = span.single ? () => false : (path: JsonPath) => path.length === 0;
      try {
        const bytes = await span.document.bytes(span);
        for await (const pieces of readJsonPieces(bytes, { walk, maxValueBytes: this.maxValueBytes })) {
          const items: Item[] = [];
          for (const piece of pieces)
            if (piece.kind === 'value')
              items.push({
                value: piece.value as Json,
                origin: span.origin,
                at: span.single ? -1 : (piece.key as number),
              });
          if (items.length > 0) yield items;
        }
      } catch (error) {
        throw jsonInputError(error, file);
      }
    }
  }
}

/** Reads a document through once: checks all of it and finds its collections. */
async function scanDocument(document: JsonDocument, opts: JsonSourceOptions): Promise<Span[]> {
  const { file } = document;
  const spans: Span[] = [];
  let found = false;
  let array: { kind: OrFile; key: string; start: number; count: number } | undefined;
  // The root object and the arrays of its members are walked: their elements come one at a time.
  const walk = (path: JsonPath, type: ContainerType) =>
    path.length === 0 || (path.length === 1 && type === 'array');
  try {
    const bytes = await document.bytes();
    for await (const pieces of readJsonPieces(bytes, { walk, maxValueBytes: opts.maxValueBytes })) {
      for (const piece of pieces) {
        if (piece.kind === 'open') {
          if (piece.path.length === 0) {
            if (piece.type !== 'object') throw notAResponse(file);
            continue;
          }
          const key = piece.path[0] as string;
          const kind = own(COLLECTIONS, key);
          if (kind) {
            found = true;
            array = { kind, key, start: piece.start, count: 0 };
          }
        } else if (piece.kind === 'close') {
          if (array && piece.path.length === 1) {
            if (array.count > 0)
              spans.push({
                document,
                kind: array.kind,
                origin: { file, pointer: `/${array.key}`, fieldPaths: FIELD_PATHS[array.kind] },
                start: array.start,
                end: piece.end,
                single: false,
              });
            array = undefined;
          }
        } else {
          if (piece.key === undefined) throw notAResponse(file);
          const pointer = jsonPointer(piece.parent, piece.key);
          // No string can be longer than the value's bytes.
          if (piece.end - piece.start > opts.maxFieldBytes) {
            const long = longString(piece.value, pointer, opts.maxFieldBytes);
            if (long !== undefined)
              throw inputError(
                OR_ERRORS.fieldTooLarge,
                `${file}: a string is larger than ${opts.maxFieldBytes} bytes`,
                { file, pointer: long },
              );
          }
          if (piece.parent.length === 1) {
            if (array) {
              object(piece.value, file, pointer);
              array.count++;
            }
            continue;
          }
          // Single-object responses: {"user": {...}}; demographics uses the same key for both.
          const kind = own(SINGLES, piece.key) ?? own(COLLECTIONS, piece.key);
          if (kind && isObject(piece.value)) {
            found = true;
            spans.push({
              document,
              kind,
              origin: { file, pointer, fieldPaths: FIELD_PATHS[kind] },
              start: piece.start,
              end: piece.end,
              single: true,
            });
          }
        }
      }
    }
  } catch (error) {
    throw jsonInputError(error, file);
  }
  if (!found)
    throw inputError(
      OR_ERRORS.unrecognised,
      `${file} has none of the OneRoster collections (users, enrollments, classes, orgs, results, ...)`,
      { file, pointer: '' },
    );
  return spans;
}

/** A key's entry of a table, never one of Object.prototype's ("constructor" is a key like any other). */
function own<T>(table: Readonly<Record<string, T>>, key: string | number): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

function notAResponse(file: string): Error {
  return inputError(OR_ERRORS.unrecognised, `${file} is not a OneRoster response: it is not a JSON object`, {
    file,
    pointer: '',
  });
}

/** A fault the JSON reader found, as this adapter's refusal (its codes, the file, the place). */
export function jsonInputError(error: unknown, file: string): unknown {
  if (!(error instanceof JsonStreamError)) return error;
  const { line, column, pointer } = error.place;
  const where = {
    file,
    ...(line !== undefined ? { line } : {}),
    ...(column !== undefined ? { column } : {}),
    ...(pointer !== undefined ? { pointer } : {}),
  };
  const at = line !== undefined ? ` at line ${line}, column ${column}` : ` at ${pointer || '/'}`;
  switch (error.fault) {
    case 'ENCODING':
      return inputError(
        OR_ERRORS.encoding,
        error.flag === 'utf16'
          ? `${file} is UTF-16: re-export as UTF-8`
          : `${file} is not UTF-8 (the bytes${at} are not): re-export as UTF-8`,
        where,
      );
    case 'TOO_LARGE':
      return inputError(
        OR_ERRORS.tooLarge,
        `${file}: the value${at} (${pointer}) is larger than any OneRoster object: ${error.detail}`,
        where,
      );
    default:
      return inputError(OR_ERRORS.badJson, `${file} is not valid JSON${at}: ${error.detail}`, where);
  }
}

function longString(value: unknown, pointer: string, max: number): string | undefined {
  if (typeof value === 'string') return value.length > max ? pointer : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = longString(value[i], `${pointer}/${i}`, max);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object')
    for (const [key, child] of Object.entries(value)) {
      const found = longString(child, pointer + jsonPointer([], key), max);
      if (found !== undefined) return found;
    }
  return undefined;
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
    ...someExtras(metadataExtras(i.value)),
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
    ...someExtras(metadataExtras(i.value)),
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
      ...someExtras(metadataExtras(role)),
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

import type { FieldError } from '../../common/problem/domain-error';
import { AdapterInputError } from '../adapter-input.errors';
import type { InputDocument } from './ss12000-input.reader';

export type Obj = Record<string, unknown>;

export type EntityKind =
  | 'person'
  | 'organisation'
  | 'group'
  | 'placement'
  | 'grade'
  | 'aggregatedAttendance'
  | 'activity'
  | 'syllabus'
  | 'programme'
  | 'duty';

/** An entity with where it is in the input: file (a zip entry, or the file's name) and JSON pointer. */
export interface Located {
  value: Obj;
  file?: string;
  pointer: string;
}

/** SS 12000 collection names (API paths, bundle keys, file names) and the entity each holds. */
const COLLECTIONS: Readonly<Record<string, EntityKind>> = {
  persons: 'person',
  organisations: 'organisation',
  groups: 'group',
  studentgroups: 'group',
  placements: 'placement',
  grades: 'grade',
  aggregatedattendance: 'aggregatedAttendance',
  aggregatedattendances: 'aggregatedAttendance',
  activities: 'activity',
  syllabuses: 'syllabus',
  programmes: 'programme',
  duties: 'duty',
};

/** Other SS 12000 collections: recognised, and not part of a learner record. */
const IGNORED_COLLECTIONS = new Set([
  'absences', 'attendances', 'attendanceevents', 'attendanceschedules', 'calendarevents', 'resources', 'rooms',
  'schoolunitofferings', 'studyplans', 'leaveofabsences', 'schoolunitgroups', 'subscriptions', 'meta',
]); // prettier-ignore

/** A table's own entry: a key such as "constructor" must not find Object's. */
const ownKind = (table: Readonly<Record<string, EntityKind>>, key: string): EntityKind | undefined =>
  Object.hasOwn(table, key) ? table[key] : undefined;

/** One entity per file, named after it: person.json, group.json. */
const SINGULAR: Readonly<Record<string, EntityKind>> = {
  person: 'person',
  organisation: 'organisation',
  group: 'group',
  placement: 'placement',
  grade: 'grade',
  activity: 'activity',
  syllabus: 'syllabus',
  programme: 'programme',
  duty: 'duty',
};

const MAX_ERRORS = 50;
const MAX_ID_LENGTH = 200;

/** References each entity may hold (dotted paths; `[]` walks an array); `!` marks the required ones. */
const REFERENCES: Readonly<Record<EntityKind, readonly string[]>> = {
  person: ['enrolments[].enroledAt', 'enrolments[].programme', 'responsibles[]'],
  organisation: ['parentOrganisation'],
  group: ['organisation', 'groupMemberships[].person!'],
  placement: ['placedAt', 'child!', 'group', 'studentGroup', 'owners[]'],
  grade: [
    'student!',
    'organisation',
    'schoolUnit',
    'syllabus',
    'gradingTeacher',
    'registeredBy',
    'group',
    'studentGroup',
  ],
  aggregatedAttendance: ['student!', 'activity'],
  activity: ['organisation', 'groups[]', 'teachers[].duty', 'parentActivity'],
  syllabus: [],
  programme: ['parentProgramme'],
  duty: ['person', 'dutyAt'],
};

const ARRAYS: Readonly<Partial<Record<EntityKind, readonly string[]>>> = {
  person: [
    'enrolments',
    'responsibles',
    'emails',
    'phoneNumbers',
    'addresses',
    'externalIdentifiers',
    'eduPersonPrincipalNames',
  ],
  group: ['groupMemberships'],
};

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const escape = (key: string | number): string => String(key).replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Every entity of the input, by kind and id, checked for what joining needs: objects where objects
 * belong, string ids, well-formed references, no id twice with different content. What a single
 * pupil's fields get wrong is left to the mapping, which rejects only that pupil.
 */
export class EntityIndex {
  readonly entities = new Map<EntityKind, Map<string, Located>>();
  readonly deletedPersons: { id: string; file?: string; pointer: string }[] = [];
  private readonly errors: FieldError[] = [];
  private code = '';
  private anonymous = 0;

  of(kind: EntityKind): Map<string, Located> {
    let map = this.entities.get(kind);
    if (!map) this.entities.set(kind, (map = new Map()));
    return map;
  }

  get(kind: EntityKind, id: unknown): Located | undefined {
    return typeof id === 'string' ? this.entities.get(kind)?.get(id) : undefined;
  }

  /** Adds one parsed document: an entity, a page `{ data, pageToken }`, deletedEntities, or a bundle. */
  addDocument(doc: InputDocument): void {
    const { file, value } = doc;
    const hint = file ? kindOfFileName(file) : undefined;
    if (Array.isArray(value)) {
      value.forEach((item, i) => this.addEntity(hint?.kind ?? guessKind(item), item, file, `/${i}`));
    } else if (isObj(value) && isObj(value.data)) {
      this.addDeletions(value.data, file, '/data');
    } else if (isObj(value) && Array.isArray(value.data)) {
      value.data.forEach((item, i) =>
        this.addEntity(hint?.kind ?? guessKind(item), item, file, `/data/${i}`),
      );
    } else if (
      isObj(value) &&
      !('id' in value) &&
      Object.keys(value).some(
        (k) => ownKind(COLLECTIONS, k.toLowerCase()) !== undefined || k === 'deletedEntities',
      )
    ) {
      this.addBundle(value, file);
    } else {
      this.addEntity(hint?.kind ?? guessKind(value), value, file, '');
    }
  }

  /** Throws what the documents got wrong, all of it at once; called when every document is in. */
  finish(): void {
    if (this.errors.length === 0) return;
    const detail =
      this.errors.length === 1
        ? this.errors[0].detail
        : `${this.errors.length} problems in the SS 12000 input.`;
    throw new AdapterInputError(this.code, detail, this.errors);
  }

  private addBundle(bundle: Obj, file: string | undefined): void {
    for (const [key, member] of Object.entries(bundle)) {
      const at = `/${escape(key)}`;
      const name = key.toLowerCase();
      if (key === 'deletedEntities') {
        if (isObj(member) && isObj(member.data)) this.addDeletions(member.data, file, `${at}/data`);
        else
          this.fail(
            'SS12000.MALFORMED_ENTITY',
            file,
            at,
            'must be a deletedEntities answer { "data": { ... } }',
          );
        continue;
      }
      const kind = ownKind(COLLECTIONS, name);
      if (!kind) {
        if (!IGNORED_COLLECTIONS.has(name))
          this.fail('SS12000.UNRECOGNISED', file, at, `is not an SS 12000 collection`);
        continue;
      }
      const items = Array.isArray(member)
        ? member
        : isObj(member) && Array.isArray(member.data)
          ? member.data
          : undefined;
      const itemsAt = Array.isArray(member) ? at : `${at}/data`;
      if (!items) {
        this.fail('SS12000.MALFORMED_ENTITY', file, at, 'must be an array or a page { "data": [...] }');
        continue;
      }
      items.forEach((item, i) => this.addEntity(kind, item, file, `${itemsAt}/${i}`));
    }
  }

  private addDeletions(data: Obj, file: string | undefined, at: string): void {
    for (const [key, ids] of Object.entries(data)) {
      const where = `${at}/${escape(key)}`;
      if (!Array.isArray(ids)) {
        this.fail('SS12000.MALFORMED_ENTITY', file, where, 'must be an array of ids');
        continue;
      }
      ids.forEach((id, i) => {
        if (typeof id !== 'string' || id === '')
          this.fail('SS12000.MALFORMED_ENTITY', file, `${where}/${i}`, 'must be an id');
        else if (key === 'persons' || key === 'Person')
          this.deletedPersons.push({ id, ...(file !== undefined ? { file } : {}), pointer: `${where}/${i}` });
      });
    }
  }

  private addEntity(
    kind: EntityKind | undefined,
    value: unknown,
    file: string | undefined,
    pointer: string,
  ): void {
    if (!isObj(value)) {
      this.fail('SS12000.MALFORMED_ENTITY', file, pointer, 'must be an object (an SS 12000 entity)');
      return;
    }
    if (!kind) {
      this.fail(
        'SS12000.UNRECOGNISED',
        file,
        pointer,
        'is not an SS 12000 entity portabel knows (Person, Organisation, Group, Placement, Grade, AggregatedAttendance, Activity, Syllabus, Programme, Duty)',
      );
      return;
    }
    const before = this.errors.length;
    const id = value.id;
    const idOptional = kind === 'aggregatedAttendance' && id === undefined;
    if (!idOptional && (typeof id !== 'string' || id.trim() === '' || id.length > MAX_ID_LENGTH))
      this.fail(
        'SS12000.MALFORMED_ENTITY',
        file,
        `${pointer}/id`,
        `must be a non-empty string of at most ${MAX_ID_LENGTH} characters`,
      );
    for (const field of ARRAYS[kind] ?? []) {
      if (value[field] !== undefined && !Array.isArray(value[field]))
        this.fail('SS12000.MALFORMED_ENTITY', file, `${pointer}/${field}`, 'must be an array');
    }
    for (const path of REFERENCES[kind]) this.checkReference(value, path, file, pointer);
    if (this.errors.length > before) return;

    const key = typeof id === 'string' ? id : `#${this.anonymous++}`;
    const entities = this.of(kind);
    const earlier = entities.get(key);
    if (!earlier) {
      entities.set(key, { value, ...(file !== undefined ? { file } : {}), pointer });
    } else if (JSON.stringify(earlier.value) !== JSON.stringify(value)) {
      const where = `${earlier.file ? `${earlier.file} ` : ''}${earlier.pointer || '/'}`;
      this.fail(
        'SS12000.DUPLICATE_ID',
        file,
        `${pointer}/id`,
        `the ${kind} ${key} is also at ${where}, with other content`,
      );
    }
  }

  private checkReference(entity: Obj, path: string, file: string | undefined, pointer: string): void {
    const required = path.endsWith('!');
    const [head, ...rest] = path.replace(/!$/, '').split('.');
    if (head.endsWith('[]')) {
      const field = head.slice(0, -2);
      const items = entity[field];
      if (!Array.isArray(items)) return;
      items.forEach((item, i) => {
        const at = `${pointer}/${field}/${i}`;
        if (!isObj(item)) this.fail('SS12000.MALFORMED_ENTITY', file, at, 'must be an object');
        else if (rest.length > 0)
          this.checkReference(item, `${rest.join('.')}${required ? '!' : ''}`, file, at);
        else if (field !== 'responsibles') this.checkRef(item, file, at);
        // SS 12000 v2.1 refers to a responsible as { person: { id } }; earlier drafts as { id }.
        else if (isObj(item.person)) this.checkRef(item.person, file, `${at}/person`);
        else this.checkRef(item, file, at);
      });
      return;
    }
    const value = entity[head];
    const at = `${pointer}/${head}`;
    if (value === undefined || value === null) {
      if (required) this.fail('SS12000.MALFORMED_ENTITY', file, at, 'is required: a reference { "id": ... }');
      return;
    }
    // Some SS 12000 drafts give placedAt as a bare id.
    if (head === 'placedAt' && typeof value === 'string') return;
    if (!isObj(value)) this.fail('SS12000.MALFORMED_ENTITY', file, at, 'must be a reference { "id": ... }');
    else this.checkRef(value, file, at);
  }

  private checkRef(ref: Obj, file: string | undefined, at: string): void {
    if (typeof ref.id !== 'string' || ref.id === '' || ref.id.length > MAX_ID_LENGTH)
      this.fail('SS12000.MALFORMED_ENTITY', file, `${at}/id`, 'must be a non-empty string id');
  }

  private fail(code: string, file: string | undefined, pointer: string, detail: string): void {
    if (this.errors.length === 0) this.code = code;
    if (this.errors.length < MAX_ERRORS)
      this.errors.push({ ...(file !== undefined ? { file } : {}), pointer, detail });
  }
}

/** The collection a file name says it holds: persons.json, grades_2.json, ss12000/groups-page3.json. */
export function kindOfFileName(file: string): { kind: EntityKind } | undefined {
  const stem = (file.split('/').pop() ?? file)
    .replace(/\.json$/i, '')
    .replace(/[-_ ]?(page)?[-_ ]?[0-9]*$/i, '')
    .toLowerCase();
  const kind = ownKind(COLLECTIONS, stem) ?? ownKind(SINGULAR, stem);
  return kind ? { kind } : undefined;
}

/** Which entity an object is, by the fields only that entity has. */
export function guessKind(value: unknown): EntityKind | undefined {
  if (!isObj(value)) return undefined;
  const has = (...keys: string[]) => keys.some((k) => k in value);
  if (has('gradeValue')) return 'grade';
  if (has('attendanceSum', 'validAbsenceSum', 'invalidAbsenceSum', 'offeredSum'))
    return 'aggregatedAttendance';
  if (has('groupType', 'groupMemberships')) return 'group';
  if (has('activityType', 'teachers', 'parentActivity')) return 'activity';
  if (has('placedAt', 'child')) return 'placement';
  if (has('dutyRole', 'dutyAt')) return 'duty';
  if (has('givenName', 'familyName', 'civicNo', 'enrolments', 'eduPersonPrincipalNames')) return 'person';
  if (has('organisationType', 'schoolUnitCode', 'parentOrganisation', 'municipalityCode'))
    return 'organisation';
  if (has('subjectCode', 'courseCode')) return 'syllabus';
  if (has('code') && has('name')) return 'programme';
  return undefined;
}

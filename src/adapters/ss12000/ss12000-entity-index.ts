import { createHash } from 'node:crypto';
import type { FieldError } from '../../common/problem/domain-error';
import { AdapterInputError } from '../adapter-input.errors';
import { HashedSlots, NumberColumn } from '../shared/number-columns';
import { SpillFile, type SpillPlace } from '../shared/spill-file';
import type { InputPart } from './ss12000-input.reader';

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

/** A reference path taken apart once: `enrolments[].enroledAt` is { enrolments, each, rest: enroledAt }. */
interface ReferencePath {
  field: string;
  /** An array whose every item holds the rest of the path (or is the reference). */
  each: boolean;
  required: boolean;
  rest?: ReferencePath;
}

function referencePath(path: string): ReferencePath {
  const required = path.endsWith('!');
  const [head, ...rest] = path.replace(/!$/, '').split('.');
  const each = head.endsWith('[]');
  return {
    field: each ? head.slice(0, -2) : head,
    each,
    required,
    ...(rest.length > 0 ? { rest: referencePath(`${rest.join('.')}${required ? '!' : ''}`) } : {}),
  };
}

const REFERENCE_PATHS = Object.fromEntries(
  Object.entries(REFERENCES).map(([kind, paths]) => [kind, paths.map(referencePath)]),
) as unknown as Readonly<Record<EntityKind, readonly ReferencePath[]>>;

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

/** The kind a bundle member or collection name holds; 'ignored' for one that is no part of a record. */
export function collectionKind(name: string): EntityKind | 'ignored' | undefined {
  const lower = name.toLowerCase();
  return ownKind(COLLECTIONS, lower) ?? (IGNORED_COLLECTIONS.has(lower) ? 'ignored' : undefined);
}

/**
 * The kinds a kommun has by the hundred thousand (a pupil has some twenty grades), kept in a spill file
 * rather than on the heap: a whole kommun's input never sits in memory. The others are a few thousand
 * at most (school units, groups, syllabuses) and are looked up all the time.
 */
export type SpilledKind = 'person' | 'placement' | 'grade' | 'aggregatedAttendance';
export type HeldKind = Exclude<EntityKind, SpilledKind>;
const SPILLED: Readonly<Record<SpilledKind, true>> = {
  person: true,
  placement: true,
  grade: true,
  aggregatedAttendance: true,
};
const isSpilled = (kind: EntityKind): kind is SpilledKind => Object.hasOwn(SPILLED, kind);

/** A bundle member that is a bare array of a spilled kind: no entity has an array field of that name. */
export const isBulkyCollection = (name: string): boolean => {
  const kind = ownKind(COLLECTIONS, name.toLowerCase());
  return kind !== undefined && isSpilled(kind);
};

/** Each pupil's own entities of a spilled kind, and the field that names the pupil. */
export type OwnedKind = Exclude<SpilledKind, 'person'>;
const OWNER_FIELD: Readonly<Record<OwnedKind, string>> = {
  placement: 'child',
  grade: 'student',
  aggregatedAttendance: 'student',
};

/** An array of a document (or a single entity's file), where spilled entities are. */
interface ArrayPlace {
  file?: string;
  at: string;
}

/**
 * Spilled items, a slot each, in parallel columns of numbers: where in the spill file, the index in the
 * input's array (-1 for a single entity), and the slots of each pupil they belong to.
 */
class SpilledSlots {
  readonly at = new NumberColumn(Float64Array);
  readonly bytes = new NumberColumn(Int32Array);
  readonly indexes = new NumberColumn(Int32Array);
  readonly byOwner = new Map<string, number[]>();

  get count(): number {
    return this.at.length;
  }

  place(slot: number): SpillPlace {
    return { at: this.at.get(slot), bytes: this.bytes.get(slot) };
  }

  /** A new slot for text spilled at `place`; `owner` is the pupil it belongs to, if any. */
  add(place: SpillPlace, index: number, owner?: string): number {
    const slot = this.count;
    this.at.push(place.at);
    this.bytes.push(place.bytes);
    this.indexes.push(index);
    if (owner !== undefined) {
      const owned = this.byOwner.get(owner);
      if (owned) owned.push(slot);
      else this.byOwner.set(owner, [slot]);
    }
    return slot;
  }

  ownedBy(owner: string): readonly number[] {
    return this.byOwner.get(owner) ?? [];
  }
}

/** The spilled entities of one kind, with the array of the input each is in. */
class SpilledEntities extends SpilledSlots {
  /** Persons' slots by id: the join looks persons up by id. */
  readonly slots = new Map<string, number>();
  /**
   * The other kinds' slots by a hash of the id, only to find an id seen twice (checked against the
   * spilled entity): the ids of half a million grades would take a third of a conversion's heap.
   */
  readonly hashed = new HashedSlots();
  readonly arrays = new NumberColumn(Int32Array);
}

/** A group membership, as the join hands it to the mapping. */
export interface Membership {
  group: Located;
  membership: Obj;
  index: number;
}

/**
 * Groups' memberships, spilled: a kommun's groups are a few thousand, their memberships a few per pupil.
 * The groups stay in memory without them; each membership is kept with its group and its index there.
 */
class SpilledMemberships extends SpilledSlots {
  readonly groups: Located[] = [];
}

/** FNV-1a over the UTF-16 code units: a hash to find an id seen twice, not to trust. */
function idHash(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  return hash;
}

/**
 * Every entity of the input, by kind and id, checked for what joining needs: objects where objects
 * belong, string ids, well-formed references, no id twice with different content. What a single
 * pupil's fields get wrong is left to the mapping, which rejects only that pupil. Entities of the
 * bulky kinds go to a spill file as they come; call `dispose` when done.
 */
export class EntityIndex {
  private readonly held = new Map<HeldKind, Map<string, Located>>();
  /** Digests of the groups as they came, memberships and all, to find one id with two contents. */
  private readonly groupDigests = new Map<string, string>();
  private readonly memberships = new SpilledMemberships();
  private readonly spilled = new Map<SpilledKind, SpilledEntities>();
  private readonly spill = new SpillFile();
  private readonly arrayPlaces: ArrayPlace[] = [];
  private readonly arrayIndex = new Map<string, number>();
  readonly deletedPersons: { id: string; file?: string; pointer: string }[] = [];
  private readonly errors: FieldError[] = [];
  private code = '';
  private anonymous = 0;
  private hint: { file: string | undefined; kind: EntityKind | undefined } = {
    file: undefined,
    kind: undefined,
  };

  /** The held entities of a kind (organisations, groups ...). */
  of(kind: HeldKind): Map<string, Located> {
    let map = this.held.get(kind);
    if (!map) this.held.set(kind, (map = new Map()));
    return map;
  }

  get(kind: EntityKind, id: unknown): Located | undefined {
    if (typeof id !== 'string') return undefined;
    if (!isSpilled(kind)) return this.held.get(kind)?.get(id);
    const entities = this.spilled.get(kind);
    const slot = entities?.slots.get(id);
    return slot === undefined ? undefined : this.located(entities!, [slot])[0];
  }

  /** The ids of the persons, in the order the input gives them. */
  personIds(): IterableIterator<string> {
    return this.spilledOf('person').slots.keys();
  }

  hasPerson(id: string): boolean {
    return this.spilledOf('person').slots.has(id);
  }

  get personCount(): number {
    return this.spilledOf('person').slots.size;
  }

  /** The ids of the persons placements, grades or attendance (`kind`) belong to. */
  owners(kind: OwnedKind): IterableIterator<string> {
    return this.spilledOf(kind).byOwner.keys();
  }

  /** A pupil's placements, grades or attendance, in the order of the input. */
  owned(kind: OwnedKind, personId: string): Located[] {
    const entities = this.spilledOf(kind);
    return this.located(entities, entities.ownedBy(personId));
  }

  /** Where the input's placements, grades or attendance (`kind`) refer to this person. */
  ownerReferences(kind: OwnedKind, personId: string): { file?: string; pointer: string }[] {
    const entities = this.spilledOf(kind);
    return entities.ownedBy(personId).map((slot) => {
      const where = this.whereOfSlot(entities, slot);
      return { ...where, pointer: `${where.pointer}/${OWNER_FIELD[kind]}/id` };
    });
  }

  /** The ids of the persons groups have as members. */
  members(): IterableIterator<string> {
    return this.memberships.byOwner.keys();
  }

  /** A pupil's group memberships, in the order of the input. */
  membershipsOf(personId: string): Membership[] {
    const m = this.memberships;
    const slots = m.ownedBy(personId);
    const texts = this.spill.readMany(slots.map((slot) => m.place(slot)));
    return slots.map((slot, i) => ({
      group: m.groups[slot],
      membership: JSON.parse(texts[i]) as Obj,
      index: m.indexes.get(slot),
    }));
  }

  /** Where groups name this person as a member. */
  memberReferences(personId: string): { file?: string; pointer: string }[] {
    const m = this.memberships;
    return m.ownedBy(personId).map((slot) => ({
      ...(m.groups[slot].file !== undefined ? { file: m.groups[slot].file } : {}),
      pointer: `${m.groups[slot].pointer}/groupMemberships/${m.indexes.get(slot)}/person/id`,
    }));
  }

  /** Removes the spill file. */
  dispose(): void {
    this.spill.dispose();
  }

  /** Adds a part of a document as it is read (see readInputParts). */
  add(part: InputPart): void {
    if (part.kind === 'document') return this.addDocument(part.file, part.value, part.bundleItems);
    const { file, collection, arrayAt, index, value } = part;
    let kind: EntityKind | undefined;
    if (collection !== undefined) {
      const named = collectionKind(collection);
      if (named === 'ignored') return;
      kind = named;
    } else kind = this.kindOfFile(file) ?? guessKind(value);
    this.addEntity(kind, value, file, arrayAt, index);
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

  /**
   * A document's rest, once its collections' items are in: an entity, a page `{ data, pageToken }`,
   * deletedEntities, a bundle, or (their items all read already) a root array.
   */
  private addDocument(file: string | undefined, value: unknown, bundleItems: number): void {
    const hint = this.kindOfFile(file);
    const isBundle =
      isObj(value) &&
      !('id' in value) &&
      Object.keys(value).some((k) => collectionKind(k) !== undefined || k === 'deletedEntities');
    if (bundleItems > 0 && !(isBundle && !Array.isArray(value.data))) {
      this.fail(
        'SS12000.MALFORMED_ENTITY',
        file,
        '',
        'holds SS 12000 collections but is not a bundle of them (it has an "id" or a "data")',
      );
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => this.addEntity(hint ?? guessKind(item), item, file, '', i));
    } else if (isObj(value) && isObj(value.data)) {
      this.addDeletions(value.data, file, '/data');
    } else if (isObj(value) && Array.isArray(value.data)) {
      value.data.forEach((item, i) => this.addEntity(hint ?? guessKind(item), item, file, '/data', i));
    } else if (isBundle) {
      this.addBundle(value, file);
    } else {
      this.addEntity(hint ?? guessKind(value), value, file, '');
    }
  }

  private kindOfFile(file: string | undefined): EntityKind | undefined {
    if (file !== this.hint.file) this.hint = { file, kind: file ? kindOfFileName(file)?.kind : undefined };
    return this.hint.kind;
  }

  private addBundle(bundle: Obj, file: string | undefined): void {
    for (const [key, member] of Object.entries(bundle)) {
      const at = `/${escape(key)}`;
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
      const kind = collectionKind(key);
      if (kind === 'ignored') continue;
      if (!kind) {
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
      items.forEach((item, i) => this.addEntity(kind, item, file, itemsAt, i));
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

  /** An entity at `arrayAt`/`index` of the file, or at `arrayAt` itself when it has no index. */
  private addEntity(
    kind: EntityKind | undefined,
    value: unknown,
    file: string | undefined,
    arrayAt: string,
    index?: number,
  ): void {
    const pointer = index === undefined ? arrayAt : `${arrayAt}/${index}`;
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
    for (const ref of REFERENCE_PATHS[kind]) this.checkReference(value, ref, file, pointer);
    if (this.errors.length > before) return;

    const key = typeof id === 'string' ? id : `#${this.anonymous++}`;
    const earlier = isSpilled(kind)
      ? this.spillEntity(kind, key, value, file, arrayAt, index)
      : kind === 'group'
        ? this.holdGroup(key, { value, ...(file !== undefined ? { file } : {}), pointer })
        : this.holdEntity(kind, key, { value, ...(file !== undefined ? { file } : {}), pointer });
    if (earlier) {
      const where = `${earlier.file ? `${earlier.file} ` : ''}${earlier.pointer || '/'}`;
      this.fail(
        'SS12000.DUPLICATE_ID',
        file,
        `${pointer}/id`,
        `the ${kind} ${key} is also at ${where}, with other content`,
      );
    }
  }

  /** Keeps the entity; an earlier one of the same id and other content is returned. */
  private holdEntity(kind: HeldKind, key: string, entity: Located): Located | undefined {
    const entities = this.of(kind);
    const earlier = entities.get(key);
    if (!earlier) entities.set(key, entity);
    else if (JSON.stringify(earlier.value) !== JSON.stringify(entity.value)) return earlier;
    return undefined;
  }

  /** Holds the group without its memberships, which are spilled; as holdEntity otherwise. */
  private holdGroup(key: string, entity: Located): Located | undefined {
    const { groupMemberships, ...group } = entity.value;
    const digest = createHash('sha1').update(JSON.stringify(entity.value)).digest('base64');
    const groups = this.of('group');
    const earlier = groups.get(key);
    if (earlier) return this.groupDigests.get(key) === digest ? undefined : earlier;
    const held = { ...entity, value: group };
    groups.set(key, held);
    this.groupDigests.set(key, digest);
    const m = this.memberships;
    ((groupMemberships as Obj[] | undefined) ?? []).forEach((membership, j) => {
      const owner = (membership.person as Obj).id as string; // checked: a required reference
      m.add(this.spill.append(JSON.stringify(membership)), j, owner);
      m.groups.push(held);
    });
    return undefined;
  }

  /** Spills the entity; an earlier one of the same id and other content is returned. */
  private spillEntity(
    kind: SpilledKind,
    key: string,
    value: Obj,
    file: string | undefined,
    arrayAt: string,
    index: number | undefined,
  ): Located | undefined {
    const entities = this.spilledOf(kind);
    const json = JSON.stringify(value);
    const anonymous = typeof value.id !== 'string';
    const hash = kind === 'person' || anonymous ? 0 : idHash(key);
    const earlier =
      kind === 'person'
        ? entities.slots.get(key)
        : anonymous
          ? undefined
          : entities.hashed.candidates(hash).find((slot) => {
              const text = this.spill.read(entities.place(slot));
              return text === json || (JSON.parse(text) as Obj).id === key;
            });
    if (earlier !== undefined) {
      if (this.spill.read(entities.place(earlier)) === json) return undefined;
      return this.whereOfSlot(entities, earlier) as Located;
    }
    // Checked above: the owner is a required reference.
    const owner = kind === 'person' ? undefined : ((value[OWNER_FIELD[kind]] as Obj).id as string);
    const slot = entities.add(this.spill.append(json), index ?? -1, owner);
    entities.arrays.push(this.arrayOf(file, arrayAt));
    if (kind === 'person') entities.slots.set(key, slot);
    else if (!anonymous) entities.hashed.add(hash, slot);
    return undefined;
  }

  private spilledOf(kind: SpilledKind): SpilledEntities {
    let entities = this.spilled.get(kind);
    if (!entities) this.spilled.set(kind, (entities = new SpilledEntities()));
    return entities;
  }

  private arrayOf(file: string | undefined, at: string): number {
    const key = `${file ?? ''}\u0000${at}`;
    let n = this.arrayIndex.get(key);
    if (n === undefined) {
      n = this.arrayPlaces.length;
      this.arrayPlaces.push({ ...(file !== undefined ? { file } : {}), at });
      this.arrayIndex.set(key, n);
    }
    return n;
  }

  private whereOfSlot(entities: SpilledEntities, slot: number): { file?: string; pointer: string } {
    const array = this.arrayPlaces[entities.arrays.get(slot)];
    const index = entities.indexes.get(slot);
    return {
      ...(array.file !== undefined ? { file: array.file } : {}),
      pointer: index < 0 ? array.at : `${array.at}/${index}`,
    };
  }

  private located(entities: SpilledEntities, slots: readonly number[]): Located[] {
    const texts = this.spill.readMany(slots.map((slot) => entities.place(slot)));
    return slots.map((slot, i) => ({
      value: JSON.parse(texts[i]) as Obj,
      ...this.whereOfSlot(entities, slot),
    }));
  }

  private checkReference(entity: Obj, ref: ReferencePath, file: string | undefined, pointer: string): void {
    const { field, each, required, rest } = ref;
    if (each) {
      const items = entity[field];
      if (!Array.isArray(items)) return;
      items.forEach((item, i) => {
        const at = `${pointer}/${field}/${i}`;
        if (!isObj(item)) this.fail('SS12000.MALFORMED_ENTITY', file, at, 'must be an object');
        else if (rest) this.checkReference(item, rest, file, at);
        else if (field !== 'responsibles') this.checkRef(item, file, at);
        // SS 12000 v2.1 refers to a responsible as { person: { id } }; earlier drafts as { id }.
        else if (isObj(item.person)) this.checkRef(item.person, file, `${at}/person`);
        else this.checkRef(item, file, at);
      });
      return;
    }
    const value = entity[field];
    const at = `${pointer}/${field}`;
    if (value === undefined || value === null) {
      if (required) this.fail('SS12000.MALFORMED_ENTITY', file, at, 'is required: a reference { "id": ... }');
      return;
    }
    // Some SS 12000 drafts give placedAt as a bare id.
    if (field === 'placedAt' && typeof value === 'string') return;
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

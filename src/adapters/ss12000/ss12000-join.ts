import type { FieldError } from '../../common/problem/domain-error';
import { checkCandidate } from '../../records/record-intake';
import { AdapterInputError } from '../adapter-input.errors';
import type { ImportContext, ImportItem } from '../vendor-adapter.port';
import type { EntityIndex, Located, Obj } from './ss12000-entity-index';
import { attendanceOf, gradesOf } from './ss12000-import-results.mapper';
import { enrolmentsOf, groupsOf, type PupilLinks } from './ss12000-import-school.mapper';
import { ImportScope, isObj, whereOf, type Ss12000ImportOptions } from './ss12000-import-scope';
import { contactOf, guardiansOf, pupilOf } from './ss12000-import.mapper';

const MAX_ERRORS = 50;
/** Each round leaves out the items the record's rules refused; a handful of rounds settles any record. */
const MAX_ROUNDS = 8;

/**
 * Joins the input's entities into one record per pupil: a person with an enrolment, a placement, a group
 * membership, a grade or aggregated attendance. Persons who are only responsibles or staff are not pupils.
 * Records come one at a time (a kommun's records are never all built at once), in the order of the
 * persons in the input, then the deletions; a dangling reference refuses the input before the first.
 */
export function* joinPupils(
  index: EntityIndex,
  ctx: ImportContext,
  options: Ss12000ImportOptions,
  version: string,
): Generator<ImportItem> {
  if (index.personCount > 0) refuseDangling(index);
  for (const id of index.personIds()) {
    const person = index.get('person', id)!;
    const links: PupilLinks = {
      placements: index.owned('placement', id),
      memberships: index.membershipsOf(id),
      grades: index.owned('grade', id),
      attendance: index.owned('aggregatedAttendance', id),
    };
    const enrolled = Array.isArray(person.value.enrolments) && person.value.enrolments.length > 0;
    const linked =
      links.placements.length + links.memberships.length + links.grades.length + links.attendance.length > 0;
    if (!enrolled && !linked) continue;
    yield pupilItem(new ImportScope(index, ctx, options, version), person, links);
  }
  for (const deleted of index.deletedPersons) {
    const { id, ...source } = deleted;
    yield { kind: 'deletion', sourcePlatform: ctx.platformId, sourceId: id, source };
  }
}

/**
 * A grade, membership, placement or attendance of a person the input does not hold could be reported
 * nowhere (no pupil to attach a loss to), so an input with persons must hold every pupil it speaks of.
 * An input with no persons at all (a lone group or grades file) joins nothing and yields nothing.
 */
function refuseDangling(index: EntityIndex): void {
  // In the order of the input's kinds: placements, groups, grades, attendance.
  const referrers: ((id: string) => { file?: string; pointer: string }[])[] = [
    (id) => index.ownerReferences('placement', id),
    (id) => index.memberReferences(id),
    (id) => index.ownerReferences('grade', id),
    (id) => index.ownerReferences('aggregatedAttendance', id),
  ];
  const referred = [
    ...index.owners('placement'),
    ...index.members(),
    ...index.owners('grade'),
    ...index.owners('aggregatedAttendance'),
  ];
  const errors: FieldError[] = [];
  for (const id of new Set(referred)) {
    if (index.hasPerson(id)) continue;
    for (const refer of referrers)
      for (const place of refer(id))
        errors.push({ ...place, detail: `refers to the person ${id}, who is not in the input` });
  }
  if (errors.length === 0) return;
  const detail =
    errors.length === 1
      ? errors[0].detail
      : `${errors.length} references to persons the input does not hold.`;
  throw new AdapterInputError('SS12000.DANGLING_REFERENCE', detail, errors.slice(0, MAX_ERRORS));
}

function pupilItem(scope: ImportScope, person: Located, links: PupilLinks): ImportItem {
  const id = person.value.id as string;
  const source = whereOf(person);
  const record: Obj = scope.from(
    { schemaVersion: '1.0', source: { platform: scope.ctx.platformId, id } },
    source,
  );
  record.pupil = pupilOf(scope, person);
  record.contact = scope.from(
    { ...contactOf(scope, person, '/contact'), provenance: scope.provenance(id) },
    source,
  );
  const sections: [string, unknown[]][] = [
    ['guardians', guardiansOf(scope, person)],
    ['enrolments', enrolmentsOf(scope, person, links)],
    ['groups', groupsOf(scope, links)],
    ['grades', gradesOf(scope, links)],
    ['attendance', attendanceOf(scope, links)],
  ];
  for (const [name, items] of sections) if (items.length > 0) record[name] = items;

  // Loss targets point into the record as built; leaving items out below moves them.
  const anchors = scope.loss.map((l) =>
    l.target?.pointer !== undefined ? anchor(record, l.target.pointer) : undefined,
  );
  for (let round = 0; round < MAX_ROUNDS; round++) {
    // checkCandidate marks the record checked, with its JSON: the import stores it without a second
    // check, normalisation and serialisation.
    const checked = checkCandidate(record);
    if (!('errors' in checked)) {
      retarget(record, scope.loss, anchors); // a copy made for NFC has the same shape
      return { kind: 'record', record: checked.record, loss: scope.loss, source };
    }
    const { errors } = checked;
    const fatal = errors.filter((e) => droppable(record, e.pointer) === undefined);
    if (fatal.length > 0) {
      return {
        kind: 'rejected',
        sourceId: id,
        errors: fatal.map((e) => ({ ...scope.inputOf(record, e.pointer), detail: e.detail })),
        source,
      };
    }
    const drops = new Map<string, { drop: Drop; reasons: string[] }>();
    for (const e of errors) {
      const drop = droppable(record, e.pointer)!;
      const entry = drops.get(drop.pointer) ?? { drop, reasons: [] };
      entry.reasons.push(`${e.pointer.slice(drop.pointer.length) || 'it'} ${e.detail}`);
      drops.set(drop.pointer, entry);
    }
    // Input places first: leaving an item out moves the pointers of those after it.
    const lost = [...drops.values()].map(({ drop, reasons }) => ({
      drop,
      reasons,
      where: scope.inputOf(record, drop.pointer),
    }));
    for (const { drop, reasons, where } of lost) {
      scope.lose('dropped', where, `Left out, portabel's record refuses it: ${reasons.join('; ')}`);
      if (drop.array) drop.array.splice(drop.array.indexOf(drop.item), 1);
      else delete drop.parent[drop.key];
    }
    pruneEmpty(record);
  }
  return {
    kind: 'rejected',
    sourceId: id,
    errors: [{ ...source, detail: 'The person cannot be made into a valid record' }],
    source,
  };
}

interface Anchor {
  node: object;
  rest: string;
}

/** The deepest object on a pointer's path, and the rest of the path from it. */
function anchor(record: Obj, pointer: string): Anchor {
  const segments = pointer.split('/').slice(1);
  let best: Anchor = { node: record, rest: pointer };
  let node: unknown = record;
  segments.forEach((segment, i) => {
    node = isObj(node) || Array.isArray(node) ? (node as Obj)[segment] : undefined;
    if (typeof node === 'object' && node !== null && !Array.isArray(node))
      best = {
        node,
        rest: segments
          .slice(i + 1)
          .map((s) => `/${s}`)
          .join(''),
      };
  });
  return best;
}

/** Points loss targets at where their objects are in the final record; a left-out object's lose their target. */
function retarget(
  record: Obj,
  loss: { target?: { pointer?: string } }[],
  anchors: (Anchor | undefined)[],
): void {
  const paths = new Map<object, string>();
  const walk = (node: unknown, path: string) => {
    if (typeof node !== 'object' || node === null) return;
    if (!Array.isArray(node)) paths.set(node, path);
    for (const [key, child] of Object.entries(node)) walk(child, `${path}/${key}`);
  };
  walk(record, '');
  anchors.forEach((a, i) => {
    if (!a) return;
    const path = paths.get(a.node);
    if (path === undefined) delete loss[i].target;
    else loss[i].target = { pointer: `${path}${a.rest}` };
  });
}

/**
 * What a pupil can do without: an item of these arrays, or these optional fields. A broken one is left
 * out (with a loss entry) and the pupil goes on; anything else broken rejects the pupil.
 */
const DROPPABLE = [
  ['guardians', '#', 'contact', 'emails|phoneNumbers|addresses', '#'],
  ['guardians', '#', 'civicNo'],
  ['contact', 'emails|phoneNumbers|addresses', '#'],
  ['pupil', 'externalIdentifiers', '#'],
  ['pupil', 'civicNo|birthDate|middleName|sex'],
  ['enrolments|groups|grades|attendance|guardians', '#'],
];

type Drop =
  | { pointer: string; item: object; array: unknown[]; parent?: never; key?: never }
  | { pointer: string; parent: Obj; key: string; array?: never; item?: never };

/** The item or optional field a canonical pointer lies in, when the pupil can do without it. */
function droppable(record: Obj, pointer: string): Drop | undefined {
  const segments = pointer.split('/').slice(1);
  for (const pattern of DROPPABLE) {
    if (segments.length < pattern.length) continue;
    const fits = pattern.every((p, i) =>
      p === '#' ? /^[0-9]+$/.test(segments[i]) : p.split('|').includes(segments[i]),
    );
    if (!fits) continue;
    let node: unknown = record;
    for (const segment of segments.slice(0, pattern.length - 1))
      node = isObj(node) || Array.isArray(node) ? (node as Obj)[segment] : undefined;
    const last = segments[pattern.length - 1];
    const at = `/${segments.slice(0, pattern.length).join('/')}`;
    if (Array.isArray(node)) {
      const item = node[Number(last)] as unknown;
      if (typeof item === 'object' && item !== null) return { pointer: at, item, array: node };
    } else if (isObj(node) && last in node) return { pointer: at, parent: node, key: last };
  }
  return undefined;
}

function pruneEmpty(record: Obj): void {
  const prune = (o: unknown, keys: string[]) => {
    if (!isObj(o)) return;
    for (const k of keys) if (Array.isArray(o[k]) && (o[k] as unknown[]).length === 0) delete o[k];
  };
  prune(record, ['guardians', 'enrolments', 'groups', 'grades', 'attendance']);
  prune(record.contact, ['emails', 'phoneNumbers', 'addresses']);
  prune(record.pupil, ['externalIdentifiers']);
  for (const g of Array.isArray(record.guardians) ? record.guardians : [])
    prune((g as Obj).contact, ['emails', 'phoneNumbers', 'addresses']);
}

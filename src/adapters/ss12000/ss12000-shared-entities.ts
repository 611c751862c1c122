import { attendanceActivityId, membershipId, organiserId, programmeId, schoolUnitId } from './ss12000-ids';
import type {
  Ss12000Activity,
  Ss12000Group,
  Ss12000Organisation,
  Ss12000Programme,
  Ss12000Syllabus,
} from './ss12000.types';

/** Organisations, programmes, groups, activities and syllabuses: referred to by many pupils, written once. */
export class SharedEntities {
  private readonly organisations = new Map<string, Ss12000Organisation>();
  private readonly schoolTypes = new Map<string, Set<string>>();
  private readonly programmes = new Map<string, Ss12000Programme>();
  private readonly groups = new Map<string, { group: Ss12000Group; identity: string; open: boolean }>();
  /** Group A comes before group B in some pupil's record. */
  private readonly groupsAfter = new Map<string, Set<string>>();
  private readonly activities = new Map<string, Ss12000Activity>();
  private readonly syllabuses = new Map<string, Ss12000Syllabus>();

  unit(organiserCode: string, schoolUnitCode: string, schoolType?: string): void {
    const organiser = organiserId(organiserCode);
    if (!this.organisations.has(organiser)) {
      this.organisations.set(organiser, {
        id: organiser,
        displayName: `Huvudman ${organiserCode}`,
        organisationType: 'Huvudman',
        municipalityCode: organiserCode,
      });
    }
    const id = schoolUnitId(organiserCode, schoolUnitCode);
    if (!this.organisations.has(id)) {
      this.organisations.set(id, {
        id,
        displayName: `Skolenhet ${schoolUnitCode}`,
        organisationType: 'Skolenhet',
        schoolUnitCode,
        parentOrganisation: { id: organiser },
      });
      this.schoolTypes.set(id, new Set());
    }
    if (schoolType) this.schoolTypes.get(id)!.add(schoolType);
  }

  programme(code: string): void {
    const id = programmeId(code);
    if (!this.programmes.has(id)) this.programmes.set(id, { id, name: code, code });
  }

  syllabus(s: Ss12000Syllabus): void {
    if (!this.syllabuses.has(s.id)) this.syllabuses.set(s.id, s);
  }

  activity(organiserCode: string, schoolUnitCode: string): void {
    this.unit(organiserCode, schoolUnitCode);
    const id = attendanceActivityId(organiserCode, schoolUnitCode);
    if (!this.activities.has(id)) {
      this.activities.set(id, {
        id,
        displayName: `Frånvarosammanställning ${schoolUnitCode}`,
        activityType: 'Övrigt',
        organisation: { id: schoolUnitId(organiserCode, schoolUnitCode) },
      });
    }
  }

  groupOrder(before: string, after: string): void {
    if (before === after) return;
    let set = this.groupsAfter.get(before);
    if (!set) this.groupsAfter.set(before, (set = new Set()));
    set.add(after);
  }

  /** Adds a pupil's membership; true when the group was already written with other details. */
  membership(
    g: {
      id: string;
      name: string;
      groupType: string;
      schoolUnitCode: string;
      startDate: string;
      endDate?: string;
    },
    organiserCode: string,
    personId: string,
  ): boolean {
    const identity = JSON.stringify([g.name, g.groupType, g.schoolUnitCode]);
    let entry = this.groups.get(g.id);
    if (!entry) {
      entry = {
        group: {
          id: g.id,
          displayName: g.name,
          groupType: g.groupType,
          startDate: g.startDate,
          organisation: { id: schoolUnitId(organiserCode, g.schoolUnitCode) },
          groupMemberships: [],
        },
        identity,
        open: false,
      };
      this.groups.set(g.id, entry);
    }
    const { group } = entry;
    if (g.startDate < group.startDate) group.startDate = g.startDate;
    if (g.endDate === undefined) entry.open = true;
    else if (group.endDate === undefined || g.endDate > group.endDate) group.endDate = g.endDate;
    group.groupMemberships.push({
      id: membershipId(g.id, personId),
      person: { id: personId },
      startDate: g.startDate,
      ...(g.endDate !== undefined ? { endDate: g.endDate } : {}),
    });
    return entry.identity !== identity;
  }

  /** Every collection, sorted so the same records always give the same bytes. */
  *collections(): Iterable<[string, object[]]> {
    const organisations = [...this.organisations.values()]
      .map((o) => {
        const types = this.schoolTypes.get(o.id);
        return types && types.size > 0 ? { ...o, schoolTypes: [...types].sort() } : o;
      })
      .sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
    yield ['organisations', organisations];
    yield ['programmes', sortById([...this.programmes.values()])];
    const groups = orderGroups([...this.groups.keys()], this.groupsAfter).map((id) => {
      const { group, open } = this.groups.get(id)!;
      if (!open) return group;
      const openEnded = { ...group };
      delete openEnded.endDate;
      return openEnded;
    });
    yield ['groups', groups];
    yield ['activities', sortById([...this.activities.values()])];
    yield ['syllabuses', sortById([...this.syllabuses.values()])];
  }
}

/**
 * SS 12000 memberships hang off groups, so a reader meets a pupil's groups in the order of the groups
 * collection. Ordering it so that every pupil's groups come in the record's order (a topological sort of
 * "comes before in some record", ties and cycles broken by first appearance) lets them read back as they were.
 */
export function orderGroups(appearance: string[], after: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const indegree = new Map(appearance.map((id) => [id, 0]));
  for (const successors of after.values())
    for (const s of successors) indegree.set(s, (indegree.get(s) ?? 0) + 1);
  const position = new Map(appearance.map((id, i) => [id, i]));
  const done = new Set<string>();
  const out: string[] = [];
  let cursor = 0;
  const ready: number[] = appearance.map((id, i) => (indegree.get(id) === 0 ? i : -1)).filter((i) => i >= 0);
  while (out.length < appearance.length) {
    let next: number;
    if (ready.length > 0) {
      next = ready.reduce((min, i) => Math.min(min, i), Infinity);
      ready.splice(ready.indexOf(next), 1);
    } else {
      // A cycle: take the earliest group not yet written.
      while (done.has(appearance[cursor])) cursor++;
      next = cursor;
    }
    const id = appearance[next];
    if (done.has(id)) continue;
    done.add(id);
    out.push(id);
    for (const s of after.get(id) ?? []) {
      const left = (indegree.get(s) ?? 0) - 1;
      indegree.set(s, left);
      if (left === 0 && !done.has(s)) ready.push(position.get(s)!);
    }
  }
  return out;
}

const sortKey = (o: Ss12000Organisation): string =>
  o.organisationType === 'Huvudman' ? `0${o.municipalityCode}` : `1${o.schoolUnitCode}${o.id}`;

const sortById = <T extends { id: string }>(items: T[]): T[] =>
  items.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

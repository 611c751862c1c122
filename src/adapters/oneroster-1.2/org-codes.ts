// Swedish codes from OneRoster orgs: skolenhetskod of a school, kommunkod of its organiser.
import type { OrOrg } from './oneroster-1.2.entities';
import type { OneRosterOptions } from './oneroster-1.2.options';

const SCHOOL_UNIT = /^[0-9]{8}$/;
const KOMMUN = /^[0-9]{4}$/;

/** The org's skolenhetskod: from the code list, else its identifier when that is eight digits. */
export function schoolUnitCodeOf(org: OrOrg | undefined, opts: OneRosterOptions): string | undefined {
  if (!org) return undefined;
  const listed =
    opts.codeLists.schoolUnitCode[org.sourcedId] ??
    (org.identifier ? opts.codeLists.schoolUnitCode[org.identifier] : undefined);
  if (listed && SCHOOL_UNIT.test(listed)) return listed;
  return org.identifier && SCHOOL_UNIT.test(org.identifier) ? org.identifier : undefined;
}

/**
 * The kommunkod of the school's organiser (huvudman): from the code list, else the first ancestor org
 * (district or local) whose identifier is four digits. Undefined when nothing says.
 */
export function organiserCodeOf(
  org: OrOrg,
  orgs: ReadonlyMap<string, OrOrg>,
  opts: OneRosterOptions,
): string | undefined {
  const listed = opts.codeLists.organiserCode[org.sourcedId];
  if (listed && KOMMUN.test(listed)) return listed;
  const seen = new Set<string>([org.sourcedId]);
  for (
    let parent = orgs.get(org.parentSourcedId ?? '');
    parent;
    parent = orgs.get(parent.parentSourcedId ?? '')
  ) {
    if (seen.has(parent.sourcedId)) break;
    seen.add(parent.sourcedId);
    if (parent.identifier && KOMMUN.test(parent.identifier)) return parent.identifier;
  }
  return undefined;
}

/** Orgs above a school: a student's role there is membership of the district, not a placement. */
export function isAboveSchool(org: OrOrg): boolean {
  return ['district', 'local', 'state', 'national'].includes((org.type ?? '').toLowerCase());
}

// The fixed correspondences between OneRoster vocabularies and the canonical (SS 12000) ones. Platform
// options can extend the ones that vary between vendors (grades, scales); these are the defaults.
import type {
  GroupType,
  GuardianRelation,
  SchoolType,
  Sex,
} from '../../records/learner-record.types';

export const SEX_FROM_ONEROSTER: Readonly<Record<string, Sex>> = {
  male: 'Man',
  female: 'Kvinna',
  unspecified: 'Okänt',
};
export const SEX_TO_ONEROSTER: Readonly<Record<Sex, string>> = {
  Man: 'male',
  Kvinna: 'female',
  Okänt: 'unspecified',
};

/** classType: 1.2 allows `ext:` values, which carry the SS 12000 group types OneRoster lacks. */
export const GROUP_TYPE_TO_CLASS_TYPE: Readonly<Record<GroupType, string>> = {
  Klass: 'homeroom',
  Undervisning: 'scheduled',
  Mentor: 'ext:Mentor',
  Provgrupp: 'ext:Provgrupp',
  Schema: 'ext:Schema',
  Avdelning: 'ext:Avdelning',
  Personalgrupp: 'ext:Personalgrupp',
  Övrigt: 'ext:Ovrigt',
};
export const CLASS_TYPE_TO_GROUP_TYPE: Readonly<Record<string, GroupType>> = Object.fromEntries(
  Object.entries(GROUP_TYPE_TO_CLASS_TYPE).map(([groupType, classType]) => [
    classType.toLowerCase(),
    groupType,
  ]),
) as Record<string, GroupType>;

/**
 * Guardians' roles. OneRoster has parent, guardian and relative; 1.2 allows `ext:` roles for the
 * Swedish relations it has no word for. Custody follows from the relation, as it does in SS 12000 data.
 */
export const RELATION_TO_ROLE: Readonly<Record<GuardianRelation, string>> = {
  Vårdnadshavare: 'guardian',
  'Särskilt förordnad vårdnadshavare': 'ext:sarskiltForordnadVardnadshavare',
  'God man': 'ext:godMan',
  Familjehem: 'ext:familjehem',
  'Annan ansvarig': 'relative',
};
export const ROLE_TO_RELATION: Readonly<Record<string, GuardianRelation>> = {
  ...Object.fromEntries(
    Object.entries(RELATION_TO_ROLE).map(([relation, role]) => [role.toLowerCase(), relation]),
  ),
  // A parent in a OneRoster export is a custodial parent far more often than not.
  parent: 'Vårdnadshavare',
};
export const CUSTODY_OF_RELATION: Readonly<Record<GuardianRelation, boolean>> = {
  Vårdnadshavare: true,
  'Särskilt förordnad vårdnadshavare': true,
  'God man': false,
  Familjehem: false,
  'Annan ansvarig': false,
};

export function isGuardianRole(role: string): boolean {
  return role.toLowerCase() in ROLE_TO_RELATION;
}

export { GRADE_SCALES, SCALE_VALUES } from '../../records/grade-scales';

/** Points per grade (meritvärde, skolförordningen 9 kap.), the numeric `score` of an A–F result. */
export const MERIT_POINTS: Readonly<Record<string, number>> = { A: 20, B: 17.5, C: 15, D: 12.5, E: 10, F: 0 };

export interface SchoolPlacement {
  schoolType: SchoolType;
  schoolYear: number | null;
}

/** CEDS grade levels as OneRoster uses them, read as Swedish school forms and years by default. */
export const DEFAULT_GRADE_CODES: Readonly<Record<string, SchoolPlacement>> = {
  KG: { schoolType: 'FKLASS', schoolYear: 0 },
  ...Object.fromEntries(
    [1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((n) => [
      [String(n).padStart(2, '0'), { schoolType: 'GR', schoolYear: n }],
      [String(n), { schoolType: 'GR', schoolYear: n }],
    ]),
  ),
  '10': { schoolType: 'GY', schoolYear: 1 },
  '11': { schoolType: 'GY', schoolYear: 2 },
  '12': { schoolType: 'GY', schoolYear: 3 },
  '13': { schoolType: 'GY', schoolYear: 4 },
};

/** The CEDS grade of a placement, for users.grades; undefined where CEDS has none. */
export function gradeCode(schoolType: SchoolType, schoolYear: number | null | undefined): string | undefined {
  if (schoolYear === null || schoolYear === undefined) return undefined;
  if (schoolType === 'FKLASS') return 'KG';
  if (['GR', 'GRS', 'SAM', 'SP'].includes(schoolType) && schoolYear >= 1 && schoolYear <= 10)
    return String(schoolYear).padStart(2, '0');
  if (['GY', 'GYS'].includes(schoolType) && schoolYear >= 1 && schoolYear <= 4) return String(schoolYear + 9);
  return undefined;
}

/** Grade categories: slutbetyg or terminsbetyg, after prövning or not. */
export function categoryId(final: boolean | undefined, trial: boolean | undefined): string {
  const kind = final === true ? 'slutbetyg' : final === false ? 'terminsbetyg' : 'betyg';
  return trial === true ? `${kind}-provning` : kind;
}
export function categoryTitle(final: boolean | undefined, trial: boolean | undefined): string {
  const kind = final === true ? 'Slutbetyg' : final === false ? 'Terminsbetyg' : 'Betyg';
  return trial === true ? `${kind} efter prövning` : kind;
}
export function categoryMeaning(idOrTitle: string): { final?: boolean; trial?: boolean } {
  const t = idOrTitle.toLowerCase();
  const final = t.startsWith('slutbetyg') ? true : t.startsWith('terminsbetyg') ? false : undefined;
  const trial = t.includes('prövning') || t.includes('provning') ? true : undefined;
  return { ...(final !== undefined ? { final } : {}), ...(trial !== undefined ? { trial } : {}) };
}

// Code lists: portabel's canonical values (shaped after SS 12000) and the SS 12000 values they travel as.
import type {
  AddressType,
  EmailType,
  GradeScale,
  GroupType,
  GuardianRelation,
  PhoneType,
  SchoolType,
  SecurityMarking,
  Sex,
} from '../../records/learner-record.types';

export const SECURITY_MARKINGS: readonly SecurityMarking[] = [
  'Ingen',
  'Sekretessmarkering',
  'Skyddad folkbokföring',
];
export const SEXES: readonly Sex[] = ['Man', 'Kvinna', 'Okänt'];

export const SCHOOL_TYPES: readonly SchoolType[] = [
  'FS', 'FKLASS', 'FTH', 'OPPFTH', 'GR', 'GRS', 'TR', 'SP', 'SAM', 'GY', 'GYS', 'VUX', 'VUXGR', 'VUXGY',
  'VUXSARGR', 'VUXSARGY', 'SFI', 'SARVUX', 'SARVUXGR', 'SARVUXGY', 'KU', 'YH', 'FHS', 'STF', 'KKU', 'HS',
  'ABU', 'AU',
]; // prettier-ignore

/** SS 12000 school types the canonical list folds into one of its own. */
export const SCHOOL_TYPE_APPROXIMATIONS: Readonly<Record<string, SchoolType>> = {
  VUXSFI: 'SFI',
  VUXSARTR: 'VUXSARGR',
};

/** School forms with school years (årskurser); the others carry schoolYear null in the canonical record. */
const YEAR_SCHOOL_TYPES = new Set<string>(['FKLASS', 'GR', 'GRS', 'TR', 'SP', 'SAM', 'GY', 'GYS']);
export const hasSchoolYears = (schoolType: string): boolean => YEAR_SCHOOL_TYPES.has(schoolType);

export const GROUP_TYPES: readonly GroupType[] = [
  'Undervisning', 'Klass', 'Mentor', 'Provgrupp', 'Schema', 'Avdelning', 'Personalgrupp', 'Övrigt',
]; // prettier-ignore

export const GUARDIAN_RELATIONS: readonly GuardianRelation[] = [
  'Vårdnadshavare', 'Särskilt förordnad vårdnadshavare', 'God man', 'Familjehem', 'Annan ansvarig',
]; // prettier-ignore

/** Relation types of other SS 12000 drafts and dialects, and the canonical relation they mean. */
export const RELATION_ALIASES: Readonly<Record<string, GuardianRelation>> = {
  Familjehemsförälder: 'Familjehem',
  'Ansvarig vuxen': 'Annan ansvarig',
  'Annan ansvarig vuxen': 'Annan ansvarig',
};

/** Custody (vårdnad) follows from the relation: SS 12000 has no field of its own for it. */
export const custodyOf = (relation: GuardianRelation): boolean =>
  relation === 'Vårdnadshavare' || relation === 'Särskilt förordnad vårdnadshavare';

/** SS 12000 Code_EmailType → canonical. */
export const EMAIL_TYPES_IN: Readonly<Record<string, EmailType>> = {
  Privat: 'Privat',
  'Skola elev': 'Skola',
  'Skola personal': 'Skola',
  'Arbete övrigt': 'Annan',
  Övrig: 'Annan',
  Skola: 'Skola',
  Annan: 'Annan',
};

/** Canonical e-mail type → SS 12000; a school address is a pupil's or, for an adult, staff's. */
export function emailTypeOut(type: EmailType, role: 'pupil' | 'adult'): string {
  if (type === 'Skola') return role === 'pupil' ? 'Skola elev' : 'Skola personal';
  return type === 'Privat' ? 'Privat' : 'Arbete övrigt';
}

export const PHONE_TYPES: readonly PhoneType[] = ['Hem', 'Mobil', 'Arbete', 'Annan'];

export const ADDRESS_TYPES: readonly AddressType[] = ['Folkbokföring', 'Särskild postadress', 'Annan'];

/** Address types of SS 12000 drafts: spelled differently, or kinds the canonical list calls Annan. */
export const ADDRESS_ALIASES: Readonly<Record<string, { type: AddressType; exact: boolean }>> = {
  Folkbokföringsadress: { type: 'Folkbokföring', exact: true },
  Särskildpostadress: { type: 'Särskild postadress', exact: true },
  Postadress: { type: 'Annan', exact: false },
  Tillfälligadress: { type: 'Annan', exact: false },
  'Tillfällig adress': { type: 'Annan', exact: false },
  Vistelseadress: { type: 'Annan', exact: false },
};

/**
 * The grading scale a grade value belongs to (SS 12000 grades carry no scale). G and VG exist on both
 * IG–MVG and G–VG, so they are ambiguous.
 */
export function scaleOfValue(value: string): { scale: GradeScale; ambiguous: boolean } | undefined {
  if (/^[A-F]$/.test(value) || value === '-') return { scale: 'A-F', ambiguous: false };
  if (/^[1-5]$/.test(value)) return { scale: '1-5', ambiguous: false };
  if (value === 'IG' || value === 'MVG') return { scale: 'IG-MVG', ambiguous: false };
  if (value === 'G' || value === 'VG') return { scale: 'IG-MVG', ambiguous: true };
  if (value === 'EG' || value === 'Godkänd' || value === 'Ej godkänd')
    return { scale: 'Godkänd/Ej godkänd', ambiguous: false };
  return undefined;
}

/** A canonical term (HT2025, VT2026) as the dates an SS 12000 aggregated attendance spans. */
export function termDates(term: string): { startDate: string; endDate: string } {
  const year = term.slice(2);
  return term.startsWith('HT')
    ? { startDate: `${year}-07-01`, endDate: `${year}-12-31` }
    : { startDate: `${year}-01-01`, endDate: `${year}-06-30` };
}

/** The term a date falls in: January–June is the spring term (VT), July–December the autumn term (HT). */
export function termOfDate(date: string): string {
  return `${Number(date.slice(5, 7)) >= 7 ? 'HT' : 'VT'}${date.slice(0, 4)}`;
}

/** Absence as a percentage of scheduled time, one decimal: how portabel derives it from SS 12000 minutes. */
export function absencePercent(
  minutes: number | undefined,
  scheduled: number | undefined,
): number | undefined {
  if (minutes === undefined || scheduled === undefined || scheduled <= 0) return undefined;
  return Math.round((minutes / scheduled) * 100 * 10) / 10;
}

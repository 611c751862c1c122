import type { LearnerRecord } from '../records/learner-record.types';

/**
 * The data categories every flow is decided by. Each field of the canonical record belongs to
 * exactly one, through its top-level section (one mapping, used everywhere; a test walks the JSON
 * Schema and fails on a field without one).
 */
export const CATEGORIES = [
  'identity',
  'contact',
  'enrolment',
  'groups',
  'grades',
  'assessments',
  'attendance',
  'support',
  'achievements',
  'evidence',
] as const;

export type Category = (typeof CATEGORIES)[number];

/** GDPR Art. 9 and skollagen: åtgärdsprogram and extra anpassningar say things about a child's health and needs. */
export const SENSITIVE_CATEGORIES: readonly Category[] = ['support'];

/** Contact and location: what a pupil with a security marking must never lose to a recipient. */
export const LOCATION_CATEGORIES: readonly Category[] = ['contact'];

export const CATEGORY_OF_SECTION: Readonly<Record<keyof LearnerRecord, Category>> = {
  schemaVersion: 'identity',
  source: 'identity',
  pupil: 'identity',
  contact: 'contact',
  guardians: 'contact',
  enrolments: 'enrolment',
  groups: 'groups',
  grades: 'grades',
  assessments: 'assessments',
  attendance: 'attendance',
  supportMeasures: 'support',
  achievements: 'achievements',
  evidence: 'evidence',
};

/** The category of a JSON pointer into a record (`/grades/3/value` → grades). */
export function categoryOfPointer(pointer: string): Category | undefined {
  const section = pointer.split('/')[1] as keyof LearnerRecord | undefined;
  return section === undefined ? undefined : CATEGORY_OF_SECTION[section];
}

/** The record's sections of a category. */
export const sectionsOf = (category: Category): (keyof LearnerRecord)[] =>
  (Object.keys(CATEGORY_OF_SECTION) as (keyof LearnerRecord)[]).filter(
    (s) => CATEGORY_OF_SECTION[s] === category,
  );

/** The categories a record holds data of. */
export const categoriesIn = (record: LearnerRecord): Category[] =>
  CATEGORIES.filter((c) =>
    sectionsOf(c).some((s) => {
      const v = record[s];
      return v !== undefined && !(Array.isArray(v) && v.length === 0);
    }),
  );

/** Swedish and English names of each category, for receipts, pages and reports. */
export const CATEGORY_NAMES: Readonly<Record<Category, { sv: string; en: string }>> = {
  identity: { sv: 'Identitet (namn, personnummer)', en: 'Identity (names, civic number)' },
  contact: { sv: 'Kontaktuppgifter och vårdnadshavare', en: 'Contact details and guardians' },
  enrolment: { sv: 'Inskrivning och skolplacering', en: 'Enrolment and school placement' },
  groups: { sv: 'Klasser och grupper', en: 'Classes and groups' },
  grades: { sv: 'Betyg', en: 'Grades' },
  assessments: { sv: 'Bedömningar och IUP', en: 'Assessments and IDPs' },
  attendance: { sv: 'Frånvaro', en: 'Attendance' },
  support: {
    sv: 'Särskilt stöd (åtgärdsprogram, extra anpassningar)',
    en: 'Special support (action programmes, adaptations)',
  },
  achievements: { sv: 'Intyg och meriter', en: 'Credentials and achievements' },
  evidence: { sv: 'Arbeten och lärandeaktiviteter', en: 'Work and learning activity' },
};

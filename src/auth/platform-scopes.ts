import type { Action } from './actions';
import { POLICY } from './policy';

/** Record sections a platform is granted one by one (IST's SS 12000 service grants them so too). */
export const GRANTABLE_SECTIONS = [
  'civicNo', // pupil.civicNo and guardians' civic numbers: personnummer are granted on their own
  'contact',
  'guardians',
  'enrolments',
  'groups',
  'grades',
  'assessments',
  'attendance',
  'supportMeasures',
  'achievements',
  'evidence',
] as const;

export type GrantableSection = (typeof GRANTABLE_SECTIONS)[number];

/** The actions the policy lets a platform be granted. */
export const PLATFORM_ACTIONS = (Object.keys(POLICY) as Action[]).filter(
  (a) => POLICY[a].platform === 'granted',
);

/** Every scope a platform client can be granted: actions, and `sections:<name>`. */
export const PLATFORM_SCOPES: readonly string[] = [
  ...PLATFORM_ACTIONS,
  ...GRANTABLE_SECTIONS.map((s) => `sections:${s}`),
];

/** The sections a platform's scopes grant. */
export const grantedSections = (scopes: readonly string[]): Set<GrantableSection> =>
  new Set(
    scopes
      .filter((s) => s.startsWith('sections:'))
      .map((s) => s.slice('sections:'.length) as GrantableSection)
      .filter((s) => (GRANTABLE_SECTIONS as readonly string[]).includes(s)),
  );

import type { LossEntry } from '../adapters/vendor-adapter.port';
import type { LearnerRecord } from '../records/learner-record.types';
import { CATEGORY_OF_SECTION, CATEGORY_NAMES } from './categories';
import { DENIAL_TEXTS, type Decision } from './decision-point';

type Section = keyof LearnerRecord;

/** Every section of the record, in the canonical order (the loss entries follow it). */
const SECTIONS = Object.keys(CATEGORY_OF_SECTION) as Section[];

/**
 * The record as the decision lets it go (data minimisation, GDPR Art. 5(1)(c)): the sections of
 * denied categories left out, each listed in the loss report with the reason. Identity is never
 * cut from a record that goes at all (a record without a pupil is no record): if identity is denied,
 * nothing goes, and the caller must not send it.
 */
export function minimise(
  record: LearnerRecord,
  decision: Decision,
): { record: LearnerRecord; loss: LossEntry[] } {
  return {
    record: withoutSections(record, new Set(withheldSections(decision))),
    loss: minimisationLoss(sectionsHeld(record), decision),
  };
}

/**
 * The record without the withheld sections, and without anything that is no section of the canonical
 * record (fails closed: a field no category governs never goes).
 */
export function withoutSections(record: LearnerRecord, withheld: ReadonlySet<string>): LearnerRecord {
  const out: Partial<LearnerRecord> = {};
  for (const [section, value] of Object.entries(record) as [Section, unknown][])
    if (Object.hasOwn(CATEGORY_OF_SECTION, section) && !withheld.has(section))
      (out as Record<string, unknown>)[section] = value;
  return out as LearnerRecord;
}

/** The sections a decision keeps back: all of each category it does not allow, never identity. */
export function withheldSections(decision: Decision): Section[] {
  const allowed = new Set(decision.allowed.map((a) => a.category));
  return SECTIONS.filter(
    (s) => CATEGORY_OF_SECTION[s] !== 'identity' && !allowed.has(CATEGORY_OF_SECTION[s]),
  );
}

/**
 * What the loss report says a decision kept back of a record that holds `held` (its sections with
 * data: an absent or empty section loses nothing): one entry per section, with the reason.
 */
export function minimisationLoss(held: ReadonlySet<string>, decision: Decision): LossEntry[] {
  const reasons = new Map(decision.denied.map((d) => [d.category, d.reason]));
  return withheldSections(decision)
    .filter((section) => held.has(section))
    .map((section) => {
      const category = CATEGORY_OF_SECTION[section];
      const reason = reasons.get(category) ?? 'not-for-purpose';
      return {
        kind: 'dropped',
        source: { pointer: `/${section}` },
        detail: `${CATEGORY_NAMES[category].en}: ${DENIAL_TEXTS[reason].en} (${reason})`,
      };
    });
}

/** The sections of a record that hold data (as `sectionsHeld` in SQL: not absent, not an empty list). */
export function sectionsHeld(record: LearnerRecord): Set<string> {
  const held = new Set<string>();
  for (const [section, value] of Object.entries(record))
    if (value !== undefined && !(Array.isArray(value) && value.length === 0)) held.add(section);
  return held;
}

/** Whether anything may go at all: the pupil's identity is allowed. */
export const mayDisclose = (decision: Decision): boolean =>
  decision.allowed.some((a) => a.category === 'identity');

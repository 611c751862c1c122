import type { FieldError } from '../common/problem/domain-error';
import type { Achievement, Evidence, LearnerRecord } from './learner-record.types';
import { canonicalJson, sha256Hex } from './record-content';
import { withoutImportTimes } from './record-intake';

/**
 * Sections whose items arrive one at a time over the years (a badge, a credential, an xAPI
 * statement) rather than as a platform's whole picture of the pupil: what an import brings is added
 * to what earlier imports from the same platform brought, instead of replacing it.
 */
export type AccumulatingSection = 'achievements' | 'evidence';

/**
 * The name an adapter gives a pupil its format does not name (with a `defaulted` loss entry). An
 * import that only has this keeps the name an earlier import gave.
 */
export const PLACEHOLDER_NAME = 'Okänd';

/** The most items a record may hold in each section (the schema's maxItems). */
const MAX_ITEMS: Readonly<Record<AccumulatingSection, number>> = { achievements: 1000, evidence: 5000 };

/**
 * What makes two items one: the same credential as received (a re-import of it updates its
 * verification), and an evidence item's id (an xAPI statement's id, which the LRS never reuses).
 */
const ITEM_KEY: Readonly<Record<AccumulatingSection, (item: never) => string>> = {
  achievements: (a: Achievement) => canonicalJson(a.credential),
  evidence: (e: Evidence) => e.id,
};

export type Accumulated =
  /** Nothing new: the live record stands as it is. */
  | { kind: 'unchanged' }
  | { kind: 'merged'; record: LearnerRecord; contentHash: string }
  | { kind: 'tooMany'; errors: FieldError[] };

/**
 * The record `incoming` makes of `live` (the pupil's record from the same platform): the incoming
 * record, whose accumulating sections are the live items in their order, each replaced by the
 * incoming item with its key if there is one, then the incoming items new to it; a placeholder name
 * does not replace a name. When that is what the live record says already, the outcome is
 * `unchanged` (provenance's import times are not content, and key order is not either).
 */
export function accumulate(
  incoming: LearnerRecord,
  live: LearnerRecord,
  sections: readonly AccumulatingSection[],
): Accumulated {
  const merged: LearnerRecord = { ...incoming, pupil: { ...incoming.pupil } };
  for (const name of ['givenName', 'familyName'] as const)
    if (merged.pupil[name] === PLACEHOLDER_NAME && live.pupil[name]) merged.pupil[name] = live.pupil[name];
  const errors: FieldError[] = [];
  for (const section of sections) {
    const key = ITEM_KEY[section] as (item: unknown) => string;
    const brought = new Map(((incoming[section] ?? []) as unknown[]).map((item) => [key(item), item]));
    const liveItems = (live[section] ?? []) as unknown[];
    const incomingCount = brought.size;
    const items = liveItems.map((item) => {
      const k = key(item);
      const again = brought.get(k);
      brought.delete(k);
      return again ?? item;
    });
    const kept = liveItems.length - (incomingCount - brought.size); // live items not brought again
    items.push(...brought.values());
    if (items.length > MAX_ITEMS[section]) {
      errors.push({
        pointer: `/${section}`,
        detail:
          `with the ${kept} ${section} earlier imports from this platform brought, the pupil's record ` +
          `would hold ${items.length}, more than the ${MAX_ITEMS[section]} a record may`,
      });
    }
    if (items.length > 0) (merged as unknown as Record<string, unknown[]>)[section] = items;
  }
  if (errors.length > 0) return { kind: 'tooMany', errors };
  if (sameContent(merged, live)) return { kind: 'unchanged' };
  return { kind: 'merged', record: merged, contentHash: contentHashOf(merged) };
}

/** Whether two records say the same, whatever their key order and import times. */
function sameContent(a: LearnerRecord, b: LearnerRecord): boolean {
  return withoutImportTimes(canonicalJson(a)) === withoutImportTimes(canonicalJson(b));
}

/** The hash a merged record is staged with: a later import bringing nothing new finds it unchanged by content, not by hash. */
function contentHashOf(record: LearnerRecord): string {
  return sha256Hex(withoutImportTimes(canonicalJson(record)));
}

import { canonicalJson } from '../../records/record-content';
import type { LearnerRecord } from '../../records/learner-record.types';

/** The sections of a learner record a registrar compares, in the record's order. */
export const RECORD_SECTIONS = [
  'pupil',
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

export type SectionChange = 'added' | 'removed' | 'changed' | 'unchanged';

export interface InboxDiff {
  /**
   * What accepting would do to the kommun's records, as an import's dry run says it: `created` (no
   * record of this transfer's source yet), `updated` or `unchanged` (a package of the same pupil from
   * the same sender was accepted before).
   */
  outcome: 'created' | 'updated' | 'unchanged';
  /** The record the sections are compared with: the one accepting would update, else the newest held for the pupil. */
  comparedWith: { recordId: string; sourcePlatform: string; version: number } | null;
  sections: Array<{ section: string; change: SectionChange; incoming: number; held: number }>;
  /** Every live record this kommun holds of the pupil (same civic number), from any source. */
  heldRecords: Array<{ recordId: string; sourcePlatform: string; updatedAt: string }>;
}

/** The source a transferred pupil is kept under: one per sending kommun and the sender's pupil. */
export const transferSource = (senderKommun: string, pupilRef: string): { platform: string; id: string } => ({
  platform: 'transfer',
  id: `${senderKommun}:${pupilRef}`,
});

/** Provenance and the source are where a record came from, not what it says: left out of the comparison. */
function content(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(content);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (k !== 'provenance') out[k] = content(v);
    return out;
  }
  return value;
}

const size = (v: unknown): number => (v === undefined || v === null ? 0 : Array.isArray(v) ? v.length : 1);

/** Section by section: what the incoming record adds, removes or changes against the one held. */
export function diffSections(
  incoming: LearnerRecord,
  held: LearnerRecord | undefined,
): InboxDiff['sections'] {
  return RECORD_SECTIONS.map((section) => {
    const a = (incoming as unknown as Record<string, unknown>)[section];
    const b = held ? (held as unknown as Record<string, unknown>)[section] : undefined;
    const has = (v: unknown) => size(v) > 0;
    const change: SectionChange =
      has(a) && !has(b)
        ? 'added'
        : !has(a) && has(b)
          ? 'removed'
          : canonicalJson(content(a ?? null)) === canonicalJson(content(b ?? null))
            ? 'unchanged'
            : 'changed';
    return { section, change, incoming: size(a), held: size(b) };
  }).filter((s) => !(s.incoming === 0 && s.held === 0));
}

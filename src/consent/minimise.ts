import type { LossEntry } from '../adapters/vendor-adapter.port';
import type { LearnerRecord } from '../records/learner-record.types';
import { CATEGORY_OF_SECTION, CATEGORY_NAMES } from './categories';
import { DENIAL_TEXTS, type Decision } from './decision-point';

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
  const allowed = new Set(decision.allowed.map((a) => a.category));
  const reasons = new Map(decision.denied.map((d) => [d.category, d.reason]));
  const out: Partial<LearnerRecord> = {};
  const loss: LossEntry[] = [];
  for (const [section, value] of Object.entries(record) as [keyof LearnerRecord, unknown][]) {
    const category = CATEGORY_OF_SECTION[section];
    if (allowed.has(category) || category === 'identity') {
      (out as Record<string, unknown>)[section] = value;
      continue;
    }
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    const reason = reasons.get(category) ?? 'not-for-purpose';
    loss.push({
      kind: 'dropped',
      source: { pointer: `/${section}` },
      detail: `${CATEGORY_NAMES[category].en}: ${DENIAL_TEXTS[reason].en} (${reason})`,
    });
  }
  return { record: out as LearnerRecord, loss };
}

/** Whether anything may go at all: the pupil's identity is allowed. */
export const mayDisclose = (decision: Decision): boolean =>
  decision.allowed.some((a) => a.category === 'identity');

// Turns an adapter's mapped pieces into a record that passes validateLearnerRecord, or a rejection that
// points into the input. An item that breaks the schema (a grade value of 30 characters, an e-mail address
// that is none) is left out with a loss entry and the pupil goes on; a broken pupil (no name, a personnummer
// that fails its check digit) is rejected with the place in the input. Shared by the adapters that build a
// record from many located pieces (ELMO, Google Classroom); each says how an error is placed in its input.
import type { FieldError } from '../../common/problem/domain-error';
import type { LearnerRecord } from '../../records/learner-record.types';
import { validateLearnerRecord } from '../../records/learner-record.validator';
import { checkCandidate } from '../../records/record-intake';
import type { Location, LossEntry } from '../vendor-adapter.port';

/** A loss of an item whose index is known only once invalid items are left out. */
export type PendingLoss = Omit<LossEntry, 'target'> & {
  /** Appended to the item's final pointer, '' for the item itself; no target when absent. */
  targetSuffix?: string;
};

export interface PendingItem<T> {
  value: T;
  origin: Location;
  losses: PendingLoss[];
}

export interface SettleInput {
  /** The record without the item sections below. */
  base: LearnerRecord;
  /** Item arrays by their pointer in the record: /grades, /evidence, /pupil/externalIdentifiers... */
  sections: Record<string, PendingItem<unknown>[]>;
  /** Where record fields came from, by pointer (the longest matching prefix wins). */
  origins: Map<string, Location>;
  fallback: Location;
  /** The field error for a record error that came from `origin` in the input. */
  placeError: (error: { pointer: string; detail: string }, origin: Location) => FieldError;
}

export type SettleOutcome =
  { kind: 'record'; record: LearnerRecord; loss: LossEntry[] } | { kind: 'rejected'; errors: FieldError[] };

export function settleRecord(input: SettleInput): SettleOutcome {
  const sections = Object.entries(input.sections).map(([pointer, items]) => ({ pointer, items: [...items] }));
  const loss: LossEntry[] = [];
  // Two rounds: the first leaves out invalid items, the second confirms what is left is valid.
  for (let round = 0; round < 2; round++) {
    // checkCandidate marks the record checked, with its JSON: the import stores it without a second
    // check, normalisation and serialisation.
    const checked = checkCandidate(assemble(input.base, sections));
    if (!('errors' in checked)) {
      for (const { pointer, items } of sections) {
        items.forEach((item, index) => {
          for (const { targetSuffix, ...entry } of item.losses) {
            loss.push(
              targetSuffix === undefined
                ? entry
                : { ...entry, target: { pointer: `${pointer}/${index}${targetSuffix}` } },
            );
          }
        });
      }
      return { kind: 'record', record: checked.record, loss };
    }
    const { errors } = checked;
    if (round === 1) break;
    const invalid = new Map<PendingItem<unknown>, string[]>();
    const fatal: FieldError[] = [];
    for (const error of errors) {
      const section = sections.find((s) => error.pointer.startsWith(`${s.pointer}/`));
      const match = section ? /^\/([0-9]+)(.*)$/.exec(error.pointer.slice(section.pointer.length)) : null;
      const item = section && match ? section.items[Number(match[1])] : undefined;
      if (item && match)
        invalid.set(item, [...(invalid.get(item) ?? []), `${match[2] || 'item'} ${error.detail}`]);
      else fatal.push(toFieldError(error, input));
    }
    if (fatal.length > 0) return { kind: 'rejected', errors: fatal };
    for (const section of sections) {
      section.items = section.items.filter((item) => {
        const problems = invalid.get(item);
        if (!problems) return true;
        loss.push({ kind: 'dropped', source: item.origin, detail: `not imported: ${problems.join('; ')}` });
        return false;
      });
    }
  }
  const errors = validateLearnerRecord(assemble(input.base, sections));
  return {
    kind: 'rejected',
    errors: errors.map((error) => toFieldError(error, input)),
  };
}

function assemble(
  base: LearnerRecord,
  sections: { pointer: string; items: PendingItem<unknown>[] }[],
): LearnerRecord {
  const record = structuredClone(base) as unknown as Record<string, unknown>;
  for (const { pointer, items } of sections) {
    const path = pointer.split('/').slice(1);
    let parent = record;
    for (const key of path.slice(0, -1)) {
      parent[key] ??= {};
      parent = parent[key] as Record<string, unknown>;
    }
    const key = path[path.length - 1];
    if (items.length > 0) parent[key] = items.map((item) => item.value);
    else delete parent[key];
  }
  // A contact left with nothing but its provenance says nothing.
  const contact = record.contact as Record<string, unknown> | undefined;
  if (contact && Object.keys(contact).every((key) => key === 'provenance')) delete record.contact;
  return record as unknown as LearnerRecord;
}

function toFieldError(error: { pointer: string; detail: string }, input: SettleInput): FieldError {
  let origin = input.fallback;
  let best = -1;
  for (const [pointer, location] of input.origins) {
    if ((error.pointer === pointer || error.pointer.startsWith(`${pointer}/`)) && pointer.length > best) {
      origin = location;
      best = pointer.length;
    }
  }
  return input.placeError(error, origin);
}

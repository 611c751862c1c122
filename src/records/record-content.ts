import { createHash } from 'node:crypto';
import { toNfc as nfc } from '../common/unicode/nfc';
import type { LearnerRecord } from './learner-record.types';

/**
 * A copy with every string in NFC, so "å" typed as a + combining ring equals the precomposed "å".
 * For records built in memory; request bodies arrive normalised from parseStrictJson.
 */
export function normaliseUnicode<T>(value: T): T {
  if (typeof value === 'string') return nfc(value) as T;
  if (Array.isArray(value)) return value.map((v) => normaliseUnicode(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k in value) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[nfc(k)] = normaliseUnicode(v);
    }
    return out as T;
  }
  return value;
}

/** JSON with keys sorted at every level: equal content gives equal bytes, whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const keys = Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The sections whose items carry provenance. */
const ITEM_SECTIONS = [
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

export interface ProvenanceDefaults {
  adapter: string;
  adapterVersion: string;
  importedAt: string;
}

/** Whether the pupil, the contact and every item already carry their provenance (an adapter's record). */
export function hasProvenance(record: LearnerRecord): boolean {
  const has = (o: unknown) => typeof o === 'object' && o !== null && 'provenance' in o;
  if (!has(record.pupil) || (record.contact !== undefined && !has(record.contact))) return false;
  for (const section of ITEM_SECTIONS) {
    const items = (record as unknown as Record<string, unknown>)[section];
    if (Array.isArray(items) && !items.every(has)) return false;
  }
  return true;
}

/**
 * Fills in provenance where the sender gave none: the record's own source, the adapter that
 * brought it in, and when. Items that arrived with provenance keep theirs.
 */
export function withProvenance(record: LearnerRecord, defaults: ProvenanceDefaults): LearnerRecord {
  const provenance = {
    sourcePlatform: record.source.platform,
    sourceId: record.source.id,
    adapter: defaults.adapter,
    adapterVersion: defaults.adapterVersion,
    importedAt: defaults.importedAt,
  };
  const out: Record<string, unknown> = { ...record };
  out.pupil = { provenance, ...record.pupil };
  if (record.contact) out.contact = { provenance, ...record.contact };
  for (const section of ITEM_SECTIONS) {
    const items = (record as unknown as Record<string, unknown>)[section];
    if (Array.isArray(items)) out[section] = items.map((item: object) => ({ provenance, ...item }));
  }
  return out as unknown as LearnerRecord;
}

import { isValidSwedishCivicNo, normaliseCivicNo } from '../records/civic-number';
import { canonicalize, isWellFormed } from './audit-canonical';
import {
  ACTOR_KINDS,
  AuditEntryInput,
  AuditJson,
  INSTALLATION_CHAIN,
  OUTCOMES,
  PreparedEntry,
} from './audit-entry';

/** A caller handed record() something the log cannot hold: a bug in the caller, never the client's input. */
export class AuditInputError extends Error {
  constructor(message: string) {
    super(`audit entry: ${message}`);
    this.name = 'AuditInputError';
  }
}

/** Keyed hash (hex) of a civic number for a kommun's chain; the number itself never reaches the log. */
export type CivicNoHasher = (kommunCode: string, civicNo: string) => string;

export const LIMITS = {
  text: 500,
  action: 100,
  recordIds: 10_000,
  civicNos: 1_000,
  sections: 50,
  detailBytes: 8_192,
  detailDepth: 8,
};

const KOMMUN = /^[0-9]{4}$/;
const ACTION = /^[a-z][a-zA-Z0-9-]*(:[a-zA-Z0-9-]+)+$/;
const SECTION = /^[A-Za-z][A-Za-z0-9_-]{0,49}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// Ten or twelve digits, with or without the separator, not part of a longer word or number.
const CIVIC_SHAPED = /(?<![0-9A-Za-z])(?:[0-9]{8}|[0-9]{6})[-+]?[0-9]{4}(?![0-9A-Za-z])/g;

/** What a civic number found in free text becomes. */
export const civicNoToken = (hash: string): string => `civic-no-hash:${hash}`;

/** Checks and normalises an input into the fields the chain will hash. Throws AuditInputError. */
export function prepareEntry(input: AuditEntryInput, hashCivicNo: CivicNoHasher): PreparedEntry {
  if (!input || typeof input !== 'object') throw new AuditInputError('not an object');
  const kommunCode = input.kommunCode ?? INSTALLATION_CHAIN;
  if (!KOMMUN.test(kommunCode)) throw new AuditInputError('kommunCode must be four digits');
  const occurred = input.occurredAt ?? new Date();
  if (!(occurred instanceof Date) || Number.isNaN(occurred.getTime())) {
    throw new AuditInputError('occurredAt must be a valid Date');
  }
  const year = occurred.getUTCFullYear();
  if (year < 2000 || year > 9999) throw new AuditInputError('occurredAt must lie between 2000 and 9999');

  const redact = (text: string): string =>
    text.replace(CIVIC_SHAPED, (match) => {
      const twelve = normaliseCivicNo(match, occurred);
      return twelve && isValidSwedishCivicNo(twelve) ? civicNoToken(hashCivicNo(kommunCode, twelve)) : match;
    });
  const text = (value: string | null | undefined, field: string, max = LIMITS.text): string | null => {
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string') throw new AuditInputError(`${field} must be a string`);
    checkText(value, field, max);
    return redact(value);
  };

  const actor = input.actor;
  if (!actor || !(ACTOR_KINDS as readonly string[]).includes(actor.kind)) {
    throw new AuditInputError(`actor.kind must be one of ${ACTOR_KINDS.join(', ')}`);
  }
  if (typeof input.action !== 'string' || input.action.length > LIMITS.action || !ACTION.test(input.action)) {
    throw new AuditInputError('action must look like area:verb');
  }
  if (!(OUTCOMES as readonly string[]).includes(input.outcome)) {
    throw new AuditInputError(`outcome must be one of ${OUTCOMES.join(', ')}`);
  }

  return {
    v: 1,
    kommunCode,
    occurredAt: occurred.toISOString(),
    actor: {
      kind: actor.kind,
      subject: text(actor.subject, 'actor.subject'),
      role: text(actor.role, 'actor.role', 50),
    },
    onBehalfOf: text(input.onBehalfOf, 'onBehalfOf'),
    action: input.action,
    outcome: input.outcome,
    pupilRecordIds: sortedUnique(list(input.pupilRecordIds, 'pupilRecordIds', LIMITS.recordIds), (id) => {
      const lower = typeof id === 'string' ? id.toLowerCase() : '';
      if (!UUID.test(lower)) throw new AuditInputError('pupilRecordIds must be UUIDs');
      return lower;
    }),
    pupilCivicNoHashes: sortedUnique(
      list(input.pupilCivicNos, 'pupilCivicNos', LIMITS.civicNos),
      (civicNo) => {
        if (typeof civicNo !== 'string') throw new AuditInputError('pupilCivicNos must be strings');
        const compact = civicNo.replace(/\s+/g, '');
        return hashCivicNo(kommunCode, normaliseCivicNo(compact, occurred) ?? compact);
      },
    ),
    sections: sortedUnique(list(input.sections, 'sections', LIMITS.sections), (s) => {
      if (typeof s !== 'string' || !SECTION.test(s))
        throw new AuditInputError('sections must be identifiers');
      return s;
    }),
    legalBasis: legalBasis(input.legalBasis),
    requestId: text(input.requestId, 'requestId', 200),
    purpose: text(input.purpose, 'purpose'),
    recipient: text(input.recipient, 'recipient'),
    detail: detail(input.detail ?? {}, redact),
  };
}

function checkText(value: string, field: string, max: number): void {
  if (value.length > max) throw new AuditInputError(`${field} is longer than ${max} characters`);
  // PostgreSQL text and jsonb hold neither NUL nor lone surrogates; refused here, not in a batch.
  if (value.includes('\u0000') || !isWellFormed(value)) {
    throw new AuditInputError(`${field} has a NUL or a lone surrogate`);
  }
}

function list<T>(value: readonly T[] | undefined, field: string, max: number): readonly T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new AuditInputError(`${field} must be an array`);
  if (value.length > max) throw new AuditInputError(`${field} has more than ${max} items`);
  return value;
}

const sortedUnique = <T>(values: readonly T[], map: (v: T) => string): string[] =>
  [...new Set(values.map(map))].sort();

function legalBasis(value: AuditEntryInput['legalBasis']): Record<string, string> | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value))
    throw new AuditInputError('legalBasis must be an object');
  const out: Record<string, string> = {};
  const entries = Object.entries(value);
  if (entries.length > LIMITS.sections) throw new AuditInputError('legalBasis has too many categories');
  for (const [category, basis] of entries) {
    if (!SECTION.test(category)) throw new AuditInputError('legalBasis keys must be category identifiers');
    if (typeof basis !== 'string') throw new AuditInputError('legalBasis values must be strings');
    checkText(basis, `legalBasis.${category}`, 200);
    out[category] = basis;
  }
  return out;
}

function detail(
  value: Readonly<Record<string, unknown>>,
  redact: (s: string) => string,
): Record<string, AuditJson> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AuditInputError('detail must be an object');
  }
  const walk = (v: unknown, depth: number): AuditJson => {
    if (depth > LIMITS.detailDepth) throw new AuditInputError('detail is nested too deeply');
    if (v === null || typeof v === 'boolean') return v;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new AuditInputError('detail holds a non-finite number');
      // A civic number written as a number is still one.
      if (Number.isInteger(v) && v >= 1e9 && v < 1e12) {
        const asText = redact(String(v).padStart(v < 1e10 ? 10 : 12, '0'));
        if (asText.startsWith('civic-no-hash:')) return asText;
      }
      return Object.is(v, -0) ? 0 : v;
    }
    if (typeof v === 'string') {
      checkText(v, 'a detail string', LIMITS.detailBytes);
      return redact(v);
    }
    if (v instanceof Date) return v.toISOString();
    if (Array.isArray(v)) return v.map((item) => walk(item, depth + 1));
    if (typeof v === 'object') {
      const out: Record<string, AuditJson> = {};
      for (const [k, item] of Object.entries(v)) {
        if (item === undefined) continue;
        checkText(k, 'a detail key', 100);
        out[k] = walk(item, depth + 1);
      }
      return out;
    }
    throw new AuditInputError(`detail holds a ${typeof v}`);
  };
  const out = walk(value, 0) as Record<string, AuditJson>;
  if (Buffer.byteLength(canonicalize(out)) > LIMITS.detailBytes) {
    throw new AuditInputError(`detail is larger than ${LIMITS.detailBytes} bytes`);
  }
  return out;
}

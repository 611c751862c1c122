// Parsing helpers shared by the CSV and JSON readers: statuses, lists, the 1.2 userIds form.
import type { OrStatus, OrUserId } from './oneroster-1.2.entities';

/** Text as NFC: a decomposed å (a + U+030A) from a Mac export becomes the one character. */
export function nfc(text: string): string {
  return /[^\u0000-\u007f]/.test(text) ? text.normalize('NFC') : text;
}

/**
 * A copy of a string that does not hold on to the text it was cut from. V8 keeps a substring of 13 or
 * more characters as a view into its parent, so one id kept from a CSV chunk kept the whole 64 KB
 * chunk alive: at 25,000 pupils the ids and shared rows the import keeps held 42 MB of CSV text in
 * the heap, and the collector ran all through the import. Concatenating flattens into a string of its
 * own (measured ~40 ns per field).
 */
export function detach(text: string): string {
  return (' ' + text).slice(1);
}

/** A row's status; undefined for a value OneRoster does not define. Empty is active (bulk files). */
export function parseStatus(value: string | undefined): OrStatus | undefined {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === 'active') return 'active';
  // OneRoster 1.1: "inactive" from 1.0 is to be read as tobedeleted.
  if (v === 'tobedeleted' || v === 'inactive') return 'tobedeleted';
  return undefined;
}

/** A CSV list field: comma-separated values, blanks dropped. */
export function parseList(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

// Characters that would break the `{type:identifier}` form, percent-encoded by export and decoded here.
const ENCODED: Record<string, string> = { '%3A': ':', '%7B': '{', '%7D': '}', '%2C': ',', '%25': '%' };

export function encodeUserIdPart(text: string): string {
  return text.replace(/[%:{},]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

function decodeUserIdPart(text: string): string {
  return text.replace(/%(3A|7B|7D|2C|25)/gi, (m) => ENCODED[m.toUpperCase()]);
}

/**
 * The 1.2 CSV userIds field: `{type:identifier},{type:identifier}`. A bare value (1.1's userId column,
 * as in the 1.1 sample) has no type.
 */
export function parseUserIds(value: string | undefined): OrUserId[] {
  if (!value) return [];
  const result: OrUserId[] = [];
  const braced = /\{([^{}]*)\}/g;
  let rest = value;
  for (let m = braced.exec(value); m; m = braced.exec(value)) {
    const inner = m[1];
    const colon = inner.indexOf(':');
    const type = colon >= 0 ? decodeUserIdPart(inner.slice(0, colon).trim()) : undefined;
    const identifier = decodeUserIdPart((colon >= 0 ? inner.slice(colon + 1) : inner).trim());
    if (identifier) result.push({ ...(type ? { type } : {}), identifier });
    rest = rest.replace(m[0], '');
  }
  for (const bare of parseList(rest)) result.push({ identifier: bare });
  return result;
}

export function formatUserIds(ids: readonly OrUserId[]): string {
  return ids.map((id) => `{${encodeUserIdPart(id.type ?? '')}:${encodeUserIdPart(id.identifier)}}`).join(',');
}

// Compares a record with its re-import except at the places loss entries name: the round-trip rule of the
// conformance kit (see conformance-kit.ts for which pointers apply to which side).
import { canonicalJson } from '../../../src/records/record-content';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const REMOVED = Symbol('named by a loss entry');

/** An array index anywhere in the pointer: such a place may be renumbered on the other side. */
export function hasArrayIndex(pointer: string): boolean {
  return /\/[0-9]+(\/|$)/.test(pointer);
}

/** RFC 6901 reference tokens, or undefined when the text is not a JSON pointer. */
export function parsePointer(pointer: string): string[] | undefined {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return undefined;
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Whether the pointer names a place that exists in the document. */
export function resolves(doc: unknown, pointer: string): boolean {
  const tokens = parsePointer(pointer);
  if (tokens === undefined) return false;
  let node: unknown = doc;
  for (const token of tokens) {
    if (Array.isArray(node)) {
      if (!/^(0|[1-9][0-9]*)$/.test(token) || Number(token) >= node.length) return false;
      node = node[Number(token)];
    } else if (node !== null && typeof node === 'object' && Object.hasOwn(node, token)) {
      node = (node as Record<string, unknown>)[token];
    } else return false;
  }
  return true;
}

/** Whether `outer` names `inner` or a place that holds it (a whole section holds its fields). */
export function pointerCovers(outer: string, inner: string): boolean {
  return outer === '' || inner === outer || inner.startsWith(`${outer}/`);
}

/**
 * The record as the comparison sees it: strings in NFC, no `provenance` anywhere, the named places removed,
 * arrays and objects left empty by that gone (an empty section is no section), object keys sorted and
 * array items sorted by their canonical JSON. Undefined when a pointer names the whole record.
 */
export function comparable(record: unknown, pointers: readonly string[]): Json | undefined {
  if (pointers.includes('')) return undefined;
  const copy = nfc(JSON.parse(JSON.stringify(record)) as Json);
  // Deepest first: an item's field is removed before the item, so indices still name what they named.
  const parsed = pointers
    .map(parsePointer)
    .filter((tokens): tokens is string[] => tokens !== undefined)
    .sort((a, b) => b.length - a.length);
  for (const tokens of parsed) mark(copy, tokens);
  return canonical(prune(copy) ?? {});
}

function mark(root: Json, tokens: string[]): void {
  let node: unknown = root;
  for (const token of tokens.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return;
    node = (node as Record<string, unknown>)[token];
  }
  const last = tokens[tokens.length - 1];
  if (Array.isArray(node)) {
    const index = Number(last);
    if (Number.isInteger(index) && index >= 0 && index < node.length) (node as unknown[])[index] = REMOVED;
  } else if (node !== null && typeof node === 'object') {
    delete (node as Record<string, unknown>)[last];
  }
}

function nfc(value: Json): Json {
  if (typeof value === 'string') return value.normalize('NFC');
  if (Array.isArray(value)) return value.map(nfc);
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [key, child] of Object.entries(value)) out[key.normalize('NFC')] = nfc(child);
    return out;
  }
  return value;
}

function prune(value: unknown): Json | undefined {
  if (value === REMOVED || value === undefined) return undefined;
  if (Array.isArray(value)) {
    const items = value.map(prune).filter((item): item is Json => item !== undefined);
    return items.length > 0 ? items : undefined;
  }
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [key, child] of Object.entries(value)) {
      if (key === 'provenance') continue;
      const pruned = prune(child);
      if (pruned !== undefined) out[key] = pruned;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
  return value as Json;
}

function canonical(value: Json): Json {
  if (Array.isArray(value)) {
    return value
      .map(canonical)
      .map((item) => [canonicalJson(item), item] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, item]) => item);
  }
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const key of Object.keys(value).sort()) out[key] = canonical(value[key]);
    return out;
  }
  return value;
}

/** Where two comparable forms differ, for people: one line per difference, at most `limit`. */
export function differences(original: Json, back: Json, limit = 12): string[] {
  const out: string[] = [];
  walk(original, back, '', out);
  return out.length > limit ? [...out.slice(0, limit), `… and ${out.length - limit} more`] : out;
}

function walk(a: Json | undefined, b: Json | undefined, path: string, out: string[]): void {
  if (a === undefined) {
    out.push(`${path || '/'}: only after the round trip: ${short(b)}`);
    return;
  }
  if (b === undefined) {
    out.push(`${path || '/'}: only in the original: ${short(a)}`);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    // Equal items cancel out; of the rest, items with the same id are compared field by field, then
    // the remaining ones pairwise in sorted order (`[~n]`), and what is left over is reported whole.
    const right = [...b];
    const left = a.filter((item) => {
      const j = right.findIndex((other) => canonicalJson(other) === canonicalJson(item));
      if (j < 0) return true;
      right.splice(j, 1);
      return false;
    });
    const rest: Json[] = [];
    for (const item of left) {
      const id = isObject(item) ? item.id : undefined;
      const j = id === undefined ? -1 : right.findIndex((other) => isObject(other) && other.id === id);
      if (j < 0) {
        rest.push(item);
        continue;
      }
      walk(item, right[j], `${path}[id=${canonicalJson(id)}]`, out);
      right.splice(j, 1);
    }
    rest.forEach((item, n) => {
      if (n < right.length) walk(item, right[n], `${path}[~${n}]`, out);
      else out.push(`${path}[]: only in the original: ${short(item)}`);
    });
    for (const item of right.slice(rest.length))
      out.push(`${path}[]: only after the round trip: ${short(item)}`);
    return;
  }
  if (isObject(a) && isObject(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort())
      walk(a[key], b[key], `${path}/${key}`, out);
    return;
  }
  if (canonicalJson(a) !== canonicalJson(b)) out.push(`${path || '/'}: ${short(a)} became ${short(b)}`);
}

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function short(value: Json | undefined): string {
  return clip(canonicalJson(value));
}

function clip(text: string): string {
  return text.length > 240 ? `${text.slice(0, 239)}…` : text;
}

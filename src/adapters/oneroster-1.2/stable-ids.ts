import { createHash } from 'node:crypto';

/**
 * A name-based UUID (RFC 9562 version 5 layout over SHA-1) for rows portabel derives, such as a pupil's
 * enrollment in a group: the same parts always give the same sourcedId, so exports are byte-identical
 * and ids stay stable between exports.
 */
export function stableId(...parts: string[]): string {
  return prefixedStableId('', ...parts);
}

/**
 * `prefix` + stableId(parts), the same string each time for the same parts: a writer that looks the id
 * up in its tables (half a million times in a kommun's export) finds it hashed already.
 */
export function prefixedStableId(prefix: string, ...parts: string[]): string {
  const name = `${prefix}\u0001${parts.join('\u0000')}`;
  const known = cache.get(name);
  if (known !== undefined) return known;
  if (cache.size >= 100_000) cache.clear();
  const id = prefix + uuidOf(parts.join('\u0000'));
  cache.set(name, id);
  return id;
}

// An export derives the same class and line item ids for every pupil graded in them: hash each once.
const cache = new Map<string, string>();

function uuidOf(name: string): string {
  const b = createHash('sha1').update(name, 'utf8').digest();
  b[6] = (b[6] & 0x0f) | 0x50; // version 5
  b[8] = (b[8] & 0x3f) | 0x80; // RFC 9562 variant
  const s = b.toString('hex', 0, 16);
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/**
 * Marks the sourcedId of a variant: a group, school, teacher or guardian that two records describe
 * differently (a class name, an organiser) gets one row per description, `<id>#portabel-variant-<hash>`,
 * and an import reads the id before the mark as the canonical id again.
 */
const VARIANT = /#portabel-variant-[0-9a-f]{8}$/;

export function variantId(id: string, content: string): string {
  return `${id}#portabel-variant-${createHash('sha1').update(content, 'utf8').digest('hex').slice(0, 8)}`;
}

export function canonicalId(sourcedId: string): string {
  return VARIANT.test(sourcedId) ? sourcedId.replace(VARIANT, '') : sourcedId;
}

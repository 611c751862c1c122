import { createHash } from 'node:crypto';

/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): the one serialisation an audit entry is hashed in,
 * chosen because any verifier can reproduce it with an off-the-shelf library (Go, Java, Python,
 * JavaScript all have one). Object keys sorted by UTF-16 code units, no whitespace, strings and
 * numbers as ECMAScript's JSON.stringify writes them (RFC 8785 §3.2.2). Values JSON cannot hold
 * (undefined, NaN, Infinity, functions, BigInt) and strings that are not well-formed UTF-16 are refused,
 * not skipped: a hash must never silently cover less than what was given.
 */
export function canonicalize(value: unknown): string {
  switch (typeof value) {
    case 'string':
      if (!isWellFormed(value)) throw new TypeError('a string with a lone surrogate cannot be canonicalised');
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${value} cannot be canonicalised`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) return `[${value.map(canonicalize).join(',')}]`;
      const object = value as Record<string, unknown>;
      // Array.prototype.sort without a comparator orders by UTF-16 code units, as RFC 8785 §3.2.3 asks.
      const keys = Object.keys(object).sort();
      return `{${keys.map((k) => `${canonicalize(k)}:${canonicalize(object[k])}`).join(',')}}`;
    }
    default:
      throw new TypeError(`a ${typeof value} cannot be canonicalised`);
  }
}

// String.prototype.isWellFormed is Node 20+; spelled out so that the types need no lib bump.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
export const isWellFormed = (s: string): boolean => !LONE_SURROGATE.test(s);

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** The prevHash of a chain's first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * An entry's hash: SHA-256 (hex) over the JCS form of the entry as the API shows it, without its own
 * `hash` member. The entry holds `prevHash`, so each hash commits to the whole chain before it.
 */
export function entryHash(entry: object): string {
  const { hash: _ignored, ...rest } = entry as { hash?: unknown };
  void _ignored;
  return sha256Hex(canonicalize(rest));
}

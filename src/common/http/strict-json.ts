import { DomainError } from '../problem/domain-error';
import { PROBLEMS } from '../problem/problem-types';

export const MAX_JSON_DEPTH = 64;

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function malformed(code: string, detail: string, pointer?: string): DomainError {
  return new DomainError(PROBLEMS.malformedRequest, code, detail, pointer !== undefined ? [{ pointer, detail }] : undefined);
}

const escapePointer = (key: string | number): string => String(key).replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Parses a JSON request body and refuses, with a 400, what would later break or silently
 * change: invalid UTF-8, lone surrogates and NUL characters (PostgreSQL's jsonb cannot store them),
 * numbers JSON.parse turns into Infinity or rounds, nesting deeper than any record needs,
 * and prototype-poisoning keys.
 */
export function parseStrictJson(body: Buffer): unknown {
  let text: string;
  try {
    text = fatalUtf8.decode(body);
  } catch {
    throw malformed('BODY.INVALID_UTF8', 'The body is not valid UTF-8.');
  }
  if (text.trim() === '') throw malformed('BODY.EMPTY', 'The body is empty; a JSON document was expected.');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw malformed('BODY.INVALID_JSON', `The body is not valid JSON: ${(e as Error).message}`);
  }
  checkTree(value);
  return value;
}

function checkString(s: string, pointer: string): void {
  if (!s.isWellFormed()) throw malformed('BODY.BAD_UNICODE', 'A string holds an unpaired surrogate.', pointer);
  if (s.includes('\u0000')) throw malformed('BODY.NUL_CHARACTER', 'A string holds a NUL character.', pointer);
}

/** Walks the parsed tree without recursion, so hostile nesting cannot overflow the stack. */
function checkTree(root: unknown): void {
  const stack: Array<{ value: unknown; pointer: string; depth: number }> = [{ value: root, pointer: '', depth: 0 }];
  while (stack.length > 0) {
    const { value, pointer, depth } = stack.pop()!;
    if (typeof value === 'string') {
      checkString(value, pointer);
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw malformed('BODY.NUMBER_RANGE', 'A number is too large.', pointer);
      if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
        throw malformed('BODY.NUMBER_PRECISION', 'An integer is too large to be represented exactly.', pointer);
      }
    } else if (value !== null && typeof value === 'object') {
      if (depth >= MAX_JSON_DEPTH) {
        throw malformed('BODY.TOO_DEEP', `The JSON is nested deeper than ${MAX_JSON_DEPTH} levels.`, pointer);
      }
      if (Array.isArray(value)) {
        value.forEach((v, i) => stack.push({ value: v, pointer: `${pointer}/${i}`, depth: depth + 1 }));
      } else {
        for (const [k, v] of Object.entries(value)) {
          const p = `${pointer}/${escapePointer(k)}`;
          checkString(k, p);
          if (k === '__proto__') {
            throw malformed('BODY.FORBIDDEN_KEY', `The key "${k}" is not allowed.`, p);
          }
          stack.push({ value: v, pointer: p, depth: depth + 1 });
        }
      }
    }
  }
}

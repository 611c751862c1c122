import { DomainError } from '../problem/domain-error';
import { PROBLEMS } from '../problem/problem-types';

export const MAX_JSON_DEPTH = 64;

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function malformed(code: string, detail: string, pointer?: string): DomainError {
  return new DomainError(
    PROBLEMS.malformedRequest,
    code,
    detail,
    pointer !== undefined ? [{ pointer, detail }] : undefined,
  );
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

interface Node {
  value: unknown;
  key: string | number | undefined;
  parent: Node | undefined;
  depth: number;
}

/** The JSON pointer of a node, built only when there is an error to report. */
function pointerOf(node: Node | undefined, lastKey?: string): string {
  const keys: Array<string | number> = lastKey === undefined ? [] : [lastKey];
  for (let n = node; n && n.key !== undefined; n = n.parent) keys.unshift(n.key);
  return keys.map((k) => `/${escapePointer(k)}`).join('');
}

function checkString(s: string, node: Node | undefined, key?: string): void {
  if (!s.isWellFormed())
    throw malformed('BODY.BAD_UNICODE', 'A string holds an unpaired surrogate.', pointerOf(node, key));
  if (s.includes('\u0000'))
    throw malformed('BODY.NUL_CHARACTER', 'A string holds a NUL character.', pointerOf(node, key));
}

/** Walks the parsed tree without recursion, so hostile nesting cannot overflow the stack. */
function checkTree(root: unknown): void {
  const stack: Node[] = [{ value: root, key: undefined, parent: undefined, depth: 0 }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const { value, depth } = node;
    if (typeof value === 'string') {
      checkString(value, node);
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value))
        throw malformed('BODY.NUMBER_RANGE', 'A number is too large.', pointerOf(node));
      if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
        throw malformed(
          'BODY.NUMBER_PRECISION',
          'An integer is too large to be represented exactly.',
          pointerOf(node),
        );
      }
    } else if (value !== null && typeof value === 'object') {
      if (depth >= MAX_JSON_DEPTH) {
        throw malformed(
          'BODY.TOO_DEEP',
          `The JSON is nested deeper than ${MAX_JSON_DEPTH} levels.`,
          pointerOf(node),
        );
      }
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++)
          stack.push({ value: value[i], key: i, parent: node, depth: depth + 1 });
      } else {
        for (const k in value) {
          checkString(k, node, k);
          if (k === '__proto__')
            throw malformed('BODY.FORBIDDEN_KEY', `The key "${k}" is not allowed.`, pointerOf(node, k));
          stack.push({
            value: (value as Record<string, unknown>)[k],
            key: k,
            parent: node,
            depth: depth + 1,
          });
        }
      }
    }
  }
}

import { DomainError } from '../problem/domain-error';
import { toNfc } from '../unicode/nfc';
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
 * Where a value parsed on its own sits in a larger document (an element handed out by a streaming
 * reader): its JSON pointer and depth, so that pointers and the depth limit are those of the document.
 */
export interface StrictJsonPlace {
  pointer: string;
  depth: number;
}

const ROOT: StrictJsonPlace = { pointer: '', depth: 0 };

/**
 * Parses a JSON request body and refuses, with a 400, what would later break or silently
 * change: invalid UTF-8, lone surrogates and NUL characters (PostgreSQL's jsonb cannot store them),
 * numbers JSON.parse turns into Infinity or rounds, nesting deeper than any record needs,
 * and prototype-poisoning keys. Every string comes back in Unicode NFC.
 */
export function parseStrictJson(body: Buffer | string, at: StrictJsonPlace = ROOT): unknown {
  let text: string;
  if (typeof body === 'string') {
    text = body;
  } else {
    try {
      text = fatalUtf8.decode(body);
    } catch {
      const detail = 'The body is not valid UTF-8.';
      throw new DomainError(PROBLEMS.malformedRequest, 'BODY.INVALID_UTF8', detail, [
        { ...placeOfBadByte(body), detail },
      ]);
    }
  }
  if (text.trim() === '') {
    const detail = 'The body is empty; a JSON document was expected.';
    throw new DomainError(PROBLEMS.malformedRequest, 'BODY.EMPTY', detail, [{ line: 1, column: 1, detail }]);
  }
  // NFC on the whole text in one native call: outside strings JSON is ASCII, which NFC leaves alone
  // and never composes with. Only \u escapes can still spell a decomposed character after parsing.
  const hasEscapes = text.includes('\\u');
  let value: unknown;
  try {
    value = JSON.parse(toNfc(text));
  } catch (e) {
    const detail = `The body is not valid JSON: ${(e as Error).message}`;
    throw new DomainError(PROBLEMS.malformedRequest, 'BODY.INVALID_JSON', detail, [
      { ...placeOf(text, e as Error), detail },
    ]);
  }
  // The full walk costs more than the parse; a scan of the text tells when it is needed.
  if (hasEscapes || needsWalk(text, at.depth)) {
    checkTree(value, at);
    if (hasEscapes) value = normaliseStrings(value);
  }
  return value;
}

/**
 * Line and column (1-based) of a JSON.parse error, from the position V8 reports; the end of the
 * text when it reports none (unexpected end of input).
 */
function placeOf(text: string, err: Error): { line: number; column: number } {
  const match = /position (\d+)/.exec(err.message);
  const position = match ? Math.min(Number(match[1]), text.length) : text.length;
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  return { line, column: position - before.lastIndexOf('\n') };
}

/** Strings to NFC, keys included (used where escapes could have hidden a decomposed character). */
export function normaliseStrings<T>(value: T): T {
  if (typeof value === 'string') return value.normalize('NFC') as T;
  if (Array.isArray(value)) return value.map((v) => normaliseStrings(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k in value) out[k.normalize('NFC')] = normaliseStrings((value as Record<string, unknown>)[k]);
    return out as T;
  }
  return value;
}

/** Line, column and byte offset of the first byte sequence that is not UTF-8. */
function placeOfBadByte(body: Buffer): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < body.length;) {
    const b = body[i];
    const len =
      b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    const valid =
      len > 0 && i + len <= body.length && body.subarray(i + 1, i + len).every((c) => (c & 0xc0) === 0x80);
    if (!valid) return { line, column: i - lineStart + 1 };
    if (b === 10) {
      line++;
      lineStart = i + 1;
    }
    i += len;
  }
  return { line, column: 1 };
}

const QUOTE = 34;
const BACKSLASH = 92;

/**
 * One pass over the text, outside strings: true when nesting goes deeper than allowed, a number is
 * long enough to lose precision or overflow, or a key could be "__proto__". Then checkTree runs and
 * says exactly where.
 */
function needsWalk(text: string, baseDepth: number): boolean {
  if (text.includes('__proto__')) return true;
  let depth = baseDepth;
  let numberLength = 0;
  let inNumber = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // Skip the string, minding escaped quotes.
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === BACKSLASH) i++;
        else if (d === QUOTE) break;
      }
      numberLength = 0;
      inNumber = false;
    } else if (c === 123 || c === 91) {
      if (++depth > MAX_JSON_DEPTH) return true;
    } else if (c === 125 || c === 93) {
      depth--;
    } else if ((c >= 48 && c <= 57) || c === 45 || (inNumber && (c === 46 || c === 43))) {
      // 16 or more characters of a number may not survive as a double.
      inNumber = true;
      if (++numberLength >= 16) return true;
    } else if (inNumber && (c === 101 || c === 69)) {
      return true; // an exponent: let the walk check the value (1e400 parses to Infinity)
    } else {
      numberLength = 0;
      inNumber = false;
    }
  }
  return false;
}

interface Node {
  value: unknown;
  key: string | number | undefined;
  parent: Node | undefined;
  depth: number;
}

/** The JSON pointer of a node, built only when there is an error to report. */
function pointerOf(node: Node | undefined, base: string, lastKey?: string): string {
  const keys: Array<string | number> = lastKey === undefined ? [] : [lastKey];
  for (let n = node; n && n.key !== undefined; n = n.parent) keys.unshift(n.key);
  return base + keys.map((k) => `/${escapePointer(k)}`).join('');
}

function checkString(s: string, node: Node | undefined, base: string, key?: string): void {
  if (!s.isWellFormed())
    throw malformed('BODY.BAD_UNICODE', 'A string holds an unpaired surrogate.', pointerOf(node, base, key));
  if (s.includes('\u0000'))
    throw malformed('BODY.NUL_CHARACTER', 'A string holds a NUL character.', pointerOf(node, base, key));
}

/** Walks the parsed tree without recursion, so hostile nesting cannot overflow the stack. */
function checkTree(root: unknown, at: StrictJsonPlace): void {
  const base = at.pointer;
  const stack: Node[] = [{ value: root, key: undefined, parent: undefined, depth: at.depth }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const { value, depth } = node;
    if (typeof value === 'string') {
      checkString(value, node, base);
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value))
        throw malformed('BODY.NUMBER_RANGE', 'A number is too large.', pointerOf(node, base));
      if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
        throw malformed(
          'BODY.NUMBER_PRECISION',
          'An integer is too large to be represented exactly.',
          pointerOf(node, base),
        );
      }
    } else if (value !== null && typeof value === 'object') {
      if (depth >= MAX_JSON_DEPTH) {
        throw malformed(
          'BODY.TOO_DEEP',
          `The JSON is nested deeper than ${MAX_JSON_DEPTH} levels.`,
          pointerOf(node, base),
        );
      }
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++)
          stack.push({ value: value[i], key: i, parent: node, depth: depth + 1 });
      } else {
        for (const k in value) {
          checkString(k, node, base, k);
          if (k === '__proto__')
            throw malformed('BODY.FORBIDDEN_KEY', `The key "${k}" is not allowed.`, pointerOf(node, base, k));
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

import type { FieldError } from '../../common/problem/domain-error';
import { DomainError } from '../../common/problem/domain-error';
import { parseStrictJson } from '../../common/http/strict-json';
import { AdapterInputError } from '../adapter-input.errors';

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * One JSON file of an import, parsed as strictly as the API parses bodies (UTF-8, no lone surrogates or
 * NUL, numbers that survive, NFC strings), refusing with the file, line and column of the first fault.
 * A UTF-8 byte order mark is allowed and skipped (RFC 8259 §8.1 lets parsers ignore it).
 */
export function parseJsonDocument(bytes: Buffer, file: string | undefined): unknown {
  const at = (detail: string, position: { line: number; column: number }): FieldError => ({
    ...(file !== undefined ? { file } : {}),
    ...position,
    detail,
  });
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    const detail = 'The file is UTF-16; SS 12000 JSON must be UTF-8.';
    throw new AdapterInputError('SS12000.ENCODING', detail, [at(detail, { line: 1, column: 1 })]);
  }
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const body = bytes.subarray(start);
  let text: string;
  try {
    text = fatalUtf8.decode(body);
  } catch {
    const offset = firstInvalidUtf8(body);
    const prefix = fatalUtf8.decode(body.subarray(0, offset));
    const detail =
      'The file is not valid UTF-8 (a Latin-1 or Windows-1252 file?); SS 12000 JSON must be UTF-8.';
    throw new AdapterInputError('SS12000.ENCODING', detail, [at(detail, lineColumn(prefix, prefix.length))]);
  }
  if (text.trim() === '') {
    const detail = 'The file is empty; an SS 12000 JSON document was expected.';
    throw new AdapterInputError('SS12000.EMPTY', detail, [at(detail, { line: 1, column: 1 })]);
  }
  try {
    return parseStrictJson(text);
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    if (err.code === 'BODY.INVALID_JSON') {
      const offset = jsonErrorOffset(text) ?? text.length;
      const detail =
        offset >= text.length
          ? 'The JSON ends too early (a truncated file?).'
          : 'The file is not valid JSON here.';
      throw new AdapterInputError('SS12000.INVALID_JSON', detail, [at(detail, lineColumn(text, offset))]);
    }
    const errors = (err.errors ?? [{ detail: err.detail }]).map((e) => ({
      ...(file !== undefined ? { file } : {}),
      ...(e.pointer !== undefined ? { pointer: e.pointer } : {}),
      detail: e.detail,
    }));
    throw new AdapterInputError(err.code.replace(/^BODY\./, 'SS12000.'), err.detail, errors);
  }
}

/** 1-based line and column (in characters) of an offset into a text. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** Offset of the first byte that breaks UTF-8 (the decoder only says that one does). */
function firstInvalidUtf8(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const length =
      b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return i;
    try {
      fatalUtf8.decode(bytes.subarray(i, i + length));
    } catch {
      return i;
    }
    i += length;
  }
  return bytes.length;
}

type Expect = 'value' | 'valueOrEnd' | 'keyOrEnd' | 'key' | 'colon' | 'commaOrEnd' | 'done';

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;

/**
 * Where a JSON text first goes wrong (the offset of the offending character, or the text's length when it
 * ends too early); undefined when it is well-formed. JSON.parse's messages do not always say.
 */
export function jsonErrorOffset(text: string): number | undefined {
  const stack: string[] = [];
  let expect: Expect = 'value';
  let i = 0;
  const after = (): Expect => (stack.length > 0 ? 'commaOrEnd' : 'done');
  for (;;) {
    WHITESPACE.lastIndex = i;
    WHITESPACE.exec(text);
    i = WHITESPACE.lastIndex;
    if (i >= text.length) return expect === 'done' ? undefined : text.length;
    const c = text[i];
    switch (expect) {
      case 'done':
        return i;
      case 'colon':
        if (c !== ':') return i;
        i++;
        expect = 'value';
        break;
      case 'commaOrEnd': {
        const top = stack[stack.length - 1];
        if (c === ',') {
          i++;
          expect = top === '{' ? 'key' : 'value';
        } else if ((c === '}' && top === '{') || (c === ']' && top === '[')) {
          stack.pop();
          i++;
          expect = after();
        } else return i;
        break;
      }
      case 'keyOrEnd':
      case 'key':
        if (c === '}' && expect === 'keyOrEnd') {
          stack.pop();
          i++;
          expect = after();
        } else if (c === '"') {
          const end = scanString(text, i);
          if (end < 0) return -end - 1;
          i = end;
          expect = 'colon';
        } else return i;
        break;
      case 'valueOrEnd':
      case 'value':
        if (c === ']' && expect === 'valueOrEnd') {
          stack.pop();
          i++;
          expect = after();
        } else if (c === '{' || c === '[') {
          stack.push(c);
          i++;
          expect = c === '{' ? 'keyOrEnd' : 'valueOrEnd';
        } else if (c === '"') {
          const end = scanString(text, i);
          if (end < 0) return -end - 1;
          i = end;
          expect = after();
        } else {
          const literal = ['true', 'false', 'null'].find((word) => text.startsWith(word, i));
          if (literal) {
            i += literal.length;
          } else {
            NUMBER.lastIndex = i;
            if (!NUMBER.exec(text)) return i;
            i = NUMBER.lastIndex;
          }
          expect = after();
        }
        break;
    }
  }
}

/** The offset just past a string starting at `start`, or -(offset of the fault) - 1. */
function scanString(text: string, start: number): number {
  for (let j = start + 1; j < text.length; j++) {
    const code = text.charCodeAt(j);
    if (code === 34) return j + 1;
    if (code < 0x20) return -j - 1;
    if (code === 92) {
      const next = text[j + 1];
      if (next === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(j + 2, j + 6))) return -j - 1;
        j += 5;
      } else if (next !== undefined && '"\\/bfnrt'.includes(next)) {
        j++;
      } else return -j - 1;
    }
  }
  return -text.length - 1;
}

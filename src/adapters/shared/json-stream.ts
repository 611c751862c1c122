// Reads a JSON document as its bytes arrive, handing out the members of the containers the caller walks
// ({"users": [...], "enrollments": [...]}, SS 12000's {"data": [...], "pageToken": ...}) one parsed value
// at a time, so that a document of any size never has to be held whole.
//
// A scanner of its own, not a streaming tokenizer from npm. On portabel's REST export of 1,200 pupils
// (48 MB), on this machine under load: JSON.parse of the whole text 0.40–0.52 s, @streamparser/json
// (paths $.*.*) 1.30 s, stream-json (pick + streamValues) 3.25 s, this reader 0.60–0.75 s with every strict
// check below. Both libraries build each value token by token in JavaScript; neither reports the line and
// column of a fault, nor refuses what strict-json refuses, and stream-json says it is not made for
// untrusted input. This one only finds where each handed-out value begins and ends (strings skipped with
// indexOf, brackets counted) and gives that value's bytes to parseStrictJson, i.e. to V8's JSON.parse.
//
// Guarantees, the same as parseStrictJson gives a whole text: UTF-8 only (UTF-16 and stray bytes refused
// with line and column, a BOM skipped), no lone surrogates or NUL, numbers that survive, nesting of at
// most MAX_JSON_DEPTH, no "__proto__" key, strings and keys in NFC. A document with several faults is
// refused at the first of them in the file, with its line and column (columns count UTF-16 units, as
// JavaScript strings do) and, for what is found inside a value, its JSON pointer.
import { isAscii, isUtf8 } from 'node:buffer';
import { MAX_JSON_DEPTH, parseStrictJson } from '../../common/http/strict-json';
import { DomainError } from '../../common/problem/domain-error';
import { jsonErrorOffset, lineColumn } from './json-syntax';

export type JsonKey = string | number;
export type JsonPath = readonly JsonKey[];
export type ContainerType = 'object' | 'array';

/** One step of a document: a walked container opens or closes, or a value is handed out whole. */
export type JsonPiece =
  | { kind: 'open'; path: JsonPath; type: ContainerType; start: number }
  | { kind: 'close'; path: JsonPath; type: ContainerType; start: number; end: number }
  | {
      kind: 'value';
      /** The walked container it sits in ([] for the root's members); the root value itself has no key. */
      parent: JsonPath;
      key: JsonKey | undefined;
      value: unknown;
      /** Byte offsets in the input: [start, end). */
      start: number;
      end: number;
    };

export interface JsonStreamOptions {
  /**
   * Whether the container at `path` is walked, its members handed out one by one, or handed out whole
   * (and so held whole, up to maxValueBytes). The root is asked too.
   */
  walk(path: JsonPath, type: ContainerType): boolean;
  /** Largest value handed out whole, in bytes (default MAX_VALUE_BYTES). */
  maxValueBytes?: number;
}

/** Largest single value (one pupil, one result, a page token) read whole: far beyond any entity. */
export const MAX_VALUE_BYTES = 10 * 1024 * 1024;

export type JsonFault =
  | 'ENCODING'
  | 'EMPTY'
  | 'INVALID_JSON'
  | 'TOO_LARGE'
  | 'DUPLICATE_KEY'
  | 'BAD_UNICODE'
  | 'NUL_CHARACTER'
  | 'NUMBER_RANGE'
  | 'NUMBER_PRECISION'
  | 'TOO_DEEP'
  | 'FORBIDDEN_KEY';

export interface JsonFaultPlace {
  line?: number;
  column?: number;
  pointer?: string;
}

/** What is wrong with the document and where; each adapter words it and gives it its own code. */
export class JsonStreamError extends Error {
  constructor(
    readonly fault: JsonFault,
    readonly detail: string,
    readonly place: JsonFaultPlace,
    /** ENCODING: the document is UTF-16. INVALID_JSON: it ends before the JSON does (truncated). */
    readonly flag?: 'utf16' | 'truncated',
  ) {
    super(detail);
  }
}

/** The JSON pointer (RFC 6901) of a path. */
export function jsonPointer(path: JsonPath, key?: JsonKey): string {
  let pointer = '';
  for (const k of path) pointer += `/${escape(k)}`;
  return key === undefined ? pointer : `${pointer}/${escape(key)}`;
}

const escape = (key: JsonKey): string =>
  typeof key === 'number' ? String(key) : key.replace(/~/g, '~0').replace(/\//g, '~1');

/** The pieces of a document read from a stream of bytes, a batch per chunk. */
export async function* readJsonPieces(
  bytes: AsyncIterable<Buffer>,
  opts: JsonStreamOptions,
): AsyncGenerator<JsonPiece[]> {
  const splitter = new JsonSplitter(opts);
  for await (const chunk of bytes) {
    const pieces = splitter.push(chunk);
    if (pieces.length > 0) yield pieces;
  }
  const last = splitter.end();
  if (last.length > 0) yield last;
}

/**
 * Builds the document back from its pieces: for a reader that needs the whole value (SS 12000's index
 * keeps every entity anyway), without ever holding the document's text.
 */
export class JsonAssembler {
  private root: unknown;
  private readonly open: (unknown[] | Record<string, unknown>)[] = [];

  add(piece: JsonPiece): void {
    if (piece.kind === 'close') {
      this.open.pop();
      return;
    }
    const value = piece.kind === 'open' ? (piece.type === 'array' ? [] : {}) : piece.value;
    const key = piece.kind === 'open' ? piece.path[piece.path.length - 1] : piece.key;
    const parent = this.open[this.open.length - 1];
    if (!parent) this.root = value;
    else if (Array.isArray(parent)) parent.push(value);
    else parent[key as string] = value; // "__proto__" never gets here: the reader refuses it
    if (piece.kind === 'open') this.open.push(value as unknown[] | Record<string, unknown>);
  }

  get value(): unknown {
    return this.root;
  }
}

const EMPTY = Buffer.alloc(0);
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const NEWLINE = 0x0a;

type Expect = 'value' | 'valueOrEnd' | 'keyOrEnd' | 'key' | 'colon' | 'commaOrEnd' | 'done';

interface Frame {
  type: ContainerType;
  path: JsonPath;
  start: number;
  /** Arrays: the index of the next element. Objects: the key of the member being read. */
  index: number;
  key: string;
  keys: Set<string> | undefined;
}

/** A value or key being read across chunks; its bytes so far, and where it began. */
interface Capture {
  what: 'key' | 'value' | 'scalar';
  parent: JsonPath;
  key: JsonKey | undefined;
  start: number;
  /** Bytes of earlier chunks; the current chunk's part starts at `from` (0 once it has carried over). */
  parts: Buffer[];
  size: number;
  from: number;
  /** Where it began: that chunk, the index in it, and the place of the chunk's first byte. */
  beginBuf: Buffer;
  beginIndex: number;
  beginLine: number;
  beginColumn: number;
  inString: boolean;
  escaped: boolean;
  /** Open brackets of a container read whole (their closing bytes), as a growable stack. */
  stack: Uint8Array;
  depth: number;
}

/**
 * The synchronous core: `push` each chunk, then `end`; each returns the pieces the bytes completed.
 * Throws a JsonStreamError at the first fault.
 */
export class JsonSplitter {
  private readonly max: number;
  private out: JsonPiece[] = [];
  private readonly frames: Frame[] = [];
  private expect: Expect = 'value';
  private cap: Capture | undefined;
  /** Absolute offset, line and column of the first byte of the chunk being scanned. */
  private abs = 0;
  private line = 1;
  private column = 1;
  /** The tail of the last chunk that ends inside a UTF-8 sequence (or the first bytes, before the BOM check). */
  private carry: Buffer | undefined;
  private first = true;
  private seen = false;
  private ended = false;
  /** The next backslash in `backslashIn` at or after the last search (-1: none up to its end). */
  private backslashIn: Buffer | undefined;
  private backslashAt = -1;

  constructor(private readonly opts: JsonStreamOptions) {
    this.max = opts.maxValueBytes ?? MAX_VALUE_BYTES;
  }

  push(chunk: Buffer): JsonPiece[] {
    if (chunk.length === 0) return this.take();
    let data = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = undefined;
    if (this.first) {
      if (data.length < 3) {
        this.carry = data;
        return this.take();
      }
      data = this.begin(data);
    }
    const cut = completeEnd(data);
    if (cut < data.length) this.carry = data.subarray(cut);
    this.scanChecked(data, cut);
    return this.take();
  }

  end(): JsonPiece[] {
    if (this.ended) return this.take();
    this.ended = true;
    let data = this.carry ?? Buffer.alloc(0);
    this.carry = undefined;
    if (this.first) data = this.begin(data);
    // Bytes held back: a multi-byte character cut off by the end of the file, or a short file.
    this.scanChecked(data, data.length);
    if (this.cap) {
      // Every byte read is in the capture's parts now.
      if (this.cap.what === 'scalar') this.finish(EMPTY, 0);
      else {
        this.faultInCapture(EMPTY, 0);
        throw this.truncated();
      }
    }
    if (!this.seen) {
      throw new JsonStreamError('EMPTY', 'The document is empty.', { line: 1, column: 1 });
    }
    if (this.expect !== 'done') throw this.truncated();
    return this.take();
  }

  private take(): JsonPiece[] {
    const out = this.out;
    if (out.length > 0) this.out = [];
    return out;
  }

  /** The first bytes: UTF-16 is refused, a UTF-8 byte order mark skipped (RFC 8259 §8.1). */
  private begin(data: Buffer): Buffer {
    this.first = false;
    if ((data[0] === 0xff && data[1] === 0xfe) || (data[0] === 0xfe && data[1] === 0xff))
      throw new JsonStreamError(
        'ENCODING',
        'The document is UTF-16; UTF-8 is expected.',
        { line: 1, column: 1 },
        'utf16',
      );
    if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) {
      this.abs = 3;
      return data.subarray(3);
    }
    return data;
  }

  /** Scans bytes [0, to) of a chunk whose UTF-8 is checked first; a bad byte ends the scan there. */
  private scanChecked(b: Buffer, to: number): void {
    const bad = isUtf8(b.subarray(0, to)) ? -1 : firstInvalidUtf8(b, to);
    this.scan(b, bad < 0 ? to : bad);
    if (bad >= 0) {
      // Within the value being read the bad byte comes first, as when the whole text is decoded first.
      const place = placeIn(b, bad, this.line, this.column);
      throw new JsonStreamError(
        'ENCODING',
        'The document is not valid UTF-8 here (a Latin-1 or Windows-1252 file?); UTF-8 is expected.',
        place,
      );
    }
    this.advance(b, to);
  }

  /** Moves the place past the chunk's bytes [0, to): its newlines and the columns after the last. */
  private advance(b: Buffer, to: number): void {
    const last = b.lastIndexOf(NEWLINE, to - 1);
    if (to > 0 && last >= 0) {
      let lines = 0;
      for (let i = b.indexOf(NEWLINE); i !== -1 && i <= last; i = b.indexOf(NEWLINE, i + 1)) lines++;
      this.line += lines;
      this.column = 1 + utf16Length(b, last + 1, to);
    } else {
      this.column += utf16Length(b, 0, to);
    }
    const cap = this.cap;
    if (cap) {
      // The capture carries over: keep its bytes of this chunk.
      if (cap.size + to - cap.from > this.max) this.tooLarge(b, to);
      if (to > cap.from) {
        cap.parts.push(b.subarray(cap.from, to));
        cap.size += to - cap.from;
      }
      cap.from = 0;
    }
    this.abs += to;
  }

  private scan(b: Buffer, to: number): void {
    let i = 0;
    while (i < to) {
      if (this.cap) {
        i = this.continueCapture(b, i, to);
        continue;
      }
      const c = b[i];
      if (c === 0x20 || c === NEWLINE || c === 0x0d || c === 0x09) {
        i++;
        continue;
      }
      this.seen = true;
      switch (this.expect) {
        case 'done':
          throw this.syntax(b, i);
        case 'colon':
          if (c !== 0x3a) throw this.syntax(b, i);
          this.expect = 'value';
          i++;
          break;
        case 'commaOrEnd': {
          const top = this.frames[this.frames.length - 1];
          if (c === 0x2c) {
            this.expect = top.type === 'object' ? 'key' : 'value';
            i++;
          } else if (c === (top.type === 'object' ? CLOSE_OBJECT : CLOSE_ARRAY)) {
            this.close(i);
            i++;
          } else throw this.syntax(b, i);
          break;
        }
        case 'keyOrEnd':
        case 'key':
          if (c === CLOSE_OBJECT && this.expect === 'keyOrEnd') {
            this.close(i);
            i++;
          } else if (c === QUOTE) {
            this.capture(b, i, 'key', true);
            i++;
          } else throw this.syntax(b, i);
          break;
        case 'valueOrEnd':
        case 'value':
          if (c === CLOSE_ARRAY && this.expect === 'valueOrEnd') {
            this.close(i);
            i++;
          } else i = this.beginValue(b, i);
          break;
      }
    }
  }

  private beginValue(b: Buffer, i: number): number {
    const c = b[i];
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      const type = c === OPEN_OBJECT ? 'object' : 'array';
      const top = this.frames[this.frames.length - 1];
      const path = top ? [...top.path, top.type === 'array' ? top.index : top.key] : [];
      if (path.length < MAX_JSON_DEPTH && this.opts.walk(path, type)) {
        const start = this.abs + i;
        this.frames.push({
          type,
          path,
          start,
          index: 0,
          key: '',
          keys: type === 'object' ? new Set() : undefined,
        });
        this.out.push({ kind: 'open', path, type, start });
        this.expect = type === 'object' ? 'keyOrEnd' : 'valueOrEnd';
        return i + 1;
      }
      const cap = this.capture(b, i, 'value', false);
      cap.stack[0] = c === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY;
      cap.depth = 1;
      return i + 1;
    }
    if (c === QUOTE) {
      this.capture(b, i, 'value', true);
      return i + 1;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x74 || c === 0x66 || c === 0x6e) {
      this.capture(b, i, 'scalar', false);
      return i + 1;
    }
    throw this.syntax(b, i);
  }

  private capture(b: Buffer, i: number, what: Capture['what'], inString: boolean): Capture {
    const top = this.frames[this.frames.length - 1];
    const cap: Capture = {
      what,
      parent: top ? top.path : [],
      key: top ? (top.type === 'array' ? top.index : what === 'key' ? undefined : top.key) : undefined,
      start: this.abs + i,
      parts: [],
      size: 0,
      from: i,
      beginBuf: b,
      beginIndex: i,
      beginLine: this.line,
      beginColumn: this.column,
      inString,
      escaped: false,
      stack: new Uint8Array(what === 'value' && !inString ? 16 : 0),
      depth: 0,
    };
    this.cap = cap;
    return cap;
  }

  /** Reads on through a captured value from i; its end completes it. Returns where scanning goes on. */
  private continueCapture(b: Buffer, i: number, to: number): number {
    const cap = this.cap!;
    if (cap.what === 'scalar') {
      for (; i < to; i++) {
        const c = b[i];
        if (
          c === 0x2c ||
          c === CLOSE_ARRAY ||
          c === CLOSE_OBJECT ||
          c === 0x20 ||
          c === NEWLINE ||
          c === 0x0d ||
          c === 0x09
        ) {
          this.finish(b, i);
          return i;
        }
      }
      return to;
    }
    if (this.backslashIn !== b) {
      this.backslashIn = b;
      this.backslashAt = -2;
    }
    while (i < to) {
      if (cap.inString) {
        if (cap.escaped) {
          cap.escaped = false;
          i++;
          continue;
        }
        const q = b.indexOf(QUOTE, i);
        // Looked for again only once the scan is past the last one found: most chunks have none.
        if (this.backslashAt !== -1 && this.backslashAt < i) this.backslashAt = b.indexOf(BACKSLASH, i);
        const backslash = this.backslashAt;
        if (backslash !== -1 && backslash < to && (q === -1 || backslash < q)) {
          cap.escaped = true;
          i = backslash + 1;
          continue;
        }
        if (q === -1 || q >= to) return to;
        cap.inString = false;
        i = q + 1;
        if (cap.depth === 0) {
          this.finish(b, i);
          return i;
        }
        continue;
      }
      const c = b[i];
      if (c === QUOTE) cap.inString = true;
      else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        if (cap.depth === cap.stack.length) {
          const grown = new Uint8Array(cap.stack.length * 2);
          grown.set(cap.stack);
          cap.stack = grown;
        }
        cap.stack[cap.depth++] = c === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY;
      } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        if (cap.stack[cap.depth - 1] !== c) {
          // A bracket that closes what is not open: the fault is here or before it.
          this.faultInCapture(b, i + 1);
          throw this.syntax(b, i);
        }
        if (--cap.depth === 0) {
          this.finish(b, i + 1);
          return i + 1;
        }
      }
      i++;
    }
    return to;
  }

  /** The capture's bytes up to `at` of the current chunk, as text. */
  private captured(b: Buffer, at: number): string {
    const cap = this.cap!;
    const tail = b.subarray(cap.from, Math.max(cap.from, at));
    const bytes = cap.parts.length === 0 ? tail : Buffer.concat([...cap.parts, tail]);
    return bytes.toString('utf8');
  }

  /** A captured value is complete at `end` (exclusive) of this chunk: parse it and hand it out. */
  private finish(b: Buffer, end: number): void {
    const cap = this.cap!;
    const size = cap.size + end - cap.from;
    if (size > this.max) this.tooLarge(b, end);
    const text = this.captured(b, end);
    this.cap = undefined;
    const top = this.frames[this.frames.length - 1];
    if (cap.what === 'key') {
      this.readKey(cap, text, top);
      this.expect = 'colon';
      return;
    }
    const pointer = jsonPointer(cap.parent, cap.key);
    let value: unknown;
    try {
      value = parseStrictJson(text, { pointer, depth: cap.parent.length + (cap.key === undefined ? 0 : 1) });
    } catch (err) {
      throw this.translate(err, cap, text);
    }
    this.out.push({
      kind: 'value',
      parent: cap.parent,
      key: cap.key,
      value,
      start: cap.start,
      end: this.abs + end,
    });
    this.afterValue();
  }

  private readKey(cap: Capture, text: string, top: Frame): void {
    let key: string;
    try {
      key = (JSON.parse(text) as string).normalize('NFC');
    } catch {
      throw this.invalidAt(cap, text, jsonErrorOffset(text) ?? text.length);
    }
    const pointer = jsonPointer(top.path, key);
    if (!key.isWellFormed())
      throw new JsonStreamError('BAD_UNICODE', 'A string holds an unpaired surrogate.', { pointer });
    if (key.includes('\u0000'))
      throw new JsonStreamError('NUL_CHARACTER', 'A string holds a NUL character.', { pointer });
    if (key === '__proto__')
      throw new JsonStreamError('FORBIDDEN_KEY', `The key "${key}" is not allowed.`, { pointer });
    if (top.keys!.has(key))
      throw new JsonStreamError('DUPLICATE_KEY', `The key "${key}" appears twice here.`, {
        ...this.beginPlace(cap),
        pointer,
      });
    top.keys!.add(key);
    top.key = key;
  }

  private afterValue(): void {
    const top = this.frames[this.frames.length - 1];
    if (!top) {
      this.expect = 'done';
      return;
    }
    if (top.type === 'array') top.index++;
    this.expect = 'commaOrEnd';
  }

  private close(i: number): void {
    const frame = this.frames.pop()!;
    this.out.push({
      kind: 'close',
      path: frame.path,
      type: frame.type,
      start: frame.start,
      end: this.abs + i + 1,
    });
    this.afterValue();
  }

  private translate(err: unknown, cap: Capture, text: string): unknown {
    if (!(err instanceof DomainError)) return err;
    if (err.code === 'BODY.INVALID_JSON')
      return this.invalidAt(cap, text, jsonErrorOffset(text) ?? text.length);
    const pointer = err.errors?.[0]?.pointer;
    return new JsonStreamError(
      err.code.replace(/^BODY\./, '') as JsonFault,
      err.detail,
      pointer !== undefined ? { pointer } : {},
    );
  }

  /** Where in the document an offset of a captured value's text is. */
  private invalidAt(cap: Capture, text: string, offset: number): JsonStreamError {
    const begin = this.beginPlace(cap);
    const within = lineColumn(text, offset);
    const place =
      within.line === 1
        ? { line: begin.line, column: begin.column + within.column - 1 }
        : { line: begin.line + within.line - 1, column: within.column };
    return offset >= text.length
      ? new JsonStreamError(
          'INVALID_JSON',
          'The JSON ends too early (a truncated file?).',
          place,
          'truncated',
        )
      : new JsonStreamError('INVALID_JSON', 'The document is not valid JSON here.', place);
  }

  private beginPlace(cap: Capture): { line: number; column: number } {
    return placeIn(cap.beginBuf, cap.beginIndex, cap.beginLine, cap.beginColumn);
  }

  /**
   * The capture has stopped at `at` (the end of the file, a bracket that does not match, its size limit):
   * a syntax fault in what it has read so far comes first. Not a number or literal merely cut off by a
   * size limit (`tru`, `1.`): those could still have become valid.
   */
  private faultInCapture(b: Buffer, at: number, cutAnywhere = false): void {
    const cap = this.cap;
    if (!cap) return;
    const text = this.captured(b, at);
    const offset = jsonErrorOffset(text);
    if (offset === undefined || offset >= text.length) return;
    if (cutAnywhere && /^[-+.0-9A-Za-z]*$/.test(text.slice(offset))) return;
    throw this.invalidAt(cap, text, offset);
  }

  private tooLarge(b: Buffer, at: number): never {
    this.faultInCapture(b, at, true);
    const cap = this.cap!;
    const pointer = cap.what === 'key' ? jsonPointer(cap.parent) : jsonPointer(cap.parent, cap.key);
    throw new JsonStreamError('TOO_LARGE', `A single value is larger than ${this.max} bytes.`, {
      ...this.beginPlace(cap),
      pointer,
    });
  }

  private syntax(b: Buffer, i: number): JsonStreamError {
    return new JsonStreamError(
      'INVALID_JSON',
      'The document is not valid JSON here.',
      placeIn(b, i, this.line, this.column),
    );
  }

  private truncated(): JsonStreamError {
    return new JsonStreamError(
      'INVALID_JSON',
      'The JSON ends too early (a truncated file?).',
      { line: this.line, column: this.column },
      'truncated',
    );
  }
}

/** Line and column of byte `at` of a chunk whose first byte is at (line, column). */
function placeIn(b: Buffer, at: number, line: number, column: number): { line: number; column: number } {
  const last = at > 0 ? b.lastIndexOf(NEWLINE, at - 1) : -1;
  if (last < 0) return { line, column: column + utf16Length(b, 0, at) };
  let lines = 0;
  for (let i = b.indexOf(NEWLINE); i !== -1 && i <= last; i = b.indexOf(NEWLINE, i + 1)) lines++;
  return { line: line + lines, column: 1 + utf16Length(b, last + 1, at) };
}

/** UTF-16 units of UTF-8 bytes [from, to): one per sequence, two for a 4-byte one. */
function utf16Length(b: Buffer, from: number, to: number): number {
  if (to <= from) return 0;
  if (isAscii(b.subarray(from, to))) return to - from;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = b[i];
    if (c < 0x80 || c >= 0xc0) n += c >= 0xf0 ? 2 : 1;
  }
  return n;
}

/** The end of the last complete UTF-8 sequence: a sequence cut by the chunk's end waits for the next. */
function completeEnd(b: Buffer): number {
  const n = b.length;
  for (let k = 1; k <= Math.min(3, n); k++) {
    const c = b[n - k];
    if (c < 0x80) return n;
    if (c >= 0xc0) {
      const length = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
      return length > k ? n - k : n;
    }
  }
  return n;
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Offset of the first byte of [0, to) that breaks UTF-8 (isUtf8 only says that one does). */
function firstInvalidUtf8(b: Buffer, to: number): number {
  let i = 0;
  while (i < to) {
    const c = b[i];
    const length =
      c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > to) return i;
    if (length > 1) {
      try {
        fatalUtf8.decode(b.subarray(i, i + length));
      } catch {
        return i;
      }
    }
    i += length;
  }
  return to;
}

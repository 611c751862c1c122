import fc from 'fast-check';
import { MAX_JSON_DEPTH, parseStrictJson } from '../../common/http/strict-json';
import { DomainError } from '../../common/problem/domain-error';
import { jsonErrorOffset, lineColumn } from './json-syntax';
import {
  JsonAssembler,
  JsonSplitter,
  JsonStreamError,
  type JsonPath,
  type JsonPiece,
  type JsonStreamOptions,
} from './json-stream';

/** Root and its members walked, like the OneRoster and SS 12000 readers do. */
const WALK: JsonStreamOptions['walk'] = (path) =>
  path.length === 0 || (path.length === 1 && typeof path[0] === 'string');

interface Outcome {
  value?: unknown;
  fault?: string;
  line?: number;
  column?: number;
  pointer?: string;
}

/** The document fed in chunks of the given sizes (cycled), reassembled; or its fault. */
function streamed(bytes: Buffer, sizes: number[], opts: Partial<JsonStreamOptions> = {}): Outcome {
  const splitter = new JsonSplitter({ walk: WALK, ...opts });
  const assembler = new JsonAssembler();
  try {
    let at = 0;
    for (let k = 0; at < bytes.length; k++) {
      const size = Math.max(1, sizes[k % sizes.length]);
      for (const piece of splitter.push(bytes.subarray(at, at + size))) assembler.add(piece);
      at += size;
    }
    for (const piece of splitter.end()) assembler.add(piece);
    return { value: assembler.value };
  } catch (err) {
    if (!(err instanceof JsonStreamError)) throw err;
    return { fault: err.fault, ...err.place };
  }
}

/** What a strict parse of the whole text says: the reference the streaming reader must agree with. */
function whole(bytes: Buffer): Outcome {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
    return { fault: 'ENCODING', line: 1, column: 1 };
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let text: string;
  try {
    text = decoder.decode(body);
  } catch {
    let good = 0;
    for (let n = body.length; n >= 0; n--) {
      try {
        decoder.decode(body.subarray(0, n));
        good = n;
        break;
      } catch {
        continue;
      }
    }
    const prefix = decoder.decode(body.subarray(0, good));
    return { fault: 'ENCODING', ...lineColumn(prefix, prefix.length) };
  }
  if (text.trim() === '') return { fault: 'EMPTY', line: 1, column: 1 };
  try {
    return { value: parseStrictJson(text) };
  } catch (err) {
    const e = err as DomainError;
    if (e.code === 'BODY.INVALID_JSON')
      return { fault: 'INVALID_JSON', ...lineColumn(text, jsonErrorOffset(text) ?? text.length) };
    return { fault: e.code.replace('BODY.', ''), pointer: e.errors?.[0]?.pointer };
  }
}

const STRICT = ['NUMBER_PRECISION', 'NUMBER_RANGE', 'BAD_UNICODE', 'NUL_CHARACTER', 'FORBIDDEN_KEY'];

const SAMPLE = Buffer.from(
  [
    '{"users": [',
    '  {"sourcedId": "u-1", "givenName": "Åsa", "familyName": "Öberg", "n": 12, "ok": true},',
    '  {"sourcedId": "u-2", "givenName": "Per 😀", "note": "a \\"quoted\\" [bracket} \\\\", "x": null},',
    '  {"sourcedId": "u-3", "roles": [{"role": "student", "org": {"sourcedId": "s"}}], "f": -1.5e3}',
    '],',
    '"pageToken": "nästa",',
    '"data": {"persons": ["p1", "p2"]},',
    '"empty": [], "none": {}, "flag": false',
    '}',
    '',
  ].join('\n'),
);

describe('JsonSplitter', () => {
  it('hands out each element of the walked arrays with its place, never the whole document', () => {
    const splitter = new JsonSplitter({ walk: WALK });
    const pieces: JsonPiece[] = [];
    for (let i = 0; i < SAMPLE.length; i += 16) pieces.push(...splitter.push(SAMPLE.subarray(i, i + 16)));
    pieces.push(...splitter.end());
    const values = pieces.filter((p) => p.kind === 'value');
    expect(values.map((p) => [p.parent, p.key])).toEqual([
      [['users'], 0],
      [['users'], 1],
      [['users'], 2],
      [[], 'pageToken'],
      [['data'], 'persons'],
      [[], 'flag'],
    ]);
    const second = values[1];
    expect(second.value).toEqual({
      sourcedId: 'u-2',
      givenName: 'Per 😀',
      note: 'a "quoted" [bracket} \\',
      x: null,
    });
    expect(SAMPLE.subarray(second.start, second.end).toString()).toBe(
      '{"sourcedId": "u-2", "givenName": "Per 😀", "note": "a \\"quoted\\" [bracket} \\\\", "x": null}',
    );
    const users = pieces.find(
      (p): p is Extract<JsonPiece, { kind: 'close' }> => p.kind === 'close' && p.path.join() === 'users',
    );
    expect(users && SAMPLE.subarray(users.start, users.end).toString()).toMatch(/^\[\n {2}\{.*\}\n\]$/s);
  });

  it('gives what a strict parse of the whole text gives, however the bytes are chunked', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.oneof(fc.array(fc.jsonValue({ maxDepth: 4 })), fc.jsonValue())),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        (doc, sizes, pretty) => {
          const bytes = Buffer.from(JSON.stringify(doc, null, pretty ? 2 : undefined));
          const expected = whole(bytes);
          const actual = streamed(bytes, sizes);
          if (expected.pointer === undefined) expect(actual).toEqual(expected);
          // Several such faults: the whole parse's walk names one, the stream the first in the file.
          else expect(STRICT).toContain(actual.fault);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses the sample cut at every byte where a whole parse does, with the same line and column', () => {
    for (let cut = 0; cut < SAMPLE.length; cut++) {
      const bytes = SAMPLE.subarray(0, cut);
      const expected = whole(bytes);
      for (const sizes of [[1], [3], [7, 2], [64]]) {
        const actual = streamed(bytes, sizes);
        if (JSON.stringify(actual) !== JSON.stringify(expected))
          throw new Error(
            `cut at ${cut}, chunks ${sizes.join()}: ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`,
          );
      }
    }
  });

  it('refuses a stray byte or a syntax fault anywhere at the place a whole parse says', () => {
    for (let at = 0; at < SAMPLE.length; at++) {
      for (const byte of [0xff, 0xc3, 0x80, 0x78, 0x5d, 0x7d, 0x3a]) {
        const bytes = Buffer.from(SAMPLE);
        bytes[at] = byte;
        const expected = whole(bytes);
        for (const sizes of [[1], [5], [at || 1, 64]]) {
          const actual = streamed(bytes, sizes);
          if (JSON.stringify(actual) !== JSON.stringify(expected))
            throw new Error(
              `0x${byte.toString(16)} at ${at}, chunks ${sizes.join()}: ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`,
            );
        }
      }
    }
  });

  it('reads a character split across chunks, and refuses a bad byte right at a chunk boundary', () => {
    const text = '{"a": ["Åsa Öberg 😀 é"]}';
    const bytes = Buffer.from(text);
    for (let split = 1; split < bytes.length; split++)
      expect(streamed(bytes, [split, bytes.length])).toEqual({ value: { a: ['Åsa Öberg 😀 é'] } });

    // "Å" in Latin-1 (0xC5) followed by "s": not UTF-8, whichever chunk the byte ends or starts.
    const latin1 = Buffer.concat([
      Buffer.from('{"a": [\n"ok", "'),
      Buffer.from([0xc5]),
      Buffer.from('sa"]}'),
    ]);
    for (let split = 1; split < latin1.length; split++)
      expect(streamed(latin1, [split, latin1.length])).toEqual({ fault: 'ENCODING', line: 2, column: 8 });
    // A character cut by the end of the file.
    expect(streamed(Buffer.from([...Buffer.from('{"a": "'), 0xf0, 0x9f]), [3])).toEqual({
      fault: 'ENCODING',
      line: 1,
      column: 8,
    });
  });

  it('reads a string and an element split across many chunks', () => {
    const long = 'x'.repeat(5000) + '\\"' + 'ö'.repeat(3000) + '\\\\';
    const bytes = Buffer.from(`{"users":[{"bio":"${long}"},{"n":1}],"t":"${long}"}`);
    const expected = { users: [{ bio: JSON.parse(`"${long}"`) }, { n: 1 }], t: JSON.parse(`"${long}"`) };
    for (const sizes of [[1], [2, 3], [4096], [7, 1, 13]])
      expect(streamed(bytes, sizes)).toEqual({ value: expected });
  });

  it('refuses UTF-16, an empty document, and skips a UTF-8 BOM', () => {
    expect(streamed(Buffer.from('\ufeff{"a":[1]}', 'utf16le'), [5])).toEqual({
      fault: 'ENCODING',
      line: 1,
      column: 1,
    });
    expect(streamed(Buffer.alloc(0), [1])).toEqual({ fault: 'EMPTY', line: 1, column: 1 });
    expect(streamed(Buffer.from(' \n\t '), [1])).toEqual({ fault: 'EMPTY', line: 1, column: 1 });
    expect(streamed(Buffer.from([0xef, 0xbb, 0xbf]), [1])).toEqual({ fault: 'EMPTY', line: 1, column: 1 });
    expect(streamed(Buffer.from('\ufeff{"a": [1, 2]}'), [1])).toEqual({ value: { a: [1, 2] } });
    expect(streamed(Buffer.from('\ufeff{"a": [1, x]}'), [2])).toEqual({
      fault: 'INVALID_JSON',
      line: 1,
      column: 11,
    });
  });

  it('refuses what strict-json refuses, at its pointer in the document', () => {
    const fault = (text: string) => streamed(Buffer.from(text), [4]);
    expect(fault('{"users":[{},{"name":"a\\u0000b"}]}')).toEqual({
      fault: 'NUL_CHARACTER',
      pointer: '/users/1/name',
    });
    expect(fault('{"users":[{"x":["\\ud83d"]}]}')).toEqual({ fault: 'BAD_UNICODE', pointer: '/users/0/x/0' });
    expect(fault('{"users":[{"n":12345678901234567890}]}')).toEqual({
      fault: 'NUMBER_PRECISION',
      pointer: '/users/0/n',
    });
    expect(fault('{"count":1e400}')).toEqual({ fault: 'NUMBER_RANGE', pointer: '/count' });
    expect(fault('{"users":[{"__proto__":{}}]}')).toEqual({
      fault: 'FORBIDDEN_KEY',
      pointer: '/users/0/__proto__',
    });
    expect(fault('{"__proto__":[]}')).toEqual({ fault: 'FORBIDDEN_KEY', pointer: '/__proto__' });
    expect(fault('{"a\\u0000":[]}')).toEqual({ fault: 'NUL_CHARACTER', pointer: '/a\u0000' });
    // The depth limit counts from the document's root, not from the element.
    const nested = (n: number) => `{"users":[${'['.repeat(n)}${']'.repeat(n)}]}`;
    expect(fault(nested(MAX_JSON_DEPTH - 2))).toEqual({
      value: { users: [JSON.parse(nested(MAX_JSON_DEPTH - 2)).users[0]] },
    });
    expect(fault(nested(MAX_JSON_DEPTH - 1)).fault).toBe('TOO_DEEP');
  });

  it('gives strings and keys back in NFC', () => {
    const decomposed = 'A\u030asa';
    const doc = `{"${decomposed}":[{"n":"${decomposed}","e":"A\\u030a"}]}`;
    expect(streamed(Buffer.from(doc), [3])).toEqual({ value: { Åsa: [{ n: 'Åsa', e: 'Å' }] } });
  });

  it('refuses a key twice in a walked object, and a value over the limit, at their pointers', () => {
    expect(streamed(Buffer.from('{"users":[],\n "users":[]}'), [4])).toEqual({
      fault: 'DUPLICATE_KEY',
      line: 2,
      column: 2,
      pointer: '/users',
    });
    const big = Buffer.from(`{"users":[{"a":1},\n{"bio":"${'x'.repeat(300)}"}]}`);
    expect(streamed(big, [16], { maxValueBytes: 200 })).toEqual({
      fault: 'TOO_LARGE',
      line: 2,
      column: 1,
      pointer: '/users/1',
    });
    expect(streamed(big, [16], { maxValueBytes: 400 }).value).toBeDefined();
    // A syntax fault before the limit is reached comes first.
    const broken = Buffer.from(`{"users":[{"a" 1, "bio":"${'x'.repeat(300)}"}]}`);
    expect(streamed(broken, [16], { maxValueBytes: 200 })).toEqual({
      fault: 'INVALID_JSON',
      line: 1,
      column: 16,
    });
  });

  it('says where each walked container is, for reading it again', () => {
    const splitter = new JsonSplitter({ walk: WALK });
    const pieces = [...splitter.push(SAMPLE), ...splitter.end()];
    const spans = pieces
      .filter((p): p is Extract<JsonPiece, { kind: 'close' }> => p.kind === 'close')
      .map((p): [JsonPath, string] => [p.path, SAMPLE.subarray(p.start, p.end).toString()]);
    expect(spans.map(([path]) => path)).toEqual([['users'], ['data'], ['empty'], ['none'], []]);
    for (const [, text] of spans) expect(() => JSON.parse(text)).not.toThrow();
  });
});

import { isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { inputError, OR_ERRORS } from './oneroster-1.2.errors';
import { badZip } from './zip-archive';

/** One CSV record: its fields and the physical line it starts on (header = 1). */
export interface CsvRecord {
  cells: string[];
  line: number;
}

/**
 * Reads CSV as it streams: UTF-8 only (a BOM is skipped), CRLF or LF, RFC 4180 quoting (a quote inside
 * an unquoted field is kept as it is), blank lines skipped. Refuses, with the place: bytes that are not
 * UTF-8, a field over `maxFieldBytes`, an unclosed quote or text after a closing one, a record with more
 * or fewer fields than the header. Yields the header as the first record.
 *
 * Its own parser rather than csv-parse: the bundles of a whole kommun hold half a million rows, and
 * csv-parse's per-character state machine was a fifth of an import's time; this one jumps from
 * delimiter to delimiter with indexOf.
 */
export async function* readCsv(
  bytes: Readable,
  file: string,
  maxFieldBytes: number,
): AsyncGenerator<CsvRecord> {
  for await (const records of readCsvBatches(bytes, file, maxFieldBytes)) yield* records;
}

/**
 * readCsv's records as each piece of the input completes them, never an empty batch: a kommun's files
 * hold a million and a half rows, and a step of an async generator per row was a tenth of reading them.
 */
export async function* readCsvBatches(
  bytes: Readable,
  file: string,
  maxFieldBytes: number,
): AsyncGenerator<CsvRecord[]> {
  const checker = new Utf8Check();
  const parser = new CsvParser(file, maxFieldBytes);
  const decoder = new StringDecoder('utf8');
  let width = -1;
  // A piece's good records, then the fault of the first bad one: what a reader row by row would see.
  const accept = function* (records: CsvRecord[]): Generator<CsvRecord[]> {
    let kept = 0;
    try {
      for (const record of records) {
        const { cells, line } = record;
        if (cells.length === 1 && cells[0] === '' && width !== 1) continue;
        if (checker.badLine !== undefined)
          checkEncoding(cells, line, line + countNewlines(cells), checker.badLine, file);
        if (width < 0) width = cells.length;
        else if (cells.length !== width)
          throw inputError(
            OR_ERRORS.csvSyntax,
            `${file} line ${line} has ${cells.length} fields, the header ${width}`,
            { file, line },
          );
        records[kept++] = record;
      }
    } catch (error) {
      if (kept > 0) yield records.slice(0, kept);
      throw error;
    }
    records.length = kept;
    if (kept > 0) yield records;
  };
  try {
    for await (const chunk of bytes as AsyncIterable<Buffer>) {
      if (checker.badLine === undefined) checker.check(chunk, false);
      yield* accept(parser.push(decoder.write(chunk), false));
    }
    if (checker.badLine === undefined) checker.check(Buffer.alloc(0), true);
    yield* accept(parser.push(decoder.end(), true));
  } catch (error) {
    throw translate(error, file);
  }
  if (checker.badLine !== undefined) throw notUtf8(file, checker.badLine);
}

/**
 * RFC 4180 records from text that arrives in pieces. Keeps only the unfinished record between pieces
 * (at most a field's limit of it), and counts physical lines, quoted line breaks included.
 */
class CsvParser {
  private text = '';
  private line = 1;
  private first = true;

  constructor(
    private readonly file: string,
    private readonly maxField: number,
  ) {}

  /** The records the text completes; with `last`, the rest too (a final line without a line break). */
  push(piece: string, last: boolean): CsvRecord[] {
    let s = this.text + piece;
    if (this.first && s.length > 0) {
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
      this.first = false;
    }
    const out: CsvRecord[] = [];
    let pos = 0;
    const n = s.length;
    let commaAt = s.indexOf(',');
    let lfAt = s.indexOf('\n');
    while (pos < n) {
      const cells: string[] = [];
      let i = pos;
      let breaks = 0;
      let complete = false;
      for (;;) {
        if (s.charCodeAt(i) === 34 /* " */) {
          let value = '';
          let j = i + 1;
          let closed = -1;
          for (;;) {
            const q = s.indexOf('"', j);
            if (q < 0 || (q === n - 1 && !last)) break;
            if (s.charCodeAt(q + 1) === 34) {
              value += s.slice(j, q + 1);
              j = q + 2;
              continue;
            }
            value += s.slice(j, q);
            closed = q;
            break;
          }
          if (closed < 0) {
            this.tooLarge(n - i, cells.length + 1);
            if (last)
              throw this.syntax(
                `a quoted field at line ${this.line} is not closed`,
                this.line,
                cells.length + 1,
              );
            break;
          }
          this.tooLarge(value.length, cells.length + 1);
          breaks += countNewlines([value]);
          cells.push(value);
          i = closed + 1;
          const c = s.charCodeAt(i);
          if (i >= n) {
            if (!last) break;
            complete = true;
            break;
          }
          if (c === 44 /* , */) {
            i++;
            continue;
          }
          if (c === 10 || (c === 13 && s.charCodeAt(i + 1) === 10)) {
            i += c === 10 ? 1 : 2;
            complete = true;
            break;
          }
          if (c === 13 && i + 1 >= n && !last) break;
          throw this.syntax(
            `text after the closing quote of a field at line ${this.line + breaks}`,
            this.line + breaks,
            cells.length,
          );
        }
        // The next comma and line break, searched again only once passed (-1: none in the rest).
        if (commaAt >= 0 && commaAt < i) commaAt = s.indexOf(',', i);
        if (lfAt >= 0 && lfAt < i) lfAt = s.indexOf('\n', i);
        const comma = commaAt;
        const lf = lfAt;
        if (comma >= 0 && (lf < 0 || comma < lf)) {
          this.tooLarge(comma - i, cells.length + 1);
          cells.push(s.slice(i, comma));
          i = comma + 1;
          if (i >= n && !last) break;
          if (i >= n) {
            cells.push('');
            complete = true;
            break;
          }
          continue;
        }
        if (lf < 0 && !last) {
          this.tooLarge(n - i, cells.length + 1);
          break;
        }
        const end = lf < 0 ? n : lf;
        const cut = end > i && s.charCodeAt(end - 1) === 13 ? end - 1 : end;
        this.tooLarge(cut - i, cells.length + 1);
        cells.push(s.slice(i, cut));
        i = lf < 0 ? n : lf + 1;
        complete = true;
        break;
      }
      if (!complete) break;
      out.push({ cells, line: this.line });
      this.line += 1 + breaks;
      pos = i;
    }
    this.text = s.slice(pos);
    return out;
  }

  private tooLarge(length: number, column: number): void {
    if (length > this.maxField)
      throw inputError(
        OR_ERRORS.fieldTooLarge,
        `${this.file}: a field at line ${this.line} is larger than allowed`,
        { file: this.file, line: this.line, column },
      );
  }

  /** A syntax fault at a line and column (the field's number, as the other CSV errors count). */
  private syntax(detail: string, line: number, column: number): Error {
    return inputError(OR_ERRORS.csvSyntax, `${this.file}: ${detail}`, { file: this.file, line, column });
  }
}

function checkEncoding(record: string[], start: number, end: number, badLine: number, file: string): void {
  if (badLine > end) return;
  const index = record.findIndex((cell) => cell.includes('\uFFFD'));
  if (index >= 0 && badLine >= start) throw notUtf8(file, badLine, index + 1);
  throw notUtf8(file, badLine);
}

function notUtf8(file: string, line: number, column?: number): Error {
  return inputError(
    OR_ERRORS.encoding,
    `${file} is not UTF-8 at line ${line}: OneRoster files must be UTF-8 (this looks like Latin-1 or Windows-1252); re-export as UTF-8`,
    { file, line, ...(column !== undefined ? { column } : {}) },
  );
}

/** Errors of the bytes themselves (a corrupt zip entry) are the zip's; the parser's are already places. */
function translate(error: unknown, file: string): unknown {
  if (!(error instanceof Error)) return error;
  if ('problem' in error) return error;
  return badZip(error, file);
}

function countNewlines(cells: string[]): number {
  let n = 0;
  for (const cell of cells) {
    for (let i = cell.indexOf('\n'); i >= 0; i = cell.indexOf('\n', i + 1)) n++;
  }
  return n;
}

/**
 * Notes the first line with bytes that are not UTF-8 (the decoder turns them into U+FFFD, so parsing
 * goes on to the record that holds them), so the reader can point at the field.
 */
class Utf8Check {
  badLine?: number;
  private carry: Buffer = Buffer.alloc(0);
  private linesBefore = 0;

  check(chunk: Buffer, last: boolean): void {
    const buf = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const cut = last ? buf.length : completeLength(buf);
    const whole = buf.subarray(0, cut);
    if (!isUtf8(whole)) {
      this.badLine = this.linesBefore + countLf(whole.subarray(0, firstInvalid(whole))) + 1;
      return;
    }
    this.linesBefore += countLf(whole);
    this.carry = Buffer.from(buf.subarray(cut));
  }
}

/** Length of the prefix that does not end inside a multi-byte sequence. */
function completeLength(buf: Buffer): number {
  for (let back = 1; back <= 3 && back <= buf.length; back++) {
    const byte = buf[buf.length - back];
    if ((byte & 0xc0) !== 0x80) {
      const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
      return need > back ? buf.length - back : buf.length;
    }
  }
  return buf.length;
}

/** Offset of the first byte that breaks UTF-8 (only called once a buffer is known to be invalid). */
export function firstInvalid(buf: Buffer): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i];
    const need =
      b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (need === 0 || i + need > buf.length || !isUtf8(buf.subarray(i, i + need))) return i;
    i += need;
  }
  return buf.length;
}

function countLf(buf: Buffer): number {
  let n = 0;
  for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

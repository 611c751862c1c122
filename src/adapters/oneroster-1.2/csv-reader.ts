import { isUtf8 } from 'node:buffer';
import { pipeline, type Readable, Transform, type TransformCallback } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import { inputError, OR_ERRORS } from './oneroster-1.2.errors';
import { badZip } from './zip-archive';

/** One CSV record: its fields and the physical line it starts on (header = 1). */
export interface CsvRecord {
  cells: string[];
  line: number;
}

/**
 * Reads CSV as it streams: UTF-8 only (a BOM is skipped), CRLF or LF, RFC 4180 quoting, blank lines
 * skipped. Refuses, with the place: bytes that are not UTF-8, a field over `maxFieldBytes`, an unclosed
 * quote, a record with more or fewer fields than the header. Yields the header as the first record.
 */
export async function* readCsv(
  bytes: Readable,
  file: string,
  maxFieldBytes: number,
): AsyncGenerator<CsvRecord> {
  const checker = new Utf8Checker();
  // Lines are counted here rather than with csv-parse's `info`, which costs an object per record.
  const parser = parse({
    bom: true,
    relax_quotes: true,
    relax_column_count: true,
    max_record_size: maxFieldBytes,
  });
  let streamError: Error | undefined;
  pipeline(bytes, checker, parser, (err) => {
    if (err) streamError = err;
  });
  let line = 0;
  let width = -1;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      const start = line + 1;
      line = start + countNewlines(record);
      if (record.length === 1 && record[0] === '' && width !== 1) continue;
      if (checker.badLine !== undefined) checkEncoding(record, start, line, checker.badLine, file);
      if (width < 0) width = record.length;
      else if (record.length !== width)
        throw inputError(
          OR_ERRORS.csvSyntax,
          `${file} line ${start} has ${record.length} fields, the header ${width}`,
          { file, line: start },
        );
      yield { cells: record, line: start };
    }
  } catch (error) {
    throw translate(streamError ?? error, file, line + 1);
  }
  if (streamError) throw translate(streamError, file, line + 1);
  if (checker.badLine !== undefined) throw notUtf8(file, checker.badLine);
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

function translate(error: unknown, file: string, nextLine: number): unknown {
  if (!(error instanceof Error)) return error;
  if ('problem' in error) return error;
  const code = (error as Partial<CsvError>).code;
  if (typeof code !== 'string' || !code.startsWith('CSV_')) return badZip(error, file);
  const csv = error as CsvError & { column?: number | string; lines?: number };
  // Records parsed before the error may never reach the loop, so csv-parse's own count is the better one.
  const line = typeof csv.lines === 'number' && csv.lines > 0 ? csv.lines : nextLine;
  const where = { file, line };
  if (code === 'CSV_MAX_RECORD_SIZE') {
    const column = typeof csv.column === 'number' ? { column: csv.column + 1 } : {};
    return inputError(OR_ERRORS.fieldTooLarge, `${file}: a field at line ${line} is larger than allowed`, {
      ...where,
      ...column,
    });
  }
  return inputError(OR_ERRORS.csvSyntax, `${file}: ${error.message}`, where);
}

function countNewlines(cells: string[]): number {
  let n = 0;
  for (const cell of cells) {
    for (let i = cell.indexOf('\n'); i >= 0; i = cell.indexOf('\n', i + 1)) n++;
  }
  return n;
}

/**
 * Passes the bytes on (csv-parse decodes them, bad bytes becoming U+FFFD, so parsing can go on to the
 * record that holds them) and notes the first line with bytes that are not UTF-8, so the reader can
 * point at the field.
 */
class Utf8Checker extends Transform {
  badLine?: number;
  private carry: Buffer = Buffer.alloc(0);
  private linesBefore = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.badLine === undefined) this.check(chunk, false);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.badLine === undefined) this.check(Buffer.alloc(0), true);
    done();
  }

  private check(chunk: Buffer, last: boolean): void {
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

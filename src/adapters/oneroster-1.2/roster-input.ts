// Which binding an input is, and opening it as a RosterSource: a CSV zip (manifest.csv), a zip of REST
// JSON responses, or one REST JSON document (of any size: it is read as it streams).
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { AdapterInput } from '../vendor-adapter.port';
import { CsvRosterSource } from './csv-source';
import { JsonRosterSource, type JsonDocument } from './json-source';
import type { RosterSource } from './oneroster-1.2.entities';
import { inputError, OR_ERRORS } from './oneroster-1.2.errors';
import type { OneRosterOptions } from './oneroster-1.2.options';
import { badZip, ZipArchive } from './zip-archive';

export async function openRoster(input: AdapterInput, opts: OneRosterOptions): Promise<RosterSource> {
  const head = await readHead(input.path, 8);
  const first = firstNonSpace(head);
  const looksJson = first === 0x7b || first === 0xef || isUtf16(head);
  const saysCsv = /^text\/csv\b/i.test(input.mediaType ?? '');
  // Errors name the file; an upload without a name is named by what it is.
  const file =
    input.fileName ??
    (isZip(head) ? 'input.zip' : looksJson ? 'input.json' : saysCsv ? 'input.csv' : 'input');
  const jsonOptions = { maxFieldBytes: opts.maxFieldBytes };
  if (isZip(head)) {
    const zip = await ZipArchive.open(input.path, file);
    try {
      if (zip.has('manifest.csv') || !zip.names().some((n) => n.toLowerCase().endsWith('.json')))
        return await CsvRosterSource.open(zip, {
          maxFieldBytes: opts.maxFieldBytes,
          fieldAliases: opts.fieldAliases,
        });
      const documents = zip
        .names()
        .filter((n) => n.toLowerCase().endsWith('.json'))
        .sort()
        .map((name) => zipDocument(zip, name));
      // The source reads the entries again on each read(file), and closes the zip when it is closed.
      return await JsonRosterSource.open(documents, jsonOptions, () => zip.close());
    } catch (error) {
      zip.close();
      throw error;
    }
  }
  // A JSON object, possibly behind a UTF-8 BOM; UTF-16 is read to be refused with its place.
  if (looksJson) return JsonRosterSource.open([fileDocument(input.path, file)], jsonOptions);
  if (input.fileName?.toLowerCase().endsWith('.zip') || input.mediaType === 'application/zip')
    throw inputError(OR_ERRORS.badZip, `${file} is not a readable zip: it does not begin with a zip header`, {
      file,
    });
  if (file.toLowerCase().endsWith('.csv'))
    throw inputError(
      OR_ERRORS.unrecognised,
      `${file} is one CSV file: OneRoster CSV is read as a zip of its files with manifest.csv (users.csv alone does not say which file it is, nor carry the orgs and enrolments a pupil needs)`,
      { file },
    );
  throw inputError(OR_ERRORS.unrecognised, `${file} is neither a OneRoster CSV zip nor OneRoster JSON`, {
    file,
  });
}

/** The upload itself: a byte range is read straight from the file. */
function fileDocument(path: string, file: string): JsonDocument {
  return {
    file,
    bytes: (range) =>
      Promise.resolve(
        createReadStream(
          path,
          range ? { start: range.start, end: range.end - 1 } : {},
        ) as AsyncIterable<Buffer>,
      ),
  };
}

/** An entry of the zip: decompressed from its start each time, the bytes before a range skipped. */
function zipDocument(zip: ZipArchive, name: string): JsonDocument {
  return {
    file: name,
    bytes: async (range) => {
      const stream = await zip.openEntry(name.split('/').pop() ?? name);
      return entryBytes(stream, name, range);
    },
  };
}

async function* entryBytes(
  stream: Readable,
  name: string,
  range: { start: number; end: number } | undefined,
): AsyncGenerator<Buffer> {
  let at = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (!range) {
        yield chunk;
        continue;
      }
      const from = Math.max(range.start - at, 0);
      const to = Math.min(range.end - at, chunk.length);
      at += chunk.length;
      if (to > from) yield chunk.subarray(from, to);
      if (at >= range.end) break;
    }
  } catch (error) {
    // Corrupt compressed data shows only as the stream fails.
    throw error instanceof Error && !('problem' in error) ? badZip(error, name) : error;
  }
}

function isUtf16(head: Buffer): boolean {
  return (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff);
}

export function isZip(head: Buffer): boolean {
  return (
    head.length >= 4 &&
    head[0] === 0x50 &&
    head[1] === 0x4b &&
    (head[2] === 3 || head[2] === 5) &&
    (head[3] === 4 || head[3] === 6)
  );
}

async function readHead(path: string, bytes: number): Promise<Buffer> {
  const { open } = await import('node:fs/promises');
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function firstNonSpace(head: Buffer): number | undefined {
  return head.find((b) => b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d);
}

import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { open as openZip, type Entry, type ZipFile } from 'yauzl';
import type { FieldError } from '../../common/problem/domain-error';
import { AdapterInputError } from '../adapter-input.errors';
import {
  JsonAssembler,
  JsonStreamError,
  MAX_VALUE_BYTES,
  readJsonPieces,
  type ContainerType,
  type JsonPath,
} from '../shared/json-stream';
import type { AdapterInput } from '../vendor-adapter.port';

/** One parsed JSON file of the input: the file itself, or one entry of a zip bundle. */
export interface InputDocument {
  file?: string;
  value: unknown;
}

const ZIP_MAGIC = [0x50, 0x4b];

export async function isZip(input: AdapterInput): Promise<boolean> {
  const handle = await open(input.path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return bytesRead >= 2 && head[0] === ZIP_MAGIC[0] && head[1] === ZIP_MAGIC[1];
  } finally {
    await handle.close();
  }
}

/** The documents of the input, one at a time: a JSON file is one, a zip bundle one per `.json` entry. */
export async function* readInputDocuments(input: AdapterInput): AsyncIterable<InputDocument> {
  if (await isZip(input)) {
    yield* readZip(input);
    return;
  }
  yield {
    ...(input.fileName !== undefined ? { file: input.fileName } : {}),
    value: await readDocument(input.open() as AsyncIterable<Buffer>, input.fileName),
  };
}

/**
 * The walked containers of a document: the root, its members (a bundle's collections, a page's `data`)
 * and a collection page's `data` array. Everything below them is read one value at a time.
 */
const walk = (path: JsonPath, type: ContainerType): boolean =>
  path.length === 0 ||
  (path.length === 1 && typeof path[0] === 'string') ||
  (path.length === 2 && type === 'array' && path[1] === 'data');

/**
 * One JSON file of an import, read as it streams and parsed as strictly as the API parses bodies (UTF-8,
 * no lone surrogates or NUL, numbers that survive, NFC strings), refusing with the file, line and column
 * of the first fault; a UTF-8 byte order mark is allowed and skipped (RFC 8259 §8.1 lets parsers ignore
 * it). The document is built back whole from its values, as the entity index keeps every entity anyway,
 * but its text is never held: no limit on the file's size, only on a single value's (MAX_VALUE_BYTES).
 */
async function readDocument(bytes: AsyncIterable<Buffer>, file: string | undefined): Promise<unknown> {
  const assembler = new JsonAssembler();
  try {
    for await (const pieces of readJsonPieces(bytes, { walk }))
      for (const piece of pieces) assembler.add(piece);
  } catch (error) {
    throw documentError(error, file);
  }
  return assembler.value;
}

function documentError(error: unknown, file: string | undefined): unknown {
  if (!(error instanceof JsonStreamError)) return error;
  const { line, column, pointer } = error.place;
  const at = (detail: string): FieldError => ({
    ...(file !== undefined ? { file } : {}),
    ...(pointer !== undefined ? { pointer } : {}),
    ...(line !== undefined ? { line } : {}),
    ...(column !== undefined ? { column } : {}),
    detail,
  });
  const fail = (code: string, detail: string) => new AdapterInputError(code, detail, [at(detail)]);
  switch (error.fault) {
    case 'ENCODING':
      return fail(
        'SS12000.ENCODING',
        error.flag === 'utf16'
          ? 'The file is UTF-16; SS 12000 JSON must be UTF-8.'
          : 'The file is not valid UTF-8 (a Latin-1 or Windows-1252 file?); SS 12000 JSON must be UTF-8.',
      );
    case 'EMPTY':
      return fail('SS12000.EMPTY', 'The file is empty; an SS 12000 JSON document was expected.');
    case 'INVALID_JSON':
      return fail(
        'SS12000.INVALID_JSON',
        error.flag === 'truncated'
          ? 'The JSON ends too early (a truncated file?).'
          : 'The file is not valid JSON here.',
      );
    case 'DUPLICATE_KEY':
      return fail('SS12000.INVALID_JSON', error.detail);
    case 'TOO_LARGE':
      return fail(
        'SS12000.TOO_LARGE',
        `A single value is over ${MAX_VALUE_BYTES / 1024 / 1024} MB; no SS 12000 entity is that large.`,
      );
    default:
      return fail(`SS12000.${error.fault}`, error.detail);
  }
}

/** Entries that are not data: folders, macOS resource forks, hidden files. Other non-JSON files are skipped too. */
const skipped = (name: string): boolean =>
  name.endsWith('/') || name.startsWith('__MACOSX/') || /(^|\/)\./.test(name) || !/\.json$/i.test(name);

async function* readZip(input: AdapterInput): AsyncIterable<InputDocument> {
  const bundle = input.fileName ?? 'bundle.zip';
  const zip = await new Promise<ZipFile>((resolve, reject) =>
    openZip(
      input.path,
      { lazyEntries: true, autoClose: true, strictFileNames: false, validateEntrySizes: true },
      (err, z) => (err ? reject(zipError(bundle, err)) : resolve(z)),
    ),
  );
  let documents = 0;
  try {
    for (;;) {
      const entry = await nextEntry(zip, bundle);
      if (!entry) break;
      if (skipped(entry.fileName)) continue;
      const stream = await new Promise<Readable>((resolve, reject) =>
        zip.openReadStream(entry, (err, s) => (err ? reject(zipError(entry.fileName, err)) : resolve(s))),
      );
      const value = await readDocument(entryBytes(stream, entry.fileName), entry.fileName);
      documents++;
      yield { file: entry.fileName, value };
    }
  } finally {
    if (zip.isOpen) zip.close();
  }
  if (documents === 0) {
    const detail = 'The zip holds no .json file.';
    throw new AdapterInputError('SS12000.EMPTY_BUNDLE', detail, [{ file: bundle, detail }]);
  }
}

function nextEntry(zip: ZipFile, bundle: string): Promise<Entry | undefined> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (entry: Entry) => {
      cleanup();
      resolve(entry);
    };
    const onEnd = () => {
      cleanup();
      resolve(undefined);
    };
    const onError = (err: Error) => {
      cleanup();
      reject(zipError(bundle, err));
    };
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

function zipError(file: string, err: Error): AdapterInputError {
  const detail = `The zip cannot be read (truncated or damaged?): ${err.message}`;
  return new AdapterInputError('SS12000.ZIP_UNREADABLE', detail, [{ file, detail }]);
}

/** An entry's bytes; corrupt compressed data shows only as the stream fails. */
async function* entryBytes(stream: Readable, name: string): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) yield chunk;
  } catch (err) {
    throw zipError(name, err as Error);
  }
}

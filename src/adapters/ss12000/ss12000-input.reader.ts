import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { open as openZip, type Entry, type ZipFile } from 'yauzl';
import type { FieldError } from '../../common/problem/domain-error';
import { AdapterInputError } from '../adapter-input.errors';
import {
  JsonAssembler,
  JsonStreamError,
  jsonPointer,
  MAX_VALUE_BYTES,
  readJsonPieces,
  type ContainerType,
  type JsonPath,
} from '../shared/json-stream';
import type { AdapterInput } from '../vendor-adapter.port';
import { collectionKind, isBulkyCollection } from './ss12000-entity-index';

/**
 * A part of the input, as it is read. Items of a collection's array (a page's `data`, a bundle's
 * collection, a root array) come one at a time as they are parsed, so that the index can put them away
 * at once; the rest of each file comes at its end as one `document`, those arrays left empty.
 */
export type InputPart =
  | {
      kind: 'item';
      file?: string;
      /** The bundle member it is in ("persons"); none for a page or a root array. */
      collection?: string;
      /** The pointer of its array, and its index there. */
      arrayAt: string;
      index: number;
      value: unknown;
    }
  | {
      kind: 'document';
      file?: string;
      value: unknown;
      /** Items of bundle members already handed out: the document must then be a bundle. */
      bundleItems: number;
    };

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

/** The parts of the input, a batch at a time: of a JSON file, or of each `.json` entry of a zip bundle. */
export async function* readInputParts(input: AdapterInput): AsyncIterable<InputPart[]> {
  if (await isZip(input)) {
    yield* readZip(input);
    return;
  }
  yield* readDocument(input.open() as AsyncIterable<Buffer>, input.fileName);
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
 * The array a value read whole is an item of, when it is a collection's: a root array, a page's `data`,
 * a bundle member's page `data` (of a collection portabel knows or ignores), or a bundle member that is
 * a bare array of one of the bulky collections. Only those: an entity's own arrays (an activity's
 * `groups`) stay in the document. `types` are the open containers' types by depth.
 */
function collectionArray(
  parent: JsonPath,
  types: readonly ContainerType[],
): { collection?: string; arrayAt: string } | undefined {
  if (types[parent.length] !== 'array') return undefined;
  if (parent.length === 0) return { arrayAt: '' };
  const [member] = parent;
  if (typeof member !== 'string') return undefined;
  if (parent.length === 1 && member === 'data') return { arrayAt: '/data' };
  if (parent.length === 2 && parent[1] === 'data' && collectionKind(member) !== undefined)
    return { collection: member, arrayAt: `${jsonPointer([member])}/data` };
  if (parent.length === 1 && isBulkyCollection(member))
    return { collection: member, arrayAt: jsonPointer([member]) };
  return undefined;
}

/**
 * One JSON file of an import, read as it streams and parsed as strictly as the API parses bodies (UTF-8,
 * no lone surrogates or NUL, numbers that survive, NFC strings), refusing with the file, line and column
 * of the first fault; a UTF-8 byte order mark is allowed and skipped (RFC 8259 §8.1 lets parsers ignore
 * it). Neither its text nor its collections are ever held whole: only a single value's size is limited
 * (MAX_VALUE_BYTES).
 */
async function* readDocument(
  bytes: AsyncIterable<Buffer>,
  file: string | undefined,
): AsyncGenerator<InputPart[]> {
  const assembler = new JsonAssembler();
  const types: ContainerType[] = [];
  const at = file !== undefined ? { file } : {};
  let bundleItems = 0;
  try {
    for await (const pieces of readJsonPieces(bytes, { walk })) {
      const items: InputPart[] = [];
      for (const piece of pieces) {
        if (piece.kind === 'open') types[piece.path.length] = piece.type;
        const array = piece.kind === 'value' ? collectionArray(piece.parent, types) : undefined;
        if (!array || piece.kind !== 'value') {
          assembler.add(piece);
          continue;
        }
        if (array.collection !== undefined) bundleItems++;
        items.push({ kind: 'item', ...at, ...array, index: piece.key as number, value: piece.value });
      }
      if (items.length > 0) yield items;
    }
  } catch (error) {
    throw documentError(error, file);
  }
  yield [{ kind: 'document', ...at, value: assembler.value, bundleItems }];
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

async function* readZip(input: AdapterInput): AsyncIterable<InputPart[]> {
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
      documents++;
      yield* readDocument(entryBytes(stream, entry.fileName), entry.fileName);
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
